"""The relationship browser: an entity's neighbourhood as an interactive graph."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from kg import browse
from web.graph_view import graph_data, neighbour_rows
from web.params import year_param
from web.resources import derived, get_graph_store
from web.security import CSP, limited
from web.view_cache import cached_view
from web.views.linked_data import iri_from_param, local_path

bp = Blueprint("graph", __name__)


def read_graph_args() -> tuple[str, int | None, str | None]:
    """The entity (an ``/id/`` path or full IRI), year and authority of a graph request."""
    iri = iri_from_param(request.args.get("iri") or request.args.get("entity") or "")
    year = year_param(request.args, "year")
    authority = (request.args.get("authority") or "").strip()[:200] or None
    return iri, year, authority


def neighbourhood(store: object, iri: str, year: int | None, authority: str | None) -> browse.GraphView:
    """The neighbourhood of ``iri``; a 404 when the graph knows no such entity.

    Only a view with no relationships needs the (heavier) existence check: an entity with
    neighbours exists."""
    view = cached_view(("neighbourhood", iri, year, authority),
                       lambda graph: browse.neighbourhood(graph, iri, year, authority))
    if not view.edges:
        browse.entity(store, iri)  # raises NotFound for an unknown IRI
    return view


@bp.get("/graph")
@limited("graph")
def graph_page() -> Response:
    """The graph page (the drawing needs JavaScript; a list of neighbours is shown without it)."""
    iri, year, authority = read_graph_args()
    store = get_graph_store()
    view = neighbourhood(store, iri, year, authority)
    data = graph_data(view, local_path)
    response = Response(render_template(
        "graph.html", data=data, neighbours=neighbour_rows(data), iri=iri, year=year, authority=authority,
        authorities=derived("authorities", browse.authorities), center_label=view.nodes[0]["label"],
    ), mimetype="text/html")
    # The graph's data travels as inert JSON, so scripts stay 'self' only; the graph library
    # sets style attributes on its canvas when it is clicked, so styles may be inline here.
    response.headers["Content-Security-Policy"] = CSP.replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'"
    )
    return response


@bp.get("/api/graph")
@limited("graph")
def graph_json() -> object:
    """Nodes and edges of a neighbourhood, with each node's local page URL."""
    iri, year, authority = read_graph_args()
    view = neighbourhood(get_graph_store(), iri, year, authority)
    return jsonify(graph_data(view, local_path))
