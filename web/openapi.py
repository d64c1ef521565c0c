"""The OpenAPI 3.1 description of the JSON API and the SPARQL endpoint.

Response schemas are generated (with pydantic's ``TypeAdapter``) from the records the views
answer with: :mod:`web.api_models` and the kg layer's page records. Parameter limits come
from the same constants the views check (:mod:`web.params`, :mod:`web.search_results`), so the
document and the server cannot drift apart unnoticed: schemathesis explores the API from this
document and checks every answer against it (``tests/test_web_openapi.py``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from councilkg import __version__
from kg import browse
from kg.timeline import Timeline
from web import api_models
from web.params import MAX_TEXT_CHARS, YEAR_RANGE
from web.search_results import MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS, SORTS

REF = "#/components/schemas/{model}"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$"
"""A paper id as ``web.views.papers.DOC_ID`` accepts it."""

ANSWER_MODELS: dict[str, Any] = {
    "search": api_models.SearchAnswer,
    "overview": browse.Overview,
    "papers": api_models.PaperList,
    "paper": api_models.PaperDetail,
    "entities": api_models.EntityList,
    "entity": browse.EntityPage,
    "timeline": Timeline,
    "graph": api_models.GraphAnswer,
    "error": api_models.ErrorAnswer,
}
"""Each answer's model, by the name the paths below use."""

SPARQL_RESULT_TYPES = ("application/sparql-results+json", "application/sparql-results+xml",
                       "text/csv", "text/tab-separated-values")
SPARQL_GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")
SPARQL_FORMATS = ("json", "xml", "csv", "tsv", "turtle", "ttl", "ntriples", "nt", "n-triples",
                  "jsonld", "json-ld", "rdfxml", "rdf")


def _all_fields_required(schema: Any) -> None:
    """Mark every property of every object schema required: answers are ``asdict`` of the
    models, so a field with a default is still always present."""
    if isinstance(schema, dict):
        if schema.get("type") == "object" and "properties" in schema:
            schema["required"] = list(schema["properties"])
        for value in schema.values():
            _all_fields_required(value)
    elif isinstance(schema, list):
        for value in schema:
            _all_fields_required(value)


@lru_cache(maxsize=1)
def model_schemas() -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """``(reference of each answer, component schemas)`` generated from :data:`ANSWER_MODELS`."""
    from pydantic import TypeAdapter

    inputs = [(name, "serialization", TypeAdapter(model)) for name, model in ANSWER_MODELS.items()]
    refs, definitions = TypeAdapter.json_schemas(inputs, ref_template=REF)
    components = definitions.get("$defs", {})
    _all_fields_required(components)
    components["SparqlResults"] = api_models.SPARQL_JSON_RESULTS
    components["SparqlTerm"] = api_models.SPARQL_TERM
    return {name: refs[(name, "serialization")] for name in ANSWER_MODELS}, components


def range_pattern(low: int, high: int) -> str:
    """A regular expression matching the whole numbers ``low`` to ``high`` written in ASCII digits
    without leading zeros, or the empty string: what :func:`web.params.parse_int` accepts
    (``30.0`` is an integer to JSON Schema, not to the server)."""
    by_prefix: dict[str, list[int]] = {}
    for number in range(low, high + 1):
        text = str(number)
        by_prefix.setdefault(text[:-1], []).append(int(text[-1]))
    parts = []
    for prefix, digits in by_prefix.items():
        last = f"[{digits[0]}-{digits[-1]}]" if len(digits) > 1 else str(digits[0])
        parts.append(prefix + last)
    return "^(?:" + "|".join(parts) + ")?$"


def _whole_number(low: int, high: int) -> dict[str, Any]:
    """A whole number from ``low`` to ``high``, or empty (a form's blank field: not given)."""
    return {"type": "string", "pattern": range_pattern(low, high),
            "description": f"A whole number from {low} to {high}; empty means not given"}


def _param(name: str, description: str, schema: dict[str, Any], required: bool = False,
           where: str = "query", **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description,
            "schema": schema, **extra}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: str) -> dict[str, Any]:
    """The error answers of an operation: each a reference to a shared response."""
    busy = {"429", "503"}
    return {s: {"$ref": "#/components/responses/" + ("Busy" if s in busy else "Error")} for s in statuses}


COMMON_ERRORS = ("400", "414", "429", "431", "503")
"""What any request may get: a bad parameter, a URL or headers over the limits, too many
requests, or a server still without papers (503)."""


def _get(summary: str, params: list[dict[str, Any]], answer: dict[str, Any], *more_errors: str,
         description: str = "") -> dict[str, Any]:
    op = {"summary": summary, "parameters": params,
          "responses": {"200": answer, **_errors(*COMMON_ERRORS, *more_errors)}}
    if description:
        op["description"] = description
    return {"get": op}


def _sparql_path(max_query_chars: int) -> dict[str, Any]:
    """``/sparql``: the SPARQL 1.1 Protocol (GET, form POST, direct POST) and CORS preflight."""
    # The length limit is told, not declared: a longer query is answered 413 (too large),
    # which a schema's maxLength would make a 400.
    query = {"type": "string", "minLength": 1,
             "description": f"At most {max_query_chars} characters (413 beyond)"}
    graph_uris = {"type": "array", "items": {"type": "string"}}
    form_fields = {
        "query": query, "default-graph-uri": graph_uris, "named-graph-uri": graph_uris,
        # Not an enum: without a query it is ignored; with one, an unknown format is a 406.
        "format": {"type": "string", "description": "One of " + ", ".join(SPARQL_FORMATS)},
    }
    params = [
        _param("query", "A SPARQL 1.1 query (read-only; SERVICE is refused). Without it: the "
               "service description (Turtle), or the query editor for a browser", query),
        _param("default-graph-uri", "Graphs (paper graph IRIs) whose union is the default graph",
               graph_uris, style="form", explode=True),
        _param("named-graph-uri", "Graphs a GRAPH pattern may name", graph_uris, style="form", explode=True),
        _param("format", "Answer format, instead of the Accept header", form_fields["format"]),
    ]
    as_text = (*SPARQL_RESULT_TYPES[1:], *SPARQL_GRAPH_TYPES)
    answer_types = {t: {"schema": {"type": "string"}} for t in as_text}
    ok = {
        "description": "The answer: a results table or yes/no (SELECT, ASK), or a graph "
                       "(CONSTRUCT, DESCRIBE, and the service description without a query)",
        "content": {
            "application/sparql-results+json": {"schema": {"$ref": REF.format(model="SparqlResults")}},
            **answer_types,
            "text/html": {"schema": {"type": "string"}},
        },
    }
    errors = _errors(*COMMON_ERRORS, "403", "406", "413")
    return {
        "get": {"summary": "SPARQL 1.1 query endpoint", "parameters": params,
                "responses": {"200": ok, **errors}},
        "post": {
            "summary": "SPARQL 1.1 query by POST (a form, or the query as the body)",
            # Without a query, a POST is answered like a GET without one (the service description).
            "requestBody": {"required": True, "content": {
                "application/x-www-form-urlencoded": {"schema": {"type": "object",
                                                                  "properties": form_fields}},
                "application/sparql-query": {"schema": query},
            }},
            "responses": {"200": ok, **errors, **_errors("415")},
        },
        "options": {"summary": "CORS preflight", "responses": {"204": {"description": "Allowed"}}},
    }


NOT_BLANK = r"[^\s\u001c-\u001f\u0085]"
"""A character the server does not strip from a parameter (Python strips \\x1c-\\x1f and \\x85, which
ECMA's ``\\s`` in a JSON Schema pattern does not cover)."""


def openapi_document(max_query_chars: int) -> dict[str, Any]:
    """The API description; ``max_query_chars`` is the app's SPARQL query limit."""
    refs, components = model_schemas()
    text = {"type": "string", "maxLength": MAX_TEXT_CHARS}
    year = _whole_number(*YEAR_RANGE)
    iri = _param("iri", "Entity IRI (https://w3id.org/councilkg/id/…) or its /id/ path",
                 {"type": "string", "minLength": 1, "pattern": NOT_BLANK}, required=True)
    return {
        "openapi": "3.1.0",
        "info": {"title": "councilkg API", "version": __version__,
                 "description": "Search, papers, entities and service timelines from UK council papers."},
        "paths": {
            "/api/search": _get("Semantic search over passages", [
                _param("q", "What to look for, in your own words",
                       {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS,
                        "pattern": NOT_BLANK},
                       required=True),
                _param("authority", "Authority name (substring)", text),
                _param("from_year", "Earliest year", year), _param("to_year", "Latest year", year),
                _param("committee", "Committee (substring)", text), _param("type", "Document type", text),
                _param("entity", "Only passages mentioning this entity (name, IRI or /id/ path)", text),
                _param("page", "Result page", _whole_number(1, MAX_PAGE)),
                _param("per_page", "Results per page", _whole_number(1, MAX_PER_PAGE)),
                _param("sort", "relevance (best first, the default) or date (newest first among the "
                       "passages that answer)", {"type": "string", "enum": ["", *SORTS]}),
            ], _json(refs["search"], "Ranked passages")),
            "/api/overview": _get("Overview counts", [], _json(refs["overview"], "Counts")),
            "/api/papers": _get("All papers", [], _json(refs["papers"], "Papers, newest first")),
            "/api/papers/{doc_id}": _get("One paper with its text, blocks and tables", [
                _param("doc_id", "Paper id", {"type": "string", "pattern": ID_PATTERN}, required=True,
                       where="path"),
            ], _json(refs["paper"], "The paper"), "404"),
            "/api/entities": _get("Find entities by name", [
                _param("q", "Part of a name or alias", text),
                _param("kind", "Entity kind (empty: any, as the entity list's form sends it)",
                       {"type": "string", "enum": [*browse_kinds(), ""]}),
            ], _json(refs["entities"], "Matching entities (at most 200)")),
            "/api/entity": _get("One entity", [iri], _json(refs["entity"], "The entity"), "404"),
            "/api/timeline": _get("A service's timeline", [iri], _json(refs["timeline"], "The timeline"),
                                  "404"),
            "/api/graph": _get("An entity's neighbourhood", [
                iri, _param("year", "Only relations from papers of this year", year),
                _param("authority", "Only relations from papers of this authority", text),
            ], _json(refs["graph"], "Nodes and edges"), "404"),
            "/sparql": _sparql_path(max_query_chars),
        },
        "components": {
            "schemas": components,
            "responses": {
                "Error": _json(refs["error"], "A one-line error"),
                "Busy": {**_json(refs["error"], "Busy or not ready: come back after Retry-After seconds"),
                         "headers": {"Retry-After": {"required": True, "description": "Seconds to wait",
                                                     "schema": {"type": "integer", "minimum": 0}}}},
            },
        },
    }


def browse_kinds() -> tuple[str, ...]:
    """The entity kinds the entity list and API filter by."""
    from web.views.entities import KINDS

    return tuple(KINDS)
