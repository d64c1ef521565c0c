"""The SPARQL 1.1 Protocol around the store: reading requests, content negotiation, running.

Queries run through ``kg.query.run_query`` (time limit, result cap, SERVICE refusal live
there); this module only decides which query was asked and in which format to answer.
"""

from __future__ import annotations

import re
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

_LONG_STRINGS = "|".join(
    q * 3 + "(?:[^" + q + "\\\\]|\\\\.|" + q + "(?!" + q * 2 + "))*" + q * 3 for q in "'\""
)
_DATASET_TOKEN = re.compile(
    r"(?P<comment>#[^\n]*)"
    r"|(?P<string>" + _LONG_STRINGS + r"""|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
    r"""|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)"""
    r"|(?P<word>[A-Za-z_][\w.-]*:[\w.%-]*|:[\w.%-]*|[A-Za-z_][\w-]*|[?$]\w+)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.DOTALL,
)
"""SPARQL's lexical pieces, enough to find the top-level dataset clauses: comments, strings and
IRIs are skipped whole, so a ``from`` or ``{`` inside them is never read as syntax."""
_GRAPH_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\x00-\x20]+")
_AFTER_WHERE = frozenset({"order", "limit", "offset", "values", "group", "having"})


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a protocol request names with ``default-graph-uri`` / ``named-graph-uri``."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def read_dataset(req: Request) -> Dataset:
    """The ``default-graph-uri`` and ``named-graph-uri`` parameters (URL or form), each an IRI.

    Raises :class:`QueryError` (400) for a value that is no absolute IRI."""
    values = {name: tuple(v.strip() for v in req.values.getlist(name) if v.strip())
              for name in ("default-graph-uri", "named-graph-uri")}
    for name, iris in values.items():
        for iri in iris:
            if not _GRAPH_IRI.fullmatch(iri):
                raise QueryError(f"{name} {iri[:200]!r} is not an absolute IRI")
    return Dataset(values["default-graph-uri"], values["named-graph-uri"])


def with_dataset(query: str, dataset: Dataset) -> str:
    """``query`` with its FROM / FROM NAMED clauses replaced by ``dataset`` (SPARQL 1.1 Protocol:
    the protocol's dataset overrides the query's). The query is unchanged for an empty dataset.

    The clauses go where the grammar puts them: after the query form (after a CONSTRUCT
    template) and before the WHERE clause; the graphs are checked later with the query itself.
    """
    if not dataset:
        return query
    tokens = [(m.lastgroup, m.group()) for m in _DATASET_TOKEN.finditer(query)]
    depth, insert_at, keep = 0, None, [True] * len(tokens)
    seen_form = template = False
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        lowered = text.lower()
        if kind == "other" and text in "{(":
            if depth == 0 and text == "{" and insert_at is None and not (seen_form and template):
                insert_at = i
            if depth == 0 and text == "{" and template:
                template = False  # the CONSTRUCT template's braces; the WHERE clause follows
                seen_form = False
            depth += 1
        elif kind == "other" and text in "})":
            depth -= 1
        elif depth == 0 and kind == "word":
            if lowered in {"select", "ask", "describe", "construct"}:
                seen_form = True
                template = lowered == "construct" and _next_text(tokens, i) == "{"
            elif lowered == "where" and insert_at is None:
                insert_at = i
            elif lowered == "from":
                j = _next_index(tokens, i)
                if j is not None and tokens[j][1].lower() == "named":
                    j = _next_index(tokens, j)
                if j is not None and tokens[j][0] in {"iri", "word"}:
                    for k in range(i, j + 1):
                        keep[k] = False
                    i = j
            elif lowered in _AFTER_WHERE and insert_at is None:
                insert_at = i
        i += 1
    clauses = "".join(f"FROM <{g}>\n" for g in dataset.default_graphs)
    clauses += "".join(f"FROM NAMED <{g}>\n" for g in dataset.named_graphs)
    out = [text for (_, text), kept in zip(tokens, keep, strict=True) if kept]
    position = len(out) if insert_at is None else sum(keep[:insert_at])
    out.insert(position, ("\n" if position == len(out) else "") + clauses)
    return "".join(out)


def _next_index(tokens: list[tuple[str | None, str]], i: int) -> int | None:
    for j in range(i + 1, len(tokens)):
        if tokens[j][0] not in {"space", "comment"}:
            return j
    return None


def _next_text(tokens: list[tuple[str | None, str]], i: int) -> str:
    j = _next_index(tokens, i)
    return tokens[j][1] if j is not None else ""


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


READABLE_TURTLE_MAX_BYTES = 100_000
"""Graph answers up to this size are rewritten as grouped Turtle; larger ones stay as the engine
wrote them (valid Turtle with prefixes, subjects not grouped): rdflib reads and writes about
0.3 MB a second, so a bigger answer would hold its request thread for seconds."""


def readable_turtle(body: bytes, max_bytes: int = READABLE_TURTLE_MAX_BYTES) -> bytes:
    """Turtle (or N-Triples) rewritten by rdflib's serialiser: the graph's prefixes declared and
    used, each subject written once with its predicates grouped under it (``;`` and ``,``), and
    IRIs that no prefix can shorten cleanly written in full instead of with escapes."""
    if not body.strip() or len(body) > max_bytes:
        return body
    from rdflib import Graph

    from kg.rdf import PREFIXES

    graph = Graph(bind_namespaces="none")
    graph.parse(data=body.decode("utf-8"), format="turtle")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph.serialize(format="turtle", encoding="utf-8")


SERVICE_DESCRIPTION = """\
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix fmt: <http://www.w3.org/ns/formats/> .

[] a sd:Service ;
   sd:endpoint <{endpoint}> ;
   sd:supportedLanguage sd:SPARQL11Query ;
   sd:resultFormat fmt:SPARQL_Results_JSON, fmt:SPARQL_Results_XML, fmt:SPARQL_Results_CSV,
                   fmt:SPARQL_Results_TSV, fmt:Turtle, fmt:N-Triples, fmt:JSON-LD, fmt:RDF_XML ;
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
