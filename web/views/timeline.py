"""The service timeline for auditors: appearances by year and authority, changes, money, CSV."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, render_template, request

from councilkg.errors import CouncilKGError
from kg import browse
from web.charts import bar_chart
from web.entity_view import timeline_changes, unique_evidence
from web.resources import get_graph_store
from web.views.linked_data import iri_from_param

bp = Blueprint("timeline", __name__)

CSV_COLUMNS = ("date", "authority", "paper", "title", "status", "sponsor", "funding_source", "money_gbp",
               "changes", "what_changed", "quote", "start", "end", "link")


def _service_iri() -> str | None:
    raw = (request.args.get("iri") or request.args.get("service") or "").strip()
    if not raw:
        return None
    return iri_from_param(raw)


def timeline_csv(timeline: browse.Timeline) -> str:
    """The timeline as CSV: one line per appearance, the quotes joined."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row, said in zip(timeline.rows, timeline_changes(timeline.rows), strict=True):
        quotes = unique_evidence(row.quotes)
        first = quotes[0] if quotes else None
        link = f"/papers/{row.doc_id}"
        if first is not None and first.start is not None:
            link += f"?at={first.start}-{first.end}"
        writer.writerow([_cell(v) for v in (
            row.date, row.authority, row.file_name or row.doc_id, row.paper_title, row.status, row.sponsor,
            row.funding_source, ";".join(f"{m:.0f}" for m in row.money), ";".join(row.changes),
            "; ".join(said),
            " | ".join(" ".join(q.quote.split()) for q in quotes),
            first.start if first else "", first.end if first else "", link,
        )])
    return out.getvalue()


def _cell(value: object) -> object:
    """A CSV cell that a spreadsheet will not run as a formula (papers' words are untrusted)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@bp.get("/timeline")
def timeline_page() -> str:
    """Pick a service, or show one service's timeline with its money chart."""
    iri = _service_iri()
    store = get_graph_store()
    if iri is None:
        text = (request.args.get("q") or "").strip()[:200]
        services = browse.find_entities(store, text, "service", 1000)
        return render_template("timeline_pick.html", services=services, q=text)
    timeline = browse.service_timeline(store, iri)
    chart = bar_chart(timeline.money_by_year, f"Money figures for {timeline.label} by year")
    return render_template(
        "timeline.html", t=timeline, chart=chart, iri=iri, changes=timeline_changes(timeline.rows),
        evidence=[unique_evidence(row.quotes) for row in timeline.rows],
    )


@bp.get("/timeline.csv")
def timeline_download() -> Response:
    """The timeline as a CSV download."""
    iri = _service_iri()
    if iri is None:
        raise CouncilKGError("parameter 'iri' (a service) is required")
    timeline = browse.service_timeline(get_graph_store(), iri)
    name = browse.doc_id_of(iri) or "service"
    return Response(
        timeline_csv(timeline), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="timeline-{name}.csv"'},
    )
