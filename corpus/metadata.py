"""Paper metadata: from a catalogue CSV when given, otherwise inferred from the text.

Every field records how it was obtained in ``Metadata.sources``: ``"catalogue"``,
``"inferred:<rule>"`` or ``"missing"``. The rules are general cues of council papers:
meeting-date lines ("Date: 9 July 2019", a date on a line of its own at the top), a
month and year in the title, dated comment headings ("Financial Comments (RWK
20/10/2011)"), council names in the header, body and signatures, committee names in the
header or the recommendation, and the words papers of each type use.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

from corpus.authorities import load_authorities
from corpus.models import Block, Metadata
from councilkg.errors import InputError

CATALOGUE_COLUMNS = (
    "file", "authority", "gss_code", "date", "committee", "title", "document_type",
    "source_url", "meeting_url",
)
LINK_FIELDS = ("source_url", "meeting_url")
"""Where a paper came from (the document's address, its meeting's page): given by a catalogue
(``councilkg fetch`` writes them), never inferred; kept only when they are http(s) addresses."""
FIELDS = ("authority", "gss_code", "date", "committee", "title", "document_type")

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ]
    )
    for m in names.split()
}
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL = r"(?:\s?(?:st|nd|rd|th))?"
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?{_MONTH}\.?,?\s+((?:19|20)\d\d)\b", re.IGNORECASE
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b{_MONTH}\.?\s+(\d{{1,2}}){_ORDINAL},\s+((?:19|20)\d\d)\b", re.IGNORECASE
)
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2((?:19|20)?\d\d)(?![\d/.-])")
_ISO_DATE = re.compile(r"(?<![\d-])((?:19|20)\d\d)-(\d\d)-(\d\d)(?![\d-])")
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\.?\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d/£.-])((?:19|20)\d\d)(?![\d%])")
_DATE_LINE = re.compile(
    r"^\s*(?:(?:meeting\s+|report\s+)?date(?:\s+of\s+(?:meeting|report))?\s*[:\-]\s*)?(.{6,40})$",
    re.IGNORECASE,
)
# "Date of decision: 12/12/2024", "Decided at meeting: 12/12/2024 - Cabinet", "Meeting: 18/06/2019",
# "Publication date: 13/12/2024", "Published on 3 May 2021", "Report date – 4 May 2021".
_LABELLED_DATE = re.compile(
    r"^\s*(?P<label>(?:date\s+of\s+(?:the\s+)?(?:decision|meeting|report|publication|issue))"
    r"|(?:decision|meeting|report|publication|issue)\s+date|decided\s+at\s+(?:the\s+)?meeting"
    r"|decision\s+(?:made|taken)(?:\s+on)?|date\s+published|published(?:\s+on)?|meeting(?:\s+on)?"
    r"|made\s+on|taken\s+on"
    # Welsh: "Dyddiad y penderfyniad", "Penderfynwyd yn y cyfarfod", "Cyfarfod", "Dyddiad cyhoeddi".
    r"|dyddiad\s+(?:y\s+)?(?:penderfyniad|cyfarfod|cyhoeddi|adroddiad)|penderfynwyd\s+yn\s+y\s+cyfarfod"
    r"|cyfarfod)\s*[:\-–—]?\s+(?P<value>.{6,80})$",
    re.IGNORECASE,
)
_LABEL_RANKS = (
    (2, "publication-date", ("publi", "issue", "cyhoeddi")),
    (1, "report-date", ("report", "adroddiad")),
    (0, "decision-date", ("decision", "decided", "made on", "taken on", "penderfyn")),
)
# "Cabinet - Tuesday, 2nd October, 2018 2.00 pm": a meeting page's heading.
_MEETING_HEADING = re.compile(
    r"^[^\n]{2,100}?\s[-–—]\s((?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+\d{1,2}[^\n]{3,40})$",
    re.IGNORECASE,
)
# "Health and Wellbeing Board (Special Meeting) – 14 February 2014": a title, a dash, the date alone.
_TITLE_DASH_DATE = re.compile(
    rf"^[^\n]{{2,100}}?\s[-–—]\s+(\d{{1,2}}{_ORDINAL}\s+(?:of\s+)?{_MONTH}\.?,?\s+(?:19|20)\d\d)\s*$",
    re.IGNORECASE,
)
# "05/07/2016 - Gateway 2: Contract award approval": a decision listed under its date.
_DATED_ITEM = re.compile(r"^(\d{1,2}/\d{1,2}/(?:19|20)\d\d)\s+[-–—]\s+\S")
_TIMES_ONLY = re.compile(
    r"[\s.,;:\-–—]*(?:(?:at|from|to|until|starting)?\s*\d{1,2}(?:[.:]\d\d)?\s*"
    r"(?:am|pm|a\.m\.|p\.m\.|hrs|noon)?[\s.,;:\-–—]*)*",
    re.IGNORECASE,
)
_DATE_LABEL = re.compile(
    r"^\s*(?:(?:meeting|report)\s+)?date(?:\s+of\s+(?:meeting|report))?\s*[:\-]\s*", re.IGNORECASE
)
_DATED_COMMENT = re.compile(
    r"\b(?:comments?|observations?)\b[^\n]{0,40}?\(\s*[A-Za-z]{1,6}\.?\s+(\d{1,2}/\d{1,2}/\d{2,4})\s*\)",
    re.IGNORECASE,
)
_ACT_YEAR = re.compile(r"\bAct\s+((?:19|20)\d\d)\b")
_COMMITTEE = re.compile(
    r"\b((?:[A-Z][\w'’-]*|and|&|of|for|the)(?:[ \t]+(?:[A-Z][\w'’-]*|and|&|of|for|the)){0,8}?[ \t]+"
    r"(?:Sub-Committee|Committee|Board|Cabinet|Panel|Scrutiny Commission))\b"
)
_RECOMMENDED = re.compile(
    r"\b(?:recommended that|report to|asked to|request(?:s|ed)? (?:that )?)\s+the\s+"
    r"((?:[A-Z][\w'’-]*|and|&|of|for)(?:\s+(?:[A-Z][\w'’-]*|and|&|of|for)){0,8}?\s+"
    r"(?:Sub-Committee|Committee|Board|Cabinet|Panel))\b"
)
_NOT_COMMITTEE = re.compile(
    r"Clinical Commissioning|^(?:Partnership|Programme|Project) Board$", re.IGNORECASE
)
_LEADING_SMALL = re.compile(r"^(?:(?:the|and|of|for|&)\s+)+", re.IGNORECASE)
_COUNCIL_OR_COMMITTEE_LINE = re.compile(
    r"^(?:[\w'’&,-]+\s+){0,8}(?:council|sub-committee|committee|board|cabinet|panel)$", re.IGNORECASE
)
# "MINUTES of the meeting held at Civic Hall on 14 March 2018", "Meeting held on Tuesday 5 March
# 2019", "Meeting to be held on …": the meeting's own date, when the line opens the paper.
_HELD_ON = re.compile(
    r"^\s*(?:at\s+an?\s+)?(?:minutes\b|(?:\w+\s+)?meeting\b)[^\n]{0,100}?\bheld\b[^\n]{0,100}?\bon\s+(.{6,40})$",
    re.IGNORECASE,
)
# "Report to Cabinet", "To: Health Scrutiny Panel", "Report to the Executive Board – 4 May 2021".
# "… MINUTES OF MEETING HELD ON THURSDAY 25 AUGUST 2016 AT 1000 HOURS …" inside a paper's opening
# text (a PDF flattened into one line): the meeting's date, wherever the line breaks fell.
_HELD_ON_INSIDE = re.compile(
    r"\b(?:minutes|meeting)\b[^\n.]{0,80}?\bheld\b[^\n.]{0,80}?\bon\s+(?:the\s+)?((?:\w+day,?\s+)?(?:the\s+)?"
    r"\d{1,2}[^\n]{3,30})",
    re.IGNORECASE,
)
# "Glasgow, 6th February 2009.", "10.00 am, Thursday, 6 June 2013": a short opening line holding
# a full date beside only a place name, a weekday or the time.
_HEAD_DATE_REST = re.compile(
    r"[\s.,;:\-–—]*(?:(?:(?:at|from|to|until|starting)\s+)?\d{1,2}(?:[.:]\d\d)?\s*(?:am|pm|a\.m\.|p\.m\.|hrs|noon)"
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day|[A-Z][a-z’'-]+(?:\s+[A-Z][a-z’'-]+){0,2}|[\s.,;:\-–—]+)*",
)
_REPORT_TO = re.compile(
    r"^\s*(?:report\s+to|to|meeting|committee|decision\s+maker)\s*:?\s+(?:the\s+)?(.+)$", re.IGNORECASE
)
# "Subject: Care Homes Commissioning Proposal", "Title of report: …" in a report's header.
_SUBJECT_LINE = re.compile(
    r"^\s*(?:subject|title|report\s+title|title\s+of\s+(?:the\s+)?(?:report|paper|item))\s*[:\t]\s*(\S.*)$",
    re.IGNORECASE,
)
_BODY_ALONE = re.compile(r"^(?:Cabinet|Executive|Full Council|County Council|City Council)$")
_SMALL_WORDS = {"and", "of", "for", "the", "in", "on", "to", "a", "an", "with", "at", "by", "or"}


@dataclass(frozen=True)
class CatalogueRow:
    """One row of a catalogue CSV (every value may be empty)."""

    file: str
    authority: str = ""
    gss_code: str = ""
    date: str = ""
    committee: str = ""
    title: str = ""
    document_type: str = ""
    source_url: str = ""
    meeting_url: str = ""


def read_catalogue(path: str | Path) -> dict[str, CatalogueRow]:
    """Read a catalogue CSV into rows keyed by file name (case-insensitive).

    The encoding is detected as for text papers: spreadsheets often save CSV as cp1252.
    """
    from corpus.loaders.text import decode_text

    path = Path(path)
    try:
        try:
            content, _encoding = decode_text(path.read_bytes())
        except InputError as exc:
            raise InputError(f"{path}: cannot read catalogue ({exc.message})") from None
        with io.StringIO(content, newline="") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip().lower() for c in (reader.fieldnames or [])]
            if "file" not in columns:
                raise InputError(
                    f"{path}: catalogue has no 'file' column (expected {', '.join(CATALOGUE_COLUMNS)})"
                )
            rows: dict[str, CatalogueRow] = {}
            for raw in reader:
                values = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
                if not values.get("file"):
                    continue
                row = CatalogueRow(**{k: values.get(k, "") for k in CATALOGUE_COLUMNS})
                rows[Path(row.file).name.lower()] = row
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read catalogue ({exc.__class__.__name__}: {exc})") from None
    return rows


def parse_date(text: str) -> str | None:
    """The first full date in ``text`` as ISO ``YYYY-MM-DD`` (UK day/month order), or None.

    Reads "9 July 2019", "Tuesday 3rd March 2020", "2nd October, 2019", "July 9, 2019",
    "18/06/2019", "18.06.19" (a two-digit year is this century unless that would be in the
    future) and ISO "2019-06-18"; the earliest date in the text wins, whatever its form.
    """
    found: list[tuple[int, str]] = []
    for pattern, order in (
        (_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy"), (_NUMERIC_DATE, "num"), (_ISO_DATE, "iso")
    ):
        for match in pattern.finditer(text):
            iso = _date_from(match, order)
            if iso:
                found.append((match.start(), iso))
                break
    return min(found)[1] if found else None


def _date_from(match: re.Match[str], order: str) -> str | None:
    try:
        if order == "dmy":
            day, month, year = (
                int(match.group(1)), _MONTHS[match.group(2).lower()[:3]], int(match.group(3))
            )
        elif order == "mdy":
            month, day, year = (
                _MONTHS[match.group(1).lower()[:3]], int(match.group(2)), int(match.group(3))
            )
        elif order == "iso":
            year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
        else:
            day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
            if year < 100:
                year += 2000 if year <= date.today().year % 100 + 1 else 1900
        return date(year, month, day).isoformat()
    except (ValueError, KeyError):
        return None


def normalise_date(value: str) -> str | None:
    """A catalogue date (``2019-07-09``, ``2017-11``, ``2011``, ``9 July 2019``) as ISO text."""
    value = value.strip()
    if re.fullmatch(r"(?:19|20)\d\d(?:-\d\d(?:-\d\d)?)?", value):
        return value
    parsed = parse_date(value)
    if parsed:
        return parsed
    month_year = _MONTH_YEAR.search(value)
    if month_year:
        return f"{month_year.group(2)}-{_MONTHS[month_year.group(1).lower()[:3]]:02d}"
    return None


def smart_title(text: str) -> str:
    """Title-case an upper-case heading, keeping short joining words lower-case."""
    if sum(c.isupper() for c in text) < 0.8 * max(1, sum(c.isalpha() for c in text)):
        return text
    words = []
    for i, word in enumerate(text.split()):
        lower = word.lower()
        if i and lower in _SMALL_WORDS:
            words.append(lower)
        else:
            words.append("-".join(p[:1].upper() + p[1:].lower() for p in word.split("-")))
    return " ".join(words)


def _labelled_dates(lines: list[str]) -> list[tuple[int, int, str, str]]:
    """(rank, line number, ISO date, rule) for every labelled date line of a paper.

    Rank 0 is the meeting or decision date, 1 a report date, 2 the publication date.
    """
    out = []
    for number, line in enumerate(lines):
        match = _LABELLED_DATE.match(line)
        if not match:
            continue
        label = re.sub(r"\s+", " ", match.group("label").lower())
        rank, rule = next(
            ((r, rule) for r, rule, words in _LABEL_RANKS if any(w in label for w in words)),
            (0, "meeting-date"),
        )
        parsed = parse_date(match.group("value"))
        if parsed:
            out.append((rank, number, parsed, rule))
    return out


def _infer_date(head_lines: list[str], title: str | None, text: str) -> tuple[str, str] | None:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    candidates = _labelled_dates(lines)
    for number, line in enumerate(head_lines):
        held = _HELD_ON.match(line)
        if held and len(line.split()) <= 30:
            parsed = parse_date(held.group(1))
            if parsed:
                candidates.append((0, number, parsed, "meeting-held-on"))
                continue
        titled = _TITLE_DASH_DATE.match(line)
        if titled and parse_date(titled.group(1)):
            # after a labelled or "held on" date: "Report to Cabinet – 4 May 2021" may be the report's
            candidates.append((0.5, number, parse_date(titled.group(1)) or "", "title-dash-date"))
            continue
        heading = _MEETING_HEADING.match(line)
        if heading:
            parsed = parse_date(heading.group(1))
            if parsed:
                candidates.append((0, number, parsed, "meeting-heading"))
                continue
        listed = _DATED_ITEM.match(line)
        if listed:
            parsed = parse_date(listed.group(1))
            if parsed:
                candidates.append((0, number, parsed, "dated-decision"))
                continue
        match = None if _LABELLED_DATE.match(line) else _DATE_LINE.match(line)
        if match and (
            line.lower().lstrip().startswith(("date", "meeting date")) or _only_date(match.group(1))
        ):
            parsed = parse_date(match.group(1))
            if parsed:
                candidates.append((0, number, parsed, "meeting-date"))
                continue
        if number < 3 and _MINUTES_OF_DATE.match(line) and _first_full_date(line):
            # "Minutes of 24 March 2020", "Minutes of the Parish Council on Thursday 21st January
            # 2021 at 7.30pm", "Minutes of meeting in County Buildings, Ayr, on 6th October 2016"
            candidates.append((0.5, number, _first_full_date(line) or "", "minutes-of-date"))
            continue
        if number < 15 and len(line.split()) <= 10 and _short_dated_line(line):
            parsed = parse_date(line)
            if parsed:  # after every labelled or date-only line: "Glasgow, 6th February 2009."
                candidates.append((0.5, number, parsed, "head-date"))
    if not candidates:
        held = _HELD_ON_INSIDE.search(text[:3000])
        parsed = parse_date(held.group(1)) if held else None
        if parsed:
            candidates.append((0, 0, parsed, "meeting-held-on"))
    if candidates:
        _rank, _number, parsed, rule = min(candidates)
        return parsed, rule
    for line in head_lines[:15]:
        # "Date: July 2019" or "March 2015" alone near the top: the month is known, not the day.
        value = _DATE_LABEL.sub("", line).strip(" .")
        month_year = _MONTH_YEAR.fullmatch(value)
        if month_year:
            return f"{month_year.group(2)}-{_MONTHS[month_year.group(1).lower()[:3]]:02d}", "meeting-month"
    if title:
        month_year = _MONTH_YEAR.search(title)
        if month_year:
            return f"{month_year.group(2)}-{_MONTHS[month_year.group(1).lower()[:3]]:02d}", "title-date"
    comment_dates = sorted(d for d in (parse_date(m.group(1)) for m in _DATED_COMMENT.finditer(text)) if d)
    if comment_dates:
        return comment_dates[-1][:7], "dated-comment"
    acts = {m.start(1) for m in _ACT_YEAR.finditer(text)}
    years = Counter(m.group(1) for m in _YEAR.finditer(text) if m.start(1) not in acts)
    if years:
        return years.most_common(1)[0][0], "year-frequency"
    return None


_MINUTES_OF_DATE = re.compile(
    r"^\s*(?:(?:draft\s+|unconfirmed\s+|approved\s+)?(?:minutes|notes)\s+of\b|[^\n]{0,120}\b(?:council|committee|board|"
    r"cabinet|panel|meeting)\s+(?:held\s+)?on\s+(?:the\s+)?(?:\w+day,?\s+)?(?:the\s+)?\d)", re.IGNORECASE)


def _first_full_date(line: str) -> str | None:
    """The first day-month-year date of a line (not a bare month or year), as ISO text."""
    found = [(m.start(), _date_from(m, order)) for pattern, order in ((_DAY_MONTH_YEAR, "dmy"),
                                                                        (_MONTH_DAY_YEAR, "mdy"))
             for m in pattern.finditer(line)]
    found = [(pos, iso) for pos, iso in found if iso]
    return min(found)[1] if found else None


def _short_dated_line(line: str) -> bool:
    """A short opening line that is a full date and, beside it, only a place, weekday or time."""
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        match = pattern.search(line)
        if match:
            rest = line[:match.start()] + " " + line[match.end():]
            return _HEAD_DATE_REST.fullmatch(rest) is not None
    return False


def _only_date(text: str) -> bool:
    """A date alone, perhaps with its weekday and the meeting's time ("20 Mar 2015 - 09:30 to 11:00")."""
    stripped = re.sub(r"^\s*\w+day,?\s+", "", text.strip())
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _NUMERIC_DATE, _ISO_DATE):
        match = pattern.match(stripped)
        if match and _TIMES_ONLY.fullmatch(stripped[match.end():]):
            return True
    return False


def _infer_committee(head_lines: list[str], text: str) -> tuple[str, str] | None:
    for line in head_lines[:12]:
        clean = line.strip()
        named = _named_body(clean)
        if named:
            return named, "header"
        if clean.lower().startswith(("report of", "report to")) or len(clean.split()) > 12:
            continue
        match = _COMMITTEE.search(smart_title(clean))
        if match and not _NOT_COMMITTEE.search(match.group(1)):
            return _LEADING_SMALL.sub("", match.group(1).strip()), "header"
    recommended = Counter(
        _LEADING_SMALL.sub("", m.group(1))
        for m in _RECOMMENDED.finditer(text)
        if not _NOT_COMMITTEE.search(m.group(1))
    )
    if recommended:
        return recommended.most_common(1)[0][0], "recommendation"
    mentions = Counter(
        _LEADING_SMALL.sub("", m.group(1).strip())
        for m in _COMMITTEE.finditer(text)
        if not _NOT_COMMITTEE.search(m.group(1).strip())
    )
    mentions = Counter({k: v for k, v in mentions.items() if len(k.split()) >= 2})
    if mentions:
        name, count = mentions.most_common(1)[0]
        if count >= 2:
            return name, "most-frequent"
    return None


def _named_body(line: str) -> str | None:
    """The committee a header line names: "Report to Cabinet", "To: Scrutiny Panel", "Cabinet"."""
    target = line
    report_to = _REPORT_TO.match(line)
    if report_to:
        target = re.split(r"\s+[–—-]\s+|,|\s+on\s+\w*day\b", report_to.group(1))[0].strip(" .:")
    elif len(line.split()) > 3:
        return None
    target = smart_title(target)
    if len(target.split()) > 9 or not target[:1].isupper():
        return None
    if _BODY_ALONE.match(target) and (report_to or target in ("Cabinet", "Executive")):
        return target
    match = _COMMITTEE.fullmatch(target) if report_to else None
    if match and not _NOT_COMMITTEE.search(target):
        return _LEADING_SMALL.sub("", target)
    return None


def _skip_for_title(text: str, authority_names: set[str], committee: str | None) -> bool:
    lower = text.lower()
    return (
        lower in authority_names
        or (committee is not None and lower == committee.lower())
        or lower.startswith(("report of", "agenda item", "date", "appendix", "page ", "present", "to:"))
        or bool(_HELD_ON.match(text))
        or bool(_REPORT_TO.match(text) and _named_body(text))
        or bool(_COUNCIL_OR_COMMITTEE_LINE.match(text.strip()))
        or _only_date(text)
        or len(text) < 4
    )


def _infer_type(text: str, title: str | None) -> tuple[str, str]:
    head = text[:4000].lower()
    title_l = (title or "").lower()
    agenda_cue = re.search(r"requested to attend|\bagenda\b", head)
    minutes_cue = re.search(r"\bminutes of (?:the|a) meeting\b", head)
    agenda, minutes = agenda_cue is not None, minutes_cue is not None
    # A pack opens with the agenda and carries the last minutes; minutes that mention
    # "the agenda" further down are minutes.
    if agenda_cue and minutes_cue and agenda_cue.start() < minutes_cue.start():
        return "agenda pack", "agenda-and-minutes"
    if minutes:
        return "minutes", "minutes-heading"
    if re.search(r"commissioning (?:plan|intentions)", title_l):
        return "commissioning plan", "title"
    if agenda and "report of" not in head:
        return "agenda", "agenda-cues"
    if re.search(
        r"\breport of\b|\bpurpose of the report\b|\brecommendations?\b|\bthis (?:report|paper)\b", head
    ):
        return "committee report", "report-cues"
    if re.search(r"\bstrategy\b", title_l):
        return "strategy", "title"
    return "paper", "default"


def infer_metadata(text: str, blocks: list[Block], source: str | None = None) -> Metadata:
    """Infer every metadata field from a paper's canonical text and blocks.

    ``source`` is the file's path or address when known: a council's web domain in it
    (``democracy.<council>.gov.uk``) counts as evidence of the authority. A field the
    text does not support stays None with ``"missing: <reason>"`` as its source.
    """
    head_lines = [line.strip() for line in text.splitlines() if line.strip()][:40]
    meta = Metadata()
    sources: dict[str, str] = {}
    committee = _infer_committee(head_lines, text)
    index = load_authorities()
    authority_names = {n for n in index.full_names}
    title = None
    for line in head_lines[:25]:
        subject = _SUBJECT_LINE.match(line)
        if subject and 3 <= len(subject.group(1)) <= 200:
            title = smart_title(subject.group(1).strip(" \t:"))
            sources["title"] = "inferred:subject-line"
            break
    for position, block in enumerate(blocks if title is None else []):
        short_line = (
            block.kind == "paragraph"
            and position < 5
            and len(block.text.split()) <= 20
            and not block.text.endswith(tuple(".:;,"))
            and ":" not in block.text
        )
        if (block.kind == "heading" or short_line) and not _skip_for_title(
            block.text, authority_names, committee and committee[0]
        ):
            title = smart_title(block.text)
            sources["title"] = "inferred:first-heading"
            break
    date_found = _infer_date(head_lines, title, text)
    if date_found:
        meta.date, rule = date_found
        sources["date"] = f"inferred:{rule}"
    match, why_not = index.infer_with_reason(text, meta.year, source)
    if match:
        meta.authority, meta.gss_code = match.authority.name, match.authority.gss_code
        sources["authority"] = f"inferred:{match.rule}"
        sources["gss_code"] = "inferred:reference-list"
    else:
        sources["authority"] = sources["gss_code"] = f"missing: {why_not}"
    if not date_found:
        sources["date"] = "missing: no date or year in the text"
    if committee:
        meta.committee = smart_title(committee[0])
        sources["committee"] = f"inferred:{committee[1]}"
    meta.document_type, rule = _infer_type(text, title)
    sources["document_type"] = f"inferred:{rule}"
    if meta.document_type in ("agenda pack", "minutes") and meta.committee:
        # Packs and minutes carry no title of their own: name them by body and meeting date.
        title = f"{meta.committee} {meta.document_type}" + (
            f", {_human_date(meta.date)}" if meta.date else ""
        )
        sources["title"] = f"inferred:{meta.document_type.replace(' ', '-')}"
    meta.title = title
    for name in FIELDS:
        sources.setdefault(name, "missing")
    meta.sources = sources
    return meta


def _human_date(iso: str) -> str:
    parts = iso.split("-")
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    if len(parts) == 3:
        return f"{int(parts[2])} {months[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{months[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def apply_catalogue(inferred: Metadata, row: CatalogueRow | None) -> Metadata:
    """Catalogue values override inferred ones field by field; gaps keep the inference."""
    if row is None:
        return inferred
    meta = Metadata(
        **{name: getattr(inferred, name) for name in (*FIELDS, *LINK_FIELDS)}, sources=dict(inferred.sources)
    )
    for name in LINK_FIELDS:
        value = quote(getattr(row, name).strip(), safe=_URL_SAFE)  # "Home care.pdf" -> "Home%20care.pdf"
        if value and web_address(value):
            setattr(meta, name, value)
            meta.sources[name] = "catalogue"
    for name in FIELDS:
        value = getattr(row, name)
        if name == "date" and value:
            value = normalise_date(value) or ""
        if value:
            setattr(meta, name, value)
            meta.sources[name] = "catalogue"
    if row.authority and not row.gss_code:
        found = load_authorities().lookup(row.authority, meta.year)
        if found:
            meta.gss_code = found.gss_code
            meta.sources["gss_code"] = "inferred:reference-list"
    return meta


_URL_SAFE = "%/:=&?~#+!$,;'@()*[]"
"""Characters an address keeps as they are when it is escaped (spaces and the like are not)."""


def web_address(value: str) -> bool:
    """Whether ``value`` is an absolute http(s) address usable as an IRI (no spaces or quotes)."""
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    plain = not re.search(r'[\s<>"{}|\\^`]', value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and plain
