"""The JSON API (search, papers, entities, timelines, overview) and its OpenAPI document.

Each view answers ``asdict`` of one record that :mod:`web.openapi` describes.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request

from councilkg.errors import CouncilKGError
from kg import browse
from web.api_models import (
    BlockSpan,
    EntityHit,
    EntityList,
    FacetCount,
    PaperDetail,
    PaperList,
    PaperSummary,
    SearchAnswer,
    SearchHit,
)
from web.openapi import openapi_document
from web.params import choice_param, text_param
from web.resources import derived, get_graph_store, get_search_index
from web.search_results import read_search_request, result_json, run_search
from web.security import limited
from web.views.entities import KINDS
from web.views.linked_data import iri_from_param, local_path
from web.views.papers import load_paper

bp = Blueprint("api", __name__)


def _iri_param() -> str:
    raw = request.args.get("iri") or ""
    if not raw.strip():
        raise CouncilKGError("parameter 'iri' is required")
    return iri_from_param(raw)


@bp.get("/api/search")
@limited("search")
def search() -> Any:
    """Ranked passages with paper, offsets and highlights."""
    req = read_search_request(request.args)
    if not req.query:
        raise CouncilKGError("parameter 'q' is required")
    page = run_search(get_search_index(), req)
    facets = {name: [FacetCount(v, n) for v, n in values] for name, values in page.facets.items()}
    return _answer(SearchAnswer(req.query, req.page, req.per_page, req.sort, page.total, page.total_capped,
                                page.good_match, page.suggestions, page.respelled, facets,
                                [SearchHit(**result_json(r)) for r in page.results]))


@bp.get("/api/overview")
def overview() -> Any:
    """The overview counts."""
    return _answer(derived("overview", browse.overview))


@bp.get("/api/papers")
def papers() -> Any:
    """Every paper's metadata."""
    return _answer(PaperList([PaperSummary(**p) for p in browse.papers(get_graph_store())]))


@bp.get("/api/papers/<doc_id>")
def paper(doc_id: str) -> Any:
    """One paper: metadata, text, blocks and tables with offsets."""
    doc = load_paper(doc_id)
    return _answer(PaperDetail(
        doc.doc_id, doc.file_name, doc.metadata, doc.text,
        [BlockSpan(b.kind, b.start, b.end, b.section, b.table_id) for b in doc.blocks],
        list(doc.tables),
    ))


@bp.get("/api/entities")
def entities() -> Any:
    """Entities whose name or alias contains ``q``, optionally of one kind."""
    kind = choice_param(request.args, "kind", KINDS)
    text = text_param(request.args, "q") or ""
    found = browse.find_entities(get_graph_store(), text, kind, limit=200)
    return _answer(EntityList([EntityHit(**e, url=local_path(e["iri"])) for e in found]))


@bp.get("/api/entity")
def entity() -> Any:
    """One entity's page data."""
    return _answer(browse.entity(get_graph_store(), _iri_param()))


@bp.get("/api/timeline")
def timeline() -> Any:
    """One service's timeline, as its page shows it."""
    from web.views.timeline import read_timeline

    return _answer(read_timeline(_iri_param()))


def _answer(record: Any) -> Any:
    """``record`` (one of the models :mod:`web.openapi` describes) as a JSON response."""
    return jsonify(asdict(record))


@bp.get("/openapi.json")
def openapi() -> Any:
    """The OpenAPI 3.1 description of the JSON API and the SPARQL endpoint."""
    response = jsonify(openapi_document(current_app.config["MAX_QUERY_CHARS"]))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/api")
def api_page() -> str:
    """The JSON API described for people (the same document as ``/openapi.json``)."""
    return render_template("api.html", doc=openapi_document(current_app.config["MAX_QUERY_CHARS"]))
