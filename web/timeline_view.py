"""Shaping a service's timeline for the page, the chart, the CSV and the comparison view.

The kg layer gives one row per passage. A money figure the graph links to the service without a
fact (``ck:amountFor``) has only its own words as evidence ("£353k pa"); here its row quotes the
table row or sentence that holds it (the scope ``nlp.amounts`` gave it), read from the stored
paper, so that an auditor sees what the figure was said about. Two such figures of one sentence
share one row. No query runs here except reading those papers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from kg.timeline import Figure, Timeline, TimelineRow, year_summaries
from nlp.amounts import money_scope


def widen_figure_rows(timeline: Timeline, document: Callable[[str], Any]) -> None:
    """Give each figure-only row the quote of its table row or sentence (``document(doc_id)``
    returns the stored paper, or raises when it is gone: the row then keeps the figure's words)."""
    docs: dict[str, Any] = {}
    kept: list[TimelineRow] = []
    by_scope: dict[tuple[str, int, int], TimelineRow] = {}
    for row in timeline.rows:
        if row.kinds != ["money figure"] or row.start is None or row.end is None:
            kept.append(row)
            continue
        if row.doc_id not in docs:
            try:
                docs[row.doc_id] = document(row.doc_id)
            except Exception:  # a paper removed since the graph was read: keep the figure's words
                docs[row.doc_id] = None
        doc = docs[row.doc_id]
        if doc is None:
            kept.append(row)
            continue
        blocks = sorted(doc.blocks, key=lambda b: (b.start, -b.end))
        start, end = money_scope(blocks, [b.start for b in blocks], row.start, row.end)
        key = (row.doc_id, start, end)
        if key in by_scope:
            by_scope[key].figures.extend(row.figures)
            by_scope[key].money.extend(row.money)
            continue
        ev = row.quotes[0]
        row.quotes = [replace(ev, start=start, end=end, quote=doc.text[start:end])]
        row.start, row.end = start, end
        by_scope[key] = row
        kept.append(row)
    timeline.rows = kept
    timeline.years = year_summaries(kept)


@dataclass
class YearPoint:
    """One year of the chart: whether the service appears, its statuses, its money by basis."""

    year: int
    appears: bool
    papers: int = 0
    rows: int = 0
    statuses: list[str] = field(default_factory=list)
    money: dict[str, float] = field(default_factory=dict)
    """The largest figure of each basis stated that year."""
    money_text: dict[str, str] = field(default_factory=dict)


def year_points(timeline: Timeline) -> list[YearPoint]:
    """Every year from the first appearance to the last (years without one marked absent)."""
    if not timeline.years:
        return []
    by_year = {y.year: y for y in timeline.years}
    out = []
    for year in range(min(by_year), max(by_year) + 1):
        y = by_year.get(year)
        if y is None:
            out.append(YearPoint(year, False))
            continue
        point = YearPoint(year, True, y.papers, y.rows, list(y.statuses))
        for basis, figures in y.figures.items():
            point.money[basis] = figures[0].value
            point.money_text[basis] = figures[0].label
        out.append(point)
    return out


def figure_cell(figures: Iterable[Figure]) -> str:
    """Figures as a cell: their words as written ("circa £14m; £2.5m")."""
    return "; ".join(f.label for f in figures)


@dataclass
class Series:
    """One column of the comparison: a service, optionally only in one authority's papers."""

    title: str
    iri: str
    authority: str
    timeline: Timeline


@dataclass
class ComparisonCell:
    """What one series' papers of one year say."""

    appears: bool
    rows: int = 0
    statuses: list[str] = field(default_factory=list)
    figures: dict[str, list[str]] = field(default_factory=dict)
    funding: list[str] = field(default_factory=list)


def compare(series: list[Series]) -> tuple[list[int], list[list[ComparisonCell]]]:
    """``(years, cells)``: every year any series appears in, and for each year one cell per series."""
    years = sorted({y.year for s in series for y in s.timeline.years})
    table = []
    for year in years:
        line = []
        for s in series:
            summary = next((y for y in s.timeline.years if y.year == year), None)
            if summary is None:
                line.append(ComparisonCell(False))
                continue
            funding: list[str] = []
            for row in s.timeline.rows:
                if row.year == year and row.funding_source:
                    funding += [f for f in row.funding_source.split("; ") if f not in funding]
            line.append(ComparisonCell(
                True, summary.rows, list(summary.statuses),
                {b: [f.label for f in figures] for b, figures in summary.figures.items()},
                funding,
            ))
        table.append(line)
    return years, table
