"""UK local authorities: the reference list, name lookup and authority inference from text.

The list is mySociety's "UK Local Authority Names and Codes" (``data/uk_local_authorities.csv``):
official names, short ("nice") names, alternative names and ONS GSS codes of every UK
authority, past and current.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REFERENCE_CSV = Path(__file__).parent / "data" / "uk_local_authorities.csv"

_COUNCIL_SUFFIXES = ("City Council", "County Council", "Borough Council", "District Council", "Council")
_COUNCIL_WORD = re.compile(r"\bcouncil\b", re.IGNORECASE)
_WORDS = re.compile(r"[\w'’&.-]+")
_CAPITALISED_RUN = re.compile(
    r"(?<![\w-])[A-Z][\w'’-]*(?:[ \t]+(?:[A-Z][\w'’-]*|upon|on|and|the|of|in|le|by)(?![\w-]))*"
)
# The label before gov.uk (and the Welsh and Scottish government domains, and ModernGov's hosted
# sites) names the council: democracy.warwickshire.gov.uk, jane@leeds.gov.uk, westsussex.moderngov.co.uk.
_GOV_UK_DOMAIN = re.compile(
    r"(?<![\w-])([a-z][a-z0-9-]*)\.(?:gov\.uk|llyw\.cymru|gov\.wales|gov\.scot|moderngov\.co\.uk)\b",
    re.IGNORECASE,
)
# Words that anchor a council's full name: "… Council", "Cyngor Sir …", "Comhairle …",
# "London Borough of …", "City of London Corporation".
_NAME_ANCHOR = re.compile(r"\b(?:council|cyngor|comhairle|borough|corporation)\b", re.IGNORECASE)
# A meeting's venue names a building, often another council's: its names are no evidence.
_VENUE_LINE = re.compile(
    r"^[ \t]*(?:venue|lleoliad|location|place of meeting)\b[^\n]*|\bheld\s+(?:at|in)\b[^\n.]{0,120}",
    re.IGNORECASE | re.MULTILINE,
)
# "County Hall, Maidstone" / "Shire Hall, Warwick": a county council's own building in its county.
_COUNTY_HALL = re.compile(r"\b(?:County|Shire)\s+Hall\b")
_ATTENDANCE_LINE = re.compile(
    r"^[ \t]*(?:(?:Mr|Mrs|Ms|Miss|Dr|Cllr|Councillor|Prof)\.?[ \t]+(?:[A-Z]\.?[ \t]+)*[A-Z][\w'’-]+[ \t]*"
    r"[-–—,(:]|(?i:In[ \t]+attendance|Also[ \t]+(?:present|in[ \t]+attendance)|"
    r"Officers?[ \t]+(?:present|in[ \t]+attendance)|Attending)\b)[^\n]*", re.MULTILINE)
# a person's name, not a place: "Councillor J Dudley", "Mr Poole"
_TITLE_BEFORE = {"Mr", "Mrs", "Ms", "Miss", "Dr", "Cllr", "Councillor", "Councillors", "Prof", "Sir", "Dame",
                 "Lord", "Lady", "Rev"}
# The last word of an organisation's name ("… Foundation Trust", "… Care Partnership"): a place in
# it names the body, not the council whose paper it is.
_ORG_TAIL = {"Trust", "Foundation", "Hospital", "Hospitals", "University", "College", "CCG", "Group",
             "Association", "Partnership", "Centre", "School", "Academy", "Ltd", "Limited", "plc", "Company",
             "LLP", "CIC", "Society", "Club", "Charity", "Healthcare", "Homes"}
_OWN_COUNCIL = re.compile(
    r"\b(?:the|this)\s+(?:council|local\s+authority)\b(?!\s+(?:tax|of)\b)", re.IGNORECASE
)
_WELSH_FORMS = ("cyngor {}", "cyngor sir {}", "cyngor bwrdeistref sirol {}", "cyngor dinas {}",
                "cyngor dinas a sir {}")
_GENERIC = re.compile(r"\b(?:the\s+)?(City|County|Borough|District)\s+Council\b")


@dataclass(frozen=True)
class Authority:
    """One local authority from the reference list."""

    name: str
    nice_name: str
    gss_code: str
    kind: str
    current: bool
    start_date: str
    end_date: str
    code: str = ""
    county_code: str = ""  # a non-metropolitan district's county ("KEN" for Maidstone), else ""

    def active_in(self, year: int | None) -> bool:
        """Whether the authority existed in ``year`` (unknown year: whether it exists now)."""
        if year is None:
            return self.current
        start = int(self.start_date[:4]) if self.start_date[:4].isdigit() else 0
        end = int(self.end_date[:4]) if self.end_date[:4].isdigit() else 9999
        return start <= year <= end

    def kind_word(self) -> str:
        """ "County", "City", "Borough" or "District": what "the … Council" calls it."""
        for word in ("County", "City", "Borough", "District"):
            if f" {word} " in f" {self.name} ":
                return word
        return "County" if self.kind == "CTY" else ""


@dataclass(frozen=True)
class AuthorityMatch:
    """The authority inferred for a paper and the rule that found it."""

    authority: Authority
    rule: str
    score: float


class AuthorityIndex:
    """Name lookups over the reference list."""

    def __init__(
        self,
        authorities: list[Authority],
        names: dict[str, list[Authority]],
        places: dict[str, list[Authority]],
    ) -> None:
        self.authorities = authorities
        self.full_names = names  # lower-cased council names -> authorities
        self.places = places  # place names (case kept) -> authorities
        self._longest_name = max((len(n.split()) for n in names), default=1)
        self._longest_place = max((len(p.split()) for p in places), default=1)
        # Web and e-mail domains under gov.uk name the council: derby.gov.uk, nottinghamcity.gov.uk.
        self.domains: dict[str, list[Authority]] = {}
        for authority in authorities:
            nice = re.sub(r"[^a-z]", "", authority.nice_name.lower())
            if len(nice) > 3:
                for label in (nice, nice + authority.kind_word().lower()):
                    found = self.domains.setdefault(label, [])
                    if authority not in found:
                        found.append(authority)

    def _council_mentions(self, text: str, year: int | None) -> list[Authority]:
        """Authorities named in full ("Derby City Council", "NOTTINGHAM CITY COUNCIL", "London
        Borough of Camden", "Cyngor Sir y Fflint"): the longest known name around each anchor word."""
        spans: dict[tuple[int, int], list[Authority]] = {}
        for anchor in _NAME_ANCHOR.finditer(text):
            lo = max(0, anchor.start() - 120)
            words = list(_WORDS.finditer(text[lo : anchor.end() + 120]))
            at = next((i for i, w in enumerate(words) if lo + w.start() == anchor.start()), None)
            if at is None:
                continue
            best: tuple[int, int, list[Authority]] | None = None
            for i in range(max(0, at - self._longest_name), at + 1):
                for j in range(min(len(words), at + self._longest_name), at, -1):
                    if best and j - i <= best[1] - best[0]:
                        break
                    key = _normalise(" ".join(_clean_word(w.group(0)) for w in words[i:j]))
                    if key in self.full_names:
                        best = (i, j, self.full_names[key])
                        break
            if best:
                start, end = lo + words[best[0]].start(), lo + words[best[1] - 1].end()
                spans[(start, end)] = best[2]
        found: list[Authority] = []
        kept: list[tuple[int, int]] = []
        for (start, end), candidates in sorted(spans.items(), key=lambda kv: kv[0][0] - kv[0][1]):
            if any(start < e and s < end for s, e in kept):
                continue  # inside a longer name already counted
            kept.append((start, end))
            authority = _prefer(candidates, year)
            if authority:
                found.append(authority)
        return found

    def _place_mentions(self, text: str, year: int | None) -> list[Authority]:
        """Authorities whose short name ("Derby", "North East Derbyshire") appears, case kept."""
        found: list[Authority] = []
        for run in _CAPITALISED_RUN.finditer(text):
            words = run.group(0).split()
            if len(words) > 1 and words[-1] in _ORG_TAIL:
                continue  # "Harrogate and District Foundation Trust": a body's name, not its area
            i = 0
            while i < len(words):
                for size in range(min(self._longest_place, len(words) - i), 0, -1):
                    candidates = self.places.get(" ".join(words[i : i + size]))
                    after = words[i + size : i + size + 1]
                    before = words[i - 1].rstrip(".") if i else ""
                    if candidates and (before in _TITLE_BEFORE or re.fullmatch(r"[A-Z]", before)):
                        i += size  # "Councillor J Dudley", "Mrs Poole": a person's name
                        break
                    if candidates and i and words[i - 1] == "NHS" and after not in (["CCG"], ["Clinical"]):
                        # "NHS Highland": a health board's area, which is not one council's
                        # (NHS Highland also covers Argyll and Bute); a CCG's area was its council's
                        i += size
                        break
                    if candidates:
                        authority = _prefer(candidates, year)
                        if authority:
                            found.append(authority)
                        i += size
                        break
                else:
                    i += 1
        return found

    def _county_hall_venues(self, venues: list[str], year: int | None) -> set[Authority]:
        """Counties whose County Hall or Shire Hall a venue line names with a town of the county
        ("Sessions House, County Hall, Maidstone": Kent County Council), or with the county itself.
        Other councils' buildings in a venue are no evidence; a county hall is the county's own."""
        found: set[Authority] = set()
        by_code = {a.code: a for a in self.authorities if a.code}
        for venue in venues:
            if not _COUNTY_HALL.search(venue):
                continue
            for place in self._place_mentions(venue, year):
                county = by_code.get(place.county_code) if place.county_code else place
                if county is not None and county.kind == "CTY":
                    found.add(county)
        return found if len(found) == 1 else set()

    def lookup(self, name: str, year: int | None = None) -> Authority | None:
        """The authority called ``name`` (official, alternative or short name), preferring
        one that existed in ``year``, then a current one."""
        key = _normalise(name)
        candidates = self.full_names.get(key) or self.places.get(name.strip()) or []
        if not candidates:
            for place, found in self.places.items():
                if place.lower() == key:
                    candidates = found
                    break
        return _prefer(candidates, year)

    def by_code(self, gss_code: str) -> Authority | None:
        """The authority with ONS GSS code ``gss_code``."""
        for authority in self.authorities:
            if authority.gss_code == gss_code.strip():
                return authority
        return None

    def infer(self, text: str, year: int | None = None, source: str | None = None) -> AuthorityMatch | None:
        """The authority a paper belongs to, or None (see :meth:`infer_with_reason`)."""
        return self.infer_with_reason(text, year, source)[0]

    def infer_with_reason(
        self, text: str, year: int | None = None, source: str | None = None
    ) -> tuple[AuthorityMatch | None, str]:
        """The authority a paper belongs to, by weighing the councils it names, and why not if None.

        A council's full name in the first lines (the paper's header) counts most, then
        full names anywhere, then a gov.uk address in the text or in ``source`` (the file's
        path or address), then "the City/County Council" attributed to the named council
        of that kind, then bare place names; "the Council" adds to the only area named.
        Names in a venue line ("Venue: …", "held at …") do not count. When the evidence is
        too weak, or two councils are named about equally, the answer is None with the reason.
        """
        scores: Counter[Authority] = Counter()
        reasons: dict[Authority, Counter[str]] = {}
        venues = [m.group(0) for m in _VENUE_LINE.finditer(text)]
        text = _VENUE_LINE.sub(lambda m: " " * len(m.group(0)), text)
        # who attended is no evidence of whose meeting it was: "Mr B Dye – Norfolk County Council"
        text = _ATTENDANCE_LINE.sub(lambda m: " " * len(m.group(0)), text)
        head = "\n".join(line for line in text.splitlines() if line.strip())[:600]

        def add(authority: Authority, weight: float, why: str) -> None:
            scores[authority] += weight
            reasons.setdefault(authority, Counter())[why] += weight

        for authority in self._council_mentions(text, year):
            add(authority, 5, "council-name")
        for authority in self._council_mentions(head, year):
            add(authority, 10, "header")
        for authority in self._place_mentions(text, year):
            add(authority, 1, "place-name")
        for line in [ln for ln in text.splitlines() if ln.strip()][:5]:
            if len(line.split()) <= 6:  # "Glasgow, 6th February 2009." opening a Scottish minute
                for place in self._place_mentions(line, year):
                    add(place, 2, "header-place")
        # an address in a venue line ("… contact clerk@blaenau-gwent.gov.uk") is the council's own
        for where, why in (("\n".join([text, *venues]), "gov-uk-domain"), (source or "", "source-address")):
            for label in {re.sub(r"[^a-z]", "", m.group(1).lower()) for m in _GOV_UK_DOMAIN.finditer(where)}:
                authority = _prefer(self.domains.get(label, []), year)
                if authority:
                    add(authority, 3, why)
        for county in self._county_hall_venues(venues, year):
            add(county, 3, "county-hall-venue")
        if scores:
            for match in _GENERIC.finditer(text):
                before = text[max(0, match.start() - 30) : match.start()]
                words = before.split()
                if any(" ".join(words[-n:]) in self.places for n in range(1, min(4, len(words)) + 1)):
                    continue  # "Nottingham City Council" was counted as a full name
                kind = match.group(1)
                named = [a for a in scores if a.kind_word() == kind]
                if named:
                    add(max(named, key=lambda a: scores[a]), 2, "generic-mention")
        if len(scores) == 1:
            only = next(iter(scores))
            own = len(_OWN_COUNCIL.findall(text))
            if own:
                add(only, min(own, 2), "own-council")
        if not scores:
            return None, "no council named in the text"
        ranked = scores.most_common(2)
        best, score = ranked[0]
        if score < 3:
            return None, f"too little evidence: only {_evidence(best, reasons[best])}"
        other = ranked[1][0] if len(ranked) > 1 else None
        if other and ranked[1][1] >= 0.8 * score and (
            "header" not in reasons[best] or "header" in reasons[other]
        ):
            return None, f"councils named about equally: {best.name} and {other.name}"
        rule = reasons[best].most_common(1)[0][0]
        return AuthorityMatch(best, rule, score), ""


def _clean_word(word: str) -> str:
    """A name's word without sentence punctuation or a possessive: "Council's" -> "Council"."""
    return re.sub(r"['’]s$", "", word).strip(".'’-") or word


def _evidence(authority: Authority, why: Counter[str]) -> str:
    parts = ", ".join(f"{rule} ({weight:g})" for rule, weight in why.most_common())
    return f"{authority.name}: {parts}"


def _place_case(name: str) -> str:
    """A lower-cased place name as running text writes it: "glasgow" -> "Glasgow"."""
    small = {"of", "and", "upon", "on", "the", "under", "in"}
    return " ".join(w if w in small and i else w.capitalize() for i, w in enumerate(name.split()))


def _normalise(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("&", "and")).strip().lower()


def _prefer(candidates: list[Authority], year: int | None) -> Authority | None:
    if not candidates:
        return None
    for test in (lambda a: a.active_in(year), lambda a: a.current):
        chosen = [a for a in candidates if test(a)]
        if chosen:
            return chosen[0]
    return candidates[0]


@lru_cache(maxsize=2)
def load_authorities(path: Path = REFERENCE_CSV) -> AuthorityIndex:
    """Read the reference list once (cached) and index its names."""
    authorities: list[Authority] = []
    names: dict[str, list[Authority]] = {}
    places: dict[str, list[Authority]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            authority = Authority(
                name=row["official-name"].strip(),
                nice_name=row["nice-name"].strip(),
                gss_code=row["gss-code"].strip(),
                kind=row["local-authority-type"].strip(),
                current=row["current-authority"].strip() == "True",
                start_date=row["start-date"].strip(),
                end_date=row["end-date"].strip(),
                code=row["local-authority-code"].strip(),
                county_code=row["county-la"].strip(),
            )
            if not authority.gss_code or authority.kind in ("COMB", "SRA"):
                continue  # combined authorities and the GLA publish no council papers (WPA: Welsh councils)
            authorities.append(authority)
            full = {authority.name}
            alt_names = [a.strip() for a in row["alt-names"].split(",") if a.strip()]
            full.update(a for a in alt_names if "council" in a.lower())
            if row["nation"].strip() == "Wales":
                for form in _WELSH_FORMS:
                    full.update(form.format(a) for a in alt_names if "council" not in a.lower())
            elif row["nation"].strip() == "Scotland":
                full.update(f"comhairle {a}" for a in alt_names if "council" not in a.lower())
            nice = authority.nice_name
            if nice:
                word = authority.kind_word()
                if word:
                    full.add(f"{nice} {word} Council")
                full.add(f"{nice} Council")
            for name in full:
                key = _normalise(name)
                if key and authority not in names.setdefault(key, []):
                    names[key].append(authority)
            short = {nice} if nice else set()
            # the place's own name among the alternative names ("glasgow" for "Glasgow City"),
            # capitalised as running text writes it; names of councils are full names above
            short.update(_place_case(a) for a in alt_names
                         if "council" not in a.lower() and a.lower() == a and nice.lower().startswith(a + " ")
                         and a.split()[-1] not in {"of", "and", "upon", "on", "the", "city"})
            for place in short:
                if len(place) > 3 and authority not in places.setdefault(place, []):
                    places[place].append(authority)
    return AuthorityIndex(authorities, names, places)
