"""Money and period values: find them in text and normalise them.

Money becomes a GBP float (``value``; ``value_max`` for ranges) with its qualifier
("pa", "circa", "up to"…). Periods become ISO 8601 strings: a date (``2019-07-09``), a
month (``2019-04``), a year, or an interval ``start/end`` (financial year ``2019/20`` is
``2019-04/2020-03``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_SCALE = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "mn": 1e6, "bn": 1e9, "billion": 1e9,
}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNIT = r"(?:k|m|mn|bn|million|billion|thousand)\b"
_PRE_QUAL = (
    r"circa|c\.|approximately|approx\.?|around|about|up\s+to|over|more\s+than|in\s+excess\s+of|"
    r"at\s+least|under|less\s+than|almost|nearly|an?\s+estimated|estimated"
)
_POST_QUAL = r"pa\b|p\.a\.|per\s+annum|per\s+year|a\s+year|annually|per\s+week|per\s+hour|per\s+month"
MONEY_RE = re.compile(
    rf"(?:(?P<pre>{_PRE_QUAL})\s+|(?<![\w£])(?P<c>c)(?=£))?£\s?(?P<n1>{_NUM})\s?(?P<u1>{_UNIT})?"
    rf"(?:\s?(?:-|–|—|to)\s?£?\s?(?P<n2>{_NUM})\s?(?P<u2>{_UNIT})?)?"
    rf"(?:\s?(?P<post>{_POST_QUAL}))?",
    re.IGNORECASE,
)


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
    value = float(number.replace(",", ""))
    return round(value * _SCALE.get((unit or "").lower(), 1.0), 2)  # "£8.2 million" is 8200000.0, not …9.99


def find_money(text: str) -> Iterator[ValueMatch]:
    """Every GBP amount in ``text``: "£1.2m", "circa £150,000 pa", "£2m - £3m"."""
    for m in MONEY_RE.finditer(text):
        u1, u2 = m.group("u1"), m.group("u2")
        if m.group("n2") and not u1 and u2:
            u1 = u2  # "£2-3m": the unit of the upper bound applies to both
        value = _amount(m.group("n1"), u1)
        value_max = _amount(m.group("n2"), u2 or u1) if m.group("n2") else None
        if value_max is not None and value_max < value:
            value_max = None  # "£5 - 1" is not a range; keep the first figure
        quals = [q for q in (m.group("pre"), "circa" if m.group("c") else None, m.group("post")) if q]
        qualifier = "; ".join(re.sub(r"\s+", " ", q.lower()) for q in quals) or None
        if value_max is not None or m.group("post"):
            end = m.end()
        else:
            end = m.end("u1") if m.group("u1") else m.end("n1")
        yield ValueMatch("Money", m.start(), end, text[m.start():end], value, value_max, qualifier)


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
