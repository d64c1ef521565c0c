"""The service timeline for auditors: appearances by year and authority, changes, money, CSV."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, render_template, request

from councilkg.errors import CouncilKGError
from kg import browse
from web.charts import bar_chart
from web.resources import get_graph_store
from web.views.linked_data import iri_from_param

bp = Blueprint("timeline", __name__)

CSV_COLUMNS = ("date", "authority", "paper", "status", "sponsor", "funding_source", "money_gbp",
               "changes", "quote", "start", "end")


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
    for row in timeline.rows:
        first = row.quotes[0] if row.quotes else None
        writer.writerow([
            row.date, row.authority, row.file_name or row.doc_id, row.status, row.sponsor, row.funding_source,
            ";".join(f"{m:.0f}" for m in row.money), ";".join(row.changes),
            " | ".join(q.quote for q in row.quotes),
            first.start if first else "", first.end if first else "",
        ])
    return out.getvalue()


@bp.get("/timeline")
def timeline_page() -> str:
    """Pick a service, or show one service's timeline with its money chart."""
    iri = _service_iri()
    store = get_graph_store()
    if iri is None:
        return render_template("timeline_pick.html", services=browse.find_entities(store, "", "service", 500))
    timeline = browse.service_timeline(store, iri)
    chart = bar_chart(timeline.money_by_year, f"Money figures for {timeline.label} by year")
    return render_template("timeline.html", t=timeline, chart=chart, iri=iri)


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
