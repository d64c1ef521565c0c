"""The SPARQL 1.1 Protocol around the store: reading requests, content negotiation, running.

Queries run through ``kg.query.run_query`` (time limit, result cap, SERVICE refusal live
there); this module only decides which query was asked and in which format to answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Request

from councilkg.errors import QueryError

SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdfxml",
}
MEDIA_TYPE_OF_FORMAT = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
FORMAT_ALIASES = {
    "ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "json-ld": "jsonld", "rdf": "rdfxml"
}

@dataclass(frozen=True)
class SparqlRequest:
    """A query read from a protocol request and the media type to answer with."""

    query: str
    form: str
    media_type: str


def query_form(query: str) -> str:
    """``select``, ``ask``, ``construct`` or ``describe``, as the safety check's parser reads it.

    Raises :class:`QueryError` for text that is no SPARQL query (syntax errors, updates, SERVICE…).
    """
    from kg.query import check_query

    return check_query(query).form


def read_query(req: Request, max_chars: int) -> str | None:
    """The query text of a GET, form POST or direct POST request (None when there is none)."""
    if req.values.get("update") is not None:
        raise QueryError("updates are not allowed on /sparql (read-only endpoint)", status=403)
    if req.method == "POST":
        ctype = (req.mimetype or "").lower()
        if ctype == "application/sparql-update":
            raise QueryError("updates are not allowed on /sparql (read-only endpoint)", status=403)
        if ctype == "application/sparql-query":
            query = req.get_data(as_text=True)
        elif ctype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            query = req.form.get("query")
        else:
            raise QueryError(
                "POST /sparql needs Content-Type application/sparql-query or "
                "application/x-www-form-urlencoded",
                status=415,
            )
    else:
        query = req.args.get("query")
    if query is not None and len(query) > max_chars:
        raise QueryError(f"query longer than {max_chars} characters", status=413)
    return query


def choose_media_type(req: Request, form: str) -> str:
    """The answer's media type from a ``format`` parameter or the Accept header."""
    wanted = (req.values.get("format") or "").strip().lower()
    graph_form = form in {"construct", "describe"}
    table = GRAPH_TYPES if graph_form else SELECT_TYPES
    if wanted:
        wanted = FORMAT_ALIASES.get(wanted, wanted)
        if wanted in table:
            return MEDIA_TYPE_OF_FORMAT[table[wanted]]
        if wanted in MEDIA_TYPE_OF_FORMAT and wanted in table.values():
            return MEDIA_TYPE_OF_FORMAT[wanted]
        raise QueryError(f"format {wanted!r} is not available for a {form.upper()} query", status=406)
    default = "text/turtle" if graph_form else "application/sparql-results+json"
    offers = [default] + [t for t in table if t != default]
    best = req.accept_mimetypes.best_match(offers, default=None)
    if best is None:
        if not req.accept_mimetypes or "*/*" in req.accept_mimetypes.values():
            return default
        if req.accept_mimetypes.best_match(["text/html"]):
            return default
        raise QueryError("none of the accepted media types can carry this result", status=406)
    return MEDIA_TYPE_OF_FORMAT[table[best]]


def run(store: Any, query: str, media_type: str, lane: str = "main",
        timeout_s: float | None = None, cpu_limit_s: float | None = None) -> tuple[bytes, str]:
    """Run ``query`` read-only through the kg layer (time limit, result cap, refusals), in the
    store's ``lane`` worker and, when given, under a shorter ``timeout_s`` and a CPU limit."""
    from kg.query import run_query

    return run_query(store, query, media_type, lane=lane, timeout_s=timeout_s, cpu_limit_s=cpu_limit_s)


SERVICE_DESCRIPTION = """\
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix fmt: <http://www.w3.org/ns/formats/> .

[] a sd:Service ;
   sd:endpoint <{endpoint}> ;
   sd:supportedLanguage sd:SPARQL11Query ;
   sd:resultFormat fmt:SPARQL_Results_JSON, fmt:SPARQL_Results_XML, fmt:SPARQL_Results_CSV,
                   fmt:SPARQL_Results_TSV, fmt:Turtle, fmt:N-Triples, fmt:JSON-LD ;
   sd:feature sd:UnionDefaultGraph ;
   sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ] ] .
"""


def service_description(endpoint: str) -> str:
    """The SPARQL service description of this endpoint, in Turtle."""
    return SERVICE_DESCRIPTION.format(endpoint=endpoint)


@dataclass(frozen=True)
class ResultsTable:
    """A query's answer drawn for a page: column names and rows of ``(text, link)`` cells,
    a yes/no answer, or graph text."""

    columns: list[str]
    rows: list[list[tuple[str, str | None]]]
    boolean: bool | None = None
    text: str | None = None


ID_BASE = "https://w3id.org/councilkg/id/"


def results_table(body: bytes, media_type: str, max_rows: int = 1000) -> ResultsTable:
    """SPARQL JSON results (or graph text) as a :class:`ResultsTable`; local IRIs link to ``/id/``."""
    import json

    if "json" not in media_type:
        return ResultsTable([], [], text=body.decode("utf-8", errors="replace"))
    data = json.loads(body)
    if "boolean" in data:
        return ResultsTable([], [], boolean=bool(data["boolean"]))
    columns = list(data.get("head", {}).get("vars", []))
    rows = []
    for binding in data.get("results", {}).get("bindings", [])[:max_rows]:
        row = []
        for name in columns:
            cell = binding.get(name)
            if cell is None:
                row.append(("", None))
            elif cell.get("type") == "uri":
                value = cell["value"]
                link = "/id/" + value[len(ID_BASE):] if value.startswith(ID_BASE) else None
                row.append((value, link))
            else:
                row.append((cell.get("value", ""), None))
        rows.append(row)
    return ResultsTable(columns, rows)
