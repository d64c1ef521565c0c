"""The JSON API (search, papers, entities, timelines, overview) and its OpenAPI document."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, jsonify, render_template, request

from councilkg import __version__
from councilkg.errors import CouncilKGError
from kg import browse
from web.params import choice_param
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
    results = run_search(get_search_index(), req)
    return jsonify({
        "query": req.query, "page": req.page, "per_page": req.per_page,
        "results": [result_json(r) for r in results],
    })


@bp.get("/api/overview")
def overview() -> Any:
    """The overview counts."""
    return jsonify(asdict(derived("overview", browse.overview)))


@bp.get("/api/papers")
def papers() -> Any:
    """Every paper's metadata."""
    return jsonify({"papers": browse.papers(get_graph_store())})


@bp.get("/api/papers/<doc_id>")
def paper(doc_id: str) -> Any:
    """One paper: metadata, text, blocks and tables with offsets."""
    doc = load_paper(doc_id)
    return jsonify({
        "doc_id": doc.doc_id, "file_name": doc.file_name, "metadata": asdict(doc.metadata),
        "text": doc.text,
        "blocks": [
            {"kind": b.kind, "start": b.start, "end": b.end, "section": b.section, "table_id": b.table_id}
            for b in doc.blocks
        ],
        "tables": [asdict(t) for t in doc.tables],
    })


@bp.get("/api/entities")
def entities() -> Any:
    """Entities whose name or alias contains ``q``, optionally of one kind."""
    kind = choice_param(request.args, "kind", KINDS)
    text = (request.args.get("q") or "")[:200]
    found = browse.find_entities(get_graph_store(), text, kind, limit=200)
    for e in found:
        e["url"] = local_path(e["iri"])
    return jsonify({"entities": found})


@bp.get("/api/entity")
def entity() -> Any:
    """One entity's page data."""
    return jsonify(asdict(browse.entity(get_graph_store(), _iri_param())))


@bp.get("/api/timeline")
def timeline() -> Any:
    """One service's timeline."""
    data = asdict(browse.service_timeline(get_graph_store(), _iri_param()))
    data["money_by_year"] = {str(k): v for k, v in data["money_by_year"].items()}
    return jsonify(data)


@bp.get("/openapi.json")
def openapi() -> Any:
    """The OpenAPI 3.0 description of the JSON API."""
    response = jsonify(openapi_document())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/api")
def api_page() -> str:
    """The JSON API described for people (the same document as ``/openapi.json``)."""
    return render_template("api.html", doc=openapi_document())


def _param(name: str, description: str, schema: dict[str, Any], required: bool = False,
           where: str = "query") -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema}


def _op(summary: str, params: list[dict[str, Any]], found: str, not_found: bool = True) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": found, "content": {"application/json": {"schema": {"type": "object"}}}},
        "400": {"$ref": "#/components/responses/Error"},
        "429": {"$ref": "#/components/responses/Error"},
    }
    if not_found:
        responses["404"] = {"$ref": "#/components/responses/Error"}
    return {"get": {"summary": summary, "parameters": params, "responses": responses}}


def openapi_document() -> dict[str, Any]:
    """The API description (kept beside the views it describes)."""
    text = {"type": "string", "maxLength": 200}
    year = {"type": "integer", "minimum": 1900, "maximum": 2100}
    iri = _param("iri", "Entity IRI (https://w3id.org/councilkg/id/…) or its /id/ path", {"type": "string"},
                 required=True)
    return {
        "openapi": "3.0.3",
        "info": {"title": "councilkg API", "version": __version__,
                 "description": "Search, papers, entities and service timelines from UK council papers."},
        "paths": {
            "/api/search": _op("Semantic search over passages", [
                _param("q", "What to look for, in your own words", {"type": "string", "minLength": 1,
                                                                     "maxLength": 500}, required=True),
                _param("authority", "Authority name (substring)", text),
                _param("from_year", "Earliest year", year), _param("to_year", "Latest year", year),
                _param("committee", "Committee (substring)", text), _param("type", "Document type", text),
                _param("entity", "Only passages mentioning this entity", text),
                _param("page", "Result page", {"type": "integer", "minimum": 1, "maximum": 50}),
                _param("per_page", "Results per page", {"type": "integer", "minimum": 1, "maximum": 50}),
            ], "Ranked passages", not_found=False),
            "/api/overview": _op("Overview counts", [], "Counts", not_found=False),
            "/api/papers": _op("All papers", [], "Papers", not_found=False),
            "/api/papers/{doc_id}": _op("One paper with its text, blocks and tables", [
                _param("doc_id", "Paper id", {"type": "string"}, required=True, where="path"),
            ], "The paper"),
            "/api/entities": _op("Find entities by name", [
                _param("q", "Part of a name or alias", text),
                _param("kind", "Entity kind", {"type": "string", "enum": list(KINDS)}),
            ], "Matching entities", not_found=False),
            "/api/entity": _op("One entity", [iri], "The entity"),
            "/api/timeline": _op("A service's timeline", [iri], "The timeline"),
            "/api/graph": _op("An entity's neighbourhood", [
                iri, _param("year", "Only relations from papers of this year", year),
                _param("authority", "Only relations from papers of this authority", text),
            ], "Nodes and edges"),
        },
        "components": {"responses": {"Error": {
            "description": "A one-line error",
            "content": {"application/json": {"schema": {
                "type": "object", "required": ["error", "status"],
                "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
            }}},
        }}},
    }
