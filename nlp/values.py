"""Money and period values: find them in text and normalise them.

Money becomes a GBP float (``value``; ``value_max`` for ranges) with its qualifier
("pa", "circa", "up to", "over the five-year term"…), its quote exactly as written ("£2,321m" is
read as written, 2,321 million: no rule can tell a slip for £2.321m). A bare number in a table
cell is money when its column header names the unit ("£000", "£k", "£m", "£").

Periods become ISO 8601 strings: a date (``2019-07-09``), a month (``2019-04``), a year, or an
interval ``start/end`` (financial year ``2019/20`` is ``2019-04/2020-03``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_SCALE = {
    "k": 1e3, "thousand": 1e3, "thousands": 1e3, "000": 1e3, "000s": 1e3,
    "m": 1e6, "mn": 1e6, "mill": 1e6, "million": 1e6, "millions": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9, "billions": 1e9,
}
# 1,234,567.89 | 10 000 with a no-break or thin space | 1,2 (a decimal comma, only before a unit) | 1234.5
_NUM = (
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:[\u00a0\u202f\u2009]\d{3})+(?:\.\d+)?"
    r"|\d{1,3},\d{1,2}(?=\s?(?:k|m|mn|bn|million|billion)\b)|\d+(?:\.\d+)?"
)
_UNIT = r"(?:millions?|billions?|thousand|mill|mn|bn|k|m|b)\b"
_CURRENCY = r"(?:£|\bGBP\s?)"
_PRE_QUAL = (
    r"circa|approximately|approx\.?|around|about|roughly|up\s+to|over|more\s+than|in\s+excess\s+of|"
    r"at\s+least|under|less\s+than|almost|nearly|an?\s+estimated|estimated|not\s+exceeding|"
    r"not\s+to\s+exceed|no\s+more\s+than|(?:a\s+)?maximum\s+of|(?:a\s+)?minimum\s+of|"
    r"in\s+the\s+region\s+of|between"
)
_RATE = (
    r"p\.a\.?(?!\w)|pa\b|p/a\b|per\s+(?:annum|year|calendar\s+month|month|week|day|night|hour|quarter|head|"
    r"person|client|bed|place|unit|household|property|visit|session)\b|"
    r"(?:a|each|every)\s+year(?!\s+(?:ago|earlier|later|on)\b)|a\s+(?:month|week|day)\b|annually\b|"
    r"yearly\b|p\.?c\.?m\.?(?!\w)|p\.w\.|pw\b|/\s?(?:year|yr|annum|month|week|day|hour)\b"
)
_COUNT = r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|twenty-five"
_TERM = (
    rf"(?:over|across)\s+(?:a\s+|the\s+)?(?:{_COUNT})[\s-]+(?:years?|months?|weeks?)"
    r"(?:\s+(?:term|period|contract|programme))?\b"
)
_RANGE = (
    rf"(?:\s?(?P<sep>-|–|—|to|and)\s?(?P<c2>{_CURRENCY})?\s?(?P<n2>{_NUM})(?![\d/])\s?(?P<u2>{_UNIT})?)"
)
_HEAD = (
    rf"(?:\b(?P<pre>{_PRE_QUAL})\s+|(?<![\w£.])(?P<c>c\.?|ca\.)\s*(?=£))?(?P<cur>{_CURRENCY})\s?(?P<n1>{_NUM})(?![\d])"
    rf"\s?(?P<u1>{_UNIT})?"
)
_TAIL = rf"(?:\s?(?P<post>{_RATE}))?(?:\s+(?P<term>{_TERM}))?"
MONEY_RE = re.compile(_HEAD + _RANGE + "?" + _TAIL, re.IGNORECASE)
SINGLE_MONEY_RE = re.compile(_HEAD + _TAIL, re.IGNORECASE)
# "2.5 million pounds", "£" written out
WORDS_MONEY_RE = re.compile(
    rf"(?:\b(?P<pre>{_PRE_QUAL})\s+)?(?<![\w.,£])(?!(?:19|20)\d\d\s+pounds)(?P<n1>{_NUM})\s?(?P<u1>{_UNIT})?\s+"
    rf"(?P<word>pounds(?:\s+sterling)?|sterling)\b{_TAIL}",
    re.IGNORECASE,
)
_CURRENCY_RE = re.compile(_CURRENCY, re.IGNORECASE)
_LONGEST_PRE = 40  # characters: the longest qualifier before the currency, with its spaces
_QUALIFIER_WORDS = {"c": "circa", "c.": "circa", "ca.": "circa", "approx": "approximately",
                    "approx.": "approximately", "p/a": "pa", "p.a": "p.a."}


@dataclass(frozen=True)
class ValueMatch:
    """A money or period value found in a text, with offsets relative to that text."""

    type: str
    start: int
    end: int
    text: str
    value: object
    value_max: float | None = None
    qualifier: str | None = None


def _amount(number: str, unit: str | None) -> float:
    digits = re.sub(r"[,\u00a0\u202f\u2009]", "", number) if re.search(r",\d{3}|\s", number) else number
    value = float(digits.replace(",", "."))  # a comma left is a decimal comma ("£1,2m")
    return round(value * _SCALE.get((unit or "").lower(), 1.0), 2)  # "£8.2 million" is 8200000.0, not …9.99


def _qualifier(*words: str | None) -> str | None:
    out = []
    for word in words:
        if word:
            word = re.sub(r"\s+", " ", word.lower())
            word = re.sub(r"^/\s?", "per ", word)  # "/year" is "per year"
            out.append(_QUALIFIER_WORDS.get(word, word))
    return "; ".join(out) or None


def _single(m: re.Match[str], text: str) -> ValueMatch | None:
    """A match of one figure (no range) as a ValueMatch; None for a unit written alone ("£000")."""
    n1, u1 = m.group("n1"), m.group("u1")
    if re.fullmatch(r"0{2,}", n1) and not u1:
        return None  # "£000" and "£'000" are column units, not amounts
    groups = m.groupdict()
    pre = groups.get("pre")
    start = m.start()
    if (pre or "").lower() == "between":  # "between" says a range; alone it is not part of the figure
        pre, start = None, m.start("cur") if groups.get("cur") else m.start("n1")
    end = max(m.end(g) for g in ("n1", "u1", "word", "post", "term") if groups.get(g))
    value = _amount(n1, u1)
    return ValueMatch("Money", start, end, text[start:end], value, None,
                      _qualifier(pre, groups.get("c") and "circa", groups.get("post"), groups.get("term")))


def _range_ok(m: re.Match[str]) -> bool:
    """Whether the second figure of a match is the top of a range and not a separate number.

    "£2m-£3m", "£2-3m", "£1.3m to 1.5m", "between £2m and £3m" are ranges; "£5m to 6 partners",
    "£5m and 2 posts" and a top below the bottom ("£5m - £2m") are not.
    """
    sep = m.group("sep").lower()
    if sep == "and" and (m.group("pre") or "").lower() != "between":
        return False
    u1, u2 = m.group("u1"), m.group("u2")
    if not (m.group("c2") or u2 or not u1):
        return False
    low = _amount(m.group("n1"), u1 or u2)
    high = _amount(m.group("n2"), u2 or u1)
    return high > low


def find_money(text: str, header: str = "") -> Iterator[ValueMatch]:
    """Every GBP amount in ``text``: "£1.2m", "circa £150,000 pa", "£2m - £3m", "2.5 million pounds".

    ``header`` is the column header when ``text`` is a table cell: a bare number in a column headed
    "£", "£000", "£k" or "£m" is an amount in that unit (:func:`find_column_money`).
    """
    found: list[ValueMatch] = []
    pos = 0
    for cur in _CURRENCY_RE.finditer(text):
        if cur.start() < pos:
            continue  # inside the figure just read ("£2m-£3m")
        # A figure starts at its currency or at most a qualifier before it ("in the region of £…"):
        # searching from there, not from every character, keeps long texts cheap.
        m = MONEY_RE.search(text, max(pos, cur.start() - _LONGEST_PRE), cur.end() + 200)
        if m is None or m.start() > cur.start():
            continue
        if m.group("n2") and _range_ok(m):
            u1, u2 = m.group("u1"), m.group("u2")
            value, high = _amount(m.group("n1"), u1 or u2), _amount(m.group("n2"), u2 or u1)
            pre = m.group("pre") if (m.group("pre") or "").lower() != "between" else None
            qualifier = _qualifier(pre, m.group("c") and "circa", m.group("post"), m.group("term"))
            found.append(ValueMatch("Money", m.start(), m.end(), m.group(0), value, high, qualifier))
            pos = m.end()
            continue
        single = SINGLE_MONEY_RE.match(text, m.start())
        assert single is not None  # the head of MONEY_RE matched here
        v = _single(single, text)
        if v is not None:
            found.append(v)
        pos = max(single.end(), m.start() + 1)
    lowered = text.lower()
    if "pound" in lowered or "sterling" in lowered:  # "2.5 million pounds"
        taken = [(v.start, v.end) for v in found]
        for m in WORDS_MONEY_RE.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e in taken):
                v = _single(m, text)
                if v is not None:
                    found.append(v)
    if header and not found:
        found.extend(find_column_money(text, header))
    yield from sorted(found, key=lambda v: v.start)


_HEADER_UNIT_RE = re.compile(
    r"(?:£|\bGBP)\s?['’]?\s?(?P<unit>000s?|k|m|mn|bn|millions?|thousands?)?(?![a-z0-9])", re.IGNORECASE
)
_CELL_NUMBER_RE = re.compile(
    rf"\s*(?P<neg>\(|-(?=\s?\d)|–(?=\s?\d))?\s?(?P<n1>{_NUM})\s?(?P<u1>{_UNIT})?\s?\)?\s*", re.IGNORECASE
)


def column_unit(header: str) -> float | None:
    """The money unit a column header states ("£" 1, "£000" or "£k" 1,000, "£m" 1,000,000), or None."""
    m = _HEADER_UNIT_RE.search(header or "")
    if m is None:
        return None
    return _SCALE.get((m.group("unit") or "").lower(), 1.0)


def find_column_money(text: str, header: str) -> Iterator[ValueMatch]:
    """A bare number filling a table cell whose column header states a money unit.

    "1,234" under "£000" is £1,234,000; "(120)" (accounts' brackets) or "-120" is negative; "0",
    "-" and numbers with other signs ("12%", "2019/20") are no amount. The qualifier names the
    column's unit ("£000 column"), since the quote alone does not say it is money.
    """
    scale = column_unit(header)
    if scale is None:
        return
    m = _CELL_NUMBER_RE.fullmatch(text)
    if m is None or (m.group("neg") == "(") != text.rstrip().endswith(")"):
        return
    value = _amount(m.group("n1"), m.group("u1"))
    if not m.group("u1"):
        value = round(value * scale, 2)
    if value == 0:
        return
    if m.group("neg"):
        value = -value
    unit = _HEADER_UNIT_RE.search(header)
    assert unit is not None
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    yield ValueMatch("Money", start, end, text[start:end], value, None, f"{unit.group(0).strip()} column")


_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d|'?\d\d"
_FY = r"(?:19|20)\d\d\s?/\s?\d{2}(?!\d)(?:\s?/\s?\d{2}(?!\d))?|(?:19|20)\d\d-\d{2}(?!\d)"
_POINT = (
    rf"(?P<{{p}}day>{_DAY}\s+)?(?P<{{p}}mon>{_MONTH})(?:\s+(?P<{{p}}year>{_YEAR}))?(?![\w])"
)
_ATOM = rf"(?:{_POINT}|(?P<{{p}}fy>{_FY})|(?P<{{p}}yr>(?:19|20)\d\d)(?![\d/]))"
_ATOM_A = _ATOM.replace("{p}", "a")
_ATOM_B = _ATOM.replace("{p}", "b")
PERIOD_RE = re.compile(
    rf"(?<![\w£/.,]){_ATOM_A}(?:\s?(?:-|–|—|to|until)\s?{_ATOM_B})?",
    re.IGNORECASE,
)
NUMERIC_DATE_RE = re.compile(r"(?<![\w/])([0-3]?\d)/([01]?\d)/(\d{2}|\d{4})(?![\w/])")


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    raw = raw.lstrip("'")
    y = int(raw)
    return y + 2000 if y < 100 else y


def _fy_interval(raw: str) -> str:
    first = int(raw[:4])
    parts = re.split(r"\s?[/-]\s?", raw)
    last = int(parts[-1])
    end_year = (first // 100) * 100 + last
    if end_year < first:
        end_year += 100
    return f"{first}-04/{end_year}-03"


def _atom_value(m: re.Match[str], p: str) -> tuple[str | None, str | None]:
    """(start ISO, end ISO) of one side of a period match."""
    if m.group(p + "fy"):
        lo, hi = _fy_interval(m.group(p + "fy")).split("/")
        return lo, hi
    if m.group(p + "yr"):
        y = m.group(p + "yr")
        return y, y
    mon = m.group(p + "mon")
    if not mon:
        return None, None
    month = _MONTHS[mon.rstrip(".").lower()[:4] if mon.lower().startswith("sept") else mon.lower()[:3]]
    year = _year(m.group(p + "year"))
    if year is None:
        return f"--{month:02d}", f"--{month:02d}"
    day = m.group(p + "day")
    if day:
        d = int(re.sub(r"\D", "", day))
        if 1 <= d <= 31:
            iso = f"{year}-{month:02d}-{d:02d}"
            return iso, iso
    iso = f"{year}-{month:02d}"
    return iso, iso


# "Q3 2019/20": a quarter of a financial year (Q1 is April to June).
QUARTER_RE = re.compile(r"(?<![\w/])Q(?P<q>[1-4])\s?(?P<fy>(?:19|20)\d\d\s?/\s?\d{2})(?!\d)")


def _quarter(q: int, fy: str) -> str:
    first = int(fy[:4])
    start_month = 4 + 3 * (q - 1)
    year = first + (start_month - 1) // 12
    start_month = (start_month - 1) % 12 + 1
    return f"{year}-{start_month:02d}/{year}-{start_month + 2:02d}"


def find_periods(text: str) -> Iterator[ValueMatch]:
    """Dates, months, years, financial years, their quarters and spans between two of them."""
    quarters = list(QUARTER_RE.finditer(text))
    for m in quarters:
        yield ValueMatch("Period", m.start(), m.end(), m.group(0), _quarter(int(m.group("q")), m.group("fy")))
    inside_quarter = {m.start("fy") for m in quarters}
    for m in PERIOD_RE.finditer(text):
        if m.start() in inside_quarter:
            continue
        a_lo, a_hi = _atom_value(m, "a")
        if a_lo is None:
            continue
        raw = m.group(0)
        bare_month = m.group("amon") and not (m.group("ayear") or m.group("aday") or m.group("bmon"))
        if bare_month and not m.group("byr") and not m.group("bfy"):
            continue  # a bare month name ("May", "March") is too ambiguous alone
        b_lo, b_hi = _atom_value(m, "b")
        if b_lo is not None:
            if a_lo.startswith("--") and b_lo[:4].isdigit():
                a_lo = b_lo[:4] + a_lo[1:]  # "April - June 2019": the year of the end applies
            value = f"{a_lo}/{b_hi}"
        else:
            if a_lo.startswith("--"):
                continue
            value = a_lo if a_lo == a_hi else f"{a_lo}/{a_hi}"
        yield ValueMatch("Period", m.start(), m.start() + len(raw), raw, value)
    for m in NUMERIC_DATE_RE.finditer(text):
        day, month, year = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        if 1 <= day <= 31 and 1 <= month <= 12 and year:
            yield ValueMatch("Period", m.start(), m.end(), m.group(0), f"{year}-{month:02d}-{day:02d}")
