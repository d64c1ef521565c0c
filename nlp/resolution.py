"""Entity resolution: canonical names, stable keys, councils' GSS codes, definite descriptions.

Keys are derived from canonical names (``organisation/nottingham-city-council``), never from
counters, so the same real entity gets the same key in every paper and every rebuild.
Generic bodies that every authority has (a "Health and Wellbeing Board" with no place in
its name) are keyed per authority, because the Board of one council is not another's.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.shapes import GENERIC_WORDS

LA_CSV = Path(__file__).resolve().parent.parent / "corpus" / "data" / "uk_local_authorities.csv"

# Standard abbreviations of English county names ("Notts County", "Derbys").
COUNTY_ABBREVIATIONS = {
    "Notts": "Nottinghamshire", "Derbys": "Derbyshire", "Leics": "Leicestershire",
    "Lincs": "Lincolnshire", "Lancs": "Lancashire", "Staffs": "Staffordshire", "Hants": "Hampshire",
    "Herts": "Hertfordshire", "Beds": "Bedfordshire", "Bucks": "Buckinghamshire", "Cambs": "Cambridgeshire",
    "Glos": "Gloucestershire", "Northants": "Northamptonshire", "Oxon": "Oxfordshire", "Wilts": "Wiltshire",
    "Worcs": "Worcestershire", "Yorks": "Yorkshire", "Warks": "Warwickshire", "Berks": "Berkshire",
}
# Spelling variants folded before keys are made, so "Well-being" and "Wellbeing" meet.
_SPELLING = (
    (r"\bwell-being\b", "wellbeing"), (r"\bco-ordinat", "coordinat"), (r"\bhomecare\b", "home care"),
    (r"\bre-ablement\b", "reablement"), (r"\bcentre\b", "centre"), (r"&", "and"),
)
TYPE_PREFIX = {
    "Organisation": "organisation", "Partnership": "partnership", "Service": "service",
    "FundingStream": "fundingstream", "Person": "person",
}


def slugify(text: str) -> str:
    """Lower-case ASCII slug: "Nottingham City Council" -> "nottingham-city-council"."""
    text = text.lower().replace("’", "'").replace("'s ", "s ")
    for rx, repl in _SPELLING:
        text = re.sub(rx, repl, text)
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-")


def _singular_head(name: str) -> str:
    """ "Health and Wellbeing Boards" -> "… Board"; "Better Care Funds" -> "… Fund"."""
    return re.sub(
        r"\b(Boards|Funds|Partnerships|Groups|Grants|Budgets|Trusts|Councils|Pathways|Centres|Alliances)$",
        lambda m: m.group(1)[:-1], name, flags=re.IGNORECASE,
    )


def canonical_name(etype: str, text: str) -> str:
    """The canonical form of a surface name (whitespace, quotes, "the", plurals, CCG spelled out)."""
    name = re.sub(r"\s+", " ", text).strip(" \t'‘’\"“”.,;:()")
    name = re.sub(r"^(?:the|The|THE)\s+", "", name)
    name = re.sub(r"['’]s$", "", name)
    for abbr, full in COUNTY_ABBREVIATIONS.items():
        name = re.sub(rf"^{abbr}\b", full, name)
    if etype == "Organisation":
        name = re.sub(r"\bCCGs?$", "Clinical Commissioning Group", name)
        name = re.sub(r"\bClinical Commissioning Groups$", "Clinical Commissioning Group", name)
        name = re.sub(r"^NHS (?=.+ Clinical Commissioning Group$)", "", name)
    if etype in {"Partnership", "FundingStream"}:
        name = _singular_head(name)
    if etype in {"Partnership", "FundingStream", "Service"}:
        name = re.sub(r"[ \t]+&[ \t]+", " and ", name)  # one spelling of the label: "Health and Wellbeing"
    if name.isupper() and len(name) > 6:
        name = name.title()
    return name


# Names that never name one body, fund or place by themselves: a reference ("the Council",
# "the Board"), a type of thing ("pooled budget", "Section 75"), a building or a heading word.
_GENERIC_NAME_RE = re.compile(
    r"(?:the|this|that|our|its|their|each|both|all)?\s*(?:"
    r"(?:(?:City|County|Borough|District|Metropolitan\s+Borough|Town|Parish|Unitary|Local)\s+)?"
    r"(?:Councils?|Authority|Authorities)"
    r"|(?:City|County|Borough|District|Metropolitan\s+Borough)"
    r"|Section\s+\d+[A-Z]?"
    r"|(?:pooled|joint|aligned|shared)\s+(?:budgets?|funds?|funding)"
    r"|(?:Sub-)?(?:Boards?|Committees?|Cabinet|Executive|Partnerships?|Trusts?|Funds?|Services?|Panels?|"
    r"Forums?|Programmes?|Grants?|Budgets?|Groups?|Teams?|NHS|CCGs?|Government|Department)"
    r"|(?:Civic\s+(?:Centre|Offices?)|Town\s+Hall|County\s+Hall|Council\s+House|Guildhall)"
    r"|\d+[- ]?day\s+services?"
    r"|(?:Key\s+)?Decisions?|Recommendations?|Resolved|Appendix|Appendices|Reports?|Minutes|Agenda"
    r")",
    re.IGNORECASE,
)


def is_generic_name(name: str) -> bool:
    """Whether ``name`` is a generic word or phrase ("Council", "City Council", "the County
    Councils", "Section 75", "pooled budgets", "the Board", "Civic Centre", "7 day services") that
    must not be an entity's name or alias. Any qualifying word ("Sefton Council", "Section 75
    pooled budget", "Public Health Grant") makes a name specific.
    """
    return bool(_GENERIC_NAME_RE.fullmatch(" ".join(name.split()).strip(" .,;:'’\"")))


def has_proper_word(name: str) -> bool:
    """Whether a name carries a word that is not generic (a place or a proper name)."""
    return any(w.lower() not in GENERIC_WORDS and w.lower() not in {"wellbeing", "well-being", "resilience",
                                                                      "system", "safeguarding"}
               for w in re.findall(r"[A-Za-z’'-]+", name))


def entity_key(etype: str, name: str, authority: str | None = None) -> str:
    """Stable key of an entity; generic partnerships are scoped by the paper's authority."""
    prefix = TYPE_PREFIX.get(etype, etype.lower())
    if etype == "Organisation" and re.search(r"\b(?:NHS|Foundation)\b.*\bTrust$", name):
        # "X NHS Trust" became "X NHS Foundation Trust"; papers also write "X Foundation Trust" and
        # "X Trust": one body across years, so one key ("organisation/x-trust"), every form an alias
        name = re.sub(r"\b(?:NHS|Foundation)\s+(?=(?:NHS\s+|Foundation\s+)*Trust$)", "", name)
    if etype == "Partnership" and authority and not has_proper_word(name):
        return f"{prefix}/{slugify(authority)}--{slugify(name)}"
    return f"{prefix}/{slugify(name)}"


@dataclass(frozen=True)
class Council:
    """A local authority from the reference list."""

    name: str
    gss: str
    nice_name: str


@lru_cache(maxsize=1)
def council_directory(path: str = str(LA_CSV)) -> dict[str, Council]:
    """Every known name of every local authority (lower-case) -> :class:`Council`."""
    names: dict[str, Council] = {}
    if not Path(path).is_file():
        return names
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("end-date"):
                continue  # abolished councils keep their own row; prefer current ones
            council = Council(row["official-name"], row["gss-code"], row["nice-name"])
            for alias in [row["official-name"], *row.get("alt-names", "").split(",")]:
                alias = alias.strip().lower()
                if alias and (len(alias.split()) >= 2 or alias == row["official-name"].lower()):
                    names.setdefault(alias, council)
    return names


@lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    return frozenset(c.nice_name.lower() for c in council_directory().values())


def is_place_name(name: str) -> bool:
    """Whether a name is just a local-authority area's name ("Nottingham", "Rushcliffe")."""
    return name.strip().lower() in _place_names()


def find_council(name: str) -> Council | None:
    """The council a name refers to, by official name or alias ("Notts County Council"), or by
    its area's name before "Council" when only one council has that area ("Camden Council")."""
    canonical = canonical_name("Organisation", name).lower()
    found = council_directory().get(canonical)
    if found is not None:
        return found
    m = re.fullmatch(r"(.+?)\s+(?:(city|county|borough|district|metropolitan borough)\s+)?council", canonical)
    if m:
        council = _councils_by_place().get(m.group(1))
        if council is not None and (m.group(2) is None or m.group(2) in council.name.lower()):
            return council
    return None


@lru_cache(maxsize=1)
def _councils_by_place() -> dict[str, Council]:
    """Area name (lower-case) -> its council, for areas only one current council is named after."""
    by_place: dict[str, list[Council]] = {}
    for council in set(council_directory().values()):
        by_place.setdefault(council.nice_name.lower(), []).append(council)
    return {place: cs[0] for place, cs in by_place.items() if len(cs) == 1}


def council_by_gss(gss: str) -> Council | None:
    """The current council with this ONS GSS code."""
    return next((c for c in council_directory().values() if c.gss == gss), None)


def place_of(authority: str) -> str:
    """ "Nottingham City Council" -> "Nottingham"; "Nottinghamshire County Council" -> "Nottinghamshire"."""
    rx = r"\s+(?:City|County|Borough|District|Metropolitan Borough)?\s*Council$"
    return re.sub(rx, "", authority).strip()


def neighbouring_council(authority: str, want: str) -> Council | None:
    """For a city paper the county around it ("Nottingham" -> "Nottinghamshire County Council"),
    and for a county paper the city it is named after; ``want`` is "county" or "city"."""
    place = place_of(authority)
    directory = council_directory()
    if want == "county":
        return directory.get(f"{place}shire county council".lower()) or directory.get(
            f"{place} county council".lower())
    city = re.sub(r"shire$", "", place)
    return directory.get(f"{city} city council".lower())
