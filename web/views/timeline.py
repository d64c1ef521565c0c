"""The service timeline for auditors: one row per passage, years, like-with-like changes, CSV,
and a comparison of services or authorities side by side."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from councilkg.errors import CouncilKGError
from kg import browse
from kg.timeline import Timeline, TimelineRow, services_by_authority_year
from web.charts import timeline_chart
from web.exports import spreadsheet_cell
from web.params import ParameterError
from web.resources import get_corpus_store, get_graph_store
from web.timeline_view import Series, compare, widen_figure_rows, year_points
from web.views.linked_data import iri_from_param

bp = Blueprint("timeline", __name__)

CSV_COLUMNS = ("service", "year", "date", "authority", "paper", "title", "facts", "status", "sponsor",
               "funding_source", "dates", "figure", "money_gbp", "money_max_gbp", "qualifier", "basis",
               "changes", "what_changed", "quote", "start", "end", "link", "figure_link")
MAX_SERIES = 6
"""Columns a comparison shows at most (services times authorities)."""


def _service_iri() -> str | None:
    raw = (request.args.get("iri") or request.args.get("service") or "").strip()
    if not raw:
        return None
    return iri_from_param(raw)


def read_timeline(iri: str, authority: str | None = None) -> Timeline:
    """The service's timeline with figure-only rows quoting their sentence or table row."""
    timeline = browse.service_timeline(get_graph_store(), iri, authority)
    corpus = get_corpus_store()
    widen_figure_rows(timeline, corpus.get)
    return timeline


def row_changes(timeline: Timeline) -> list[list[str]]:
    """For each row, what changed in words: "status: Review (2017) → Implementation"."""
    tracks = {t.field: t for t in timeline.tracks}
    out = []
    for row in timeline.rows:
        said = []
        for name in row.changes:
            names = [n for n in tracks if n.startswith("money")] if name == "amount" else [name]
            for field in names:
                track = tracks[field]
                earlier = [y for y in track.by_year if row.year is not None and y < row.year]
                if not earlier:
                    continue
                now = _row_values(row, field)
                if not now or all(v in track.by_year[earlier[-1]] for v in now):
                    continue
                before = ", ".join(_shown(field, v) for v in track.by_year[earlier[-1]])
                said.append(f"{field}: {before} ({earlier[-1]}) → {', '.join(_shown(field, v) for v in now)}")
        out.append(said)
    return out


def _row_values(row: TimelineRow, field: str) -> list[str]:
    if field == "status":
        return [v for v in row.status.split("; ") if v]
    if field == "sponsor":
        return [v for v in row.sponsor.split("; ") if v]
    if field == "funding":
        return [v for v in row.funding_source.split("; ") if v]
    basis = field[len("money ("):-1]
    return [f"{f.value:.0f}" + (f"-{f.value_max:.0f}" if f.value_max else "") for f in row.figures
            if f.basis == basis]


def _shown(field: str, value: str) -> str:
    if not field.startswith("money"):
        return value
    from web.charts import money_label

    return "–".join(money_label(float(v)) for v in value.split("-"))


def _paper_link(doc_id: str, start: int | None, end: int | None) -> str:
    if start is None:
        return url_for("papers.paper_page", doc_id=doc_id, _external=True)
    return url_for("papers.paper_page", doc_id=doc_id, at=f"{start}-{end}", _external=True) + f"#o-{start}"


def timeline_csv(timeline: Timeline) -> str:
    """The timeline as CSV: one line per money figure (a passage without one: one line), each with
    its passage's quote, offsets and an absolute link to the words in the paper."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row, said in zip(timeline.rows, row_changes(timeline), strict=True):
        ev = row.quotes[0] if row.quotes else None
        base = [timeline.label, row.year or "", row.date, row.authority, row.file_name or row.doc_id,
                row.paper_title, "; ".join(row.kinds), row.status, row.sponsor, row.funding_source,
                "; ".join(row.dates)]
        tail = [";".join(row.changes), "; ".join(said), " ".join((ev.quote if ev else "").split()),
                row.start if row.start is not None else "", row.end if row.end is not None else "",
                _paper_link(row.doc_id, row.start, row.end)]
        for figure in row.figures or [None]:
            if figure is None:
                money = ["", "", "", "", ""]
                figure_link = ""
            else:
                money = [figure.label, f"{figure.value:.0f}",
                         f"{figure.value_max:.0f}" if figure.value_max is not None else "", figure.qualifier,
                         figure.basis]
                figure_link = ("" if figure.start is None
                               else _paper_link(row.doc_id, figure.start, figure.end))
            writer.writerow([_cell(v) for v in (*base, *money, *tail, figure_link)])
    return out.getvalue()


def _cell(value: object) -> object:
    """A CSV cell that a spreadsheet will not run as a formula (see :mod:`web.exports`)."""
    return spreadsheet_cell(value)


@bp.get("/timeline")
def timeline_page() -> str:
    """Pick a service, or show one service's timeline: its chart, changes and passages."""
    iri = _service_iri()
    store = get_graph_store()
    if iri is None:
        text = (request.args.get("q") or "").strip()[:200]
        services = browse.find_entities(store, text, "service", 1000)
        return render_template("timeline_pick.html", services=services, q=text,
                               authorities=browse.authorities(store))
    timeline = read_timeline(iri)
    points = year_points(timeline)
    chart = timeline_chart(points, f"{timeline.label}: the years it appears, its status and money figures")
    groups = _by_year_and_paper(timeline.rows, row_changes(timeline))
    return render_template("timeline.html", t=timeline, chart=chart, iri=iri, points=points, groups=groups)


def _by_year_and_paper(rows: list[TimelineRow], said: list[list[str]]) -> list[dict[str, Any]]:
    """``[{year, papers: [{row0, rows: [(row, changes)…]}…]}…]`` in the rows' order."""
    years: list[dict[str, Any]] = []
    for row, changes in zip(rows, said, strict=True):
        year = row.year or "undated"
        if not years or years[-1]["year"] != year:
            years.append({"year": year, "papers": []})
        papers = years[-1]["papers"]
        if not papers or papers[-1]["row0"].doc_id != row.doc_id:
            papers.append({"row0": row, "rows": []})
        papers[-1]["rows"].append((row, changes))
    return years


@bp.get("/timeline.csv")
def timeline_download() -> Response:
    """The timeline as a CSV download."""
    iri = _service_iri()
    if iri is None:
        raise CouncilKGError("parameter 'iri' (a service) is required")
    timeline = read_timeline(iri)
    name = browse.doc_id_of(iri) or "service"
    return Response(
        timeline_csv(timeline), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="timeline-{name}.csv"'},
    )


@bp.get("/timeline/compare")
def compare_page() -> str:
    """Two or more services, or one service in two or more authorities' papers, side by side by
    year; authorities alone: the services each one's papers speak of, year by year."""
    store = get_graph_store()
    iris = list(dict.fromkeys(iri_from_param(v) for v in request.args.getlist("iri") if v.strip()))
    known = {a["label"] for a in browse.authorities(store)}
    wanted = list(dict.fromkeys(a.strip()[:200] for a in request.args.getlist("authority") if a.strip()))
    unknown = [a for a in wanted if a not in known]
    if unknown:
        raise ParameterError(f"parameter 'authority': no papers published by {unknown[0]!r}")
    pairs = [(iri, a) for iri in iris for a in (wanted or [""])]
    if max(len(pairs), len(wanted)) > MAX_SERIES:
        raise ParameterError(f"a comparison shows at most {MAX_SERIES} columns (services × authorities)")
    series = []
    for iri, authority in pairs:
        timeline = read_timeline(iri, authority or None)
        title = timeline.label + (f" in {authority}'s papers" if authority else "")
        series.append(Series(title, iri, authority, timeline))
    years, cells = compare(series)
    by_authority = [] if iris else services_by_authority_year(store, wanted)
    authority_years = sorted({c.year for c in by_authority})
    services = browse.find_entities(store, "", "service", 1000)
    return render_template(
        "timeline_compare.html", series=series, years=years, cells=cells, services=services,
        by_authority={(c.authority, c.year): c for c in by_authority}, authority_years=authority_years,
        authorities=sorted(known), chosen=iris, chosen_authorities=wanted,
        max_series=MAX_SERIES,
    )
