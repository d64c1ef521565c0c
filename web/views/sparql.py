"""The SPARQL 1.1 Protocol endpoint (/sparql) and the query editor page (/query)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from kg import browse
from web import sparql_protocol
from web.resources import run_sparql
from web.security import CSP, limited
from web.vocabulary import vocabulary

bp = Blueprint("sparql", __name__)

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept",
    "Access-Control-Max-Age": "86400",
}


@bp.after_request
def _cors(response: Response) -> Response:
    if request.path == "/sparql":
        response.headers.update(CORS_HEADERS)
        response.headers["Vary"] = "Accept"
    return response


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
@limited("sparql")
def endpoint() -> Response:
    """Answer a query (GET, form POST, direct POST); without one, the service description."""
    if request.method == "OPTIONS":
        return Response(status=204)
    query = sparql_protocol.read_query(request, current_app.config["MAX_QUERY_CHARS"])
    if query is None:
        if request.accept_mimetypes.best_match(["text/turtle", "text/html"]) == "text/html":
            return editor()
        description = sparql_protocol.service_description(url_for("sparql.endpoint", _external=True))
        return Response(description, mimetype="text/turtle")
    # The protocol's dataset (default-graph-uri, named-graph-uri) replaces the query's FROM clauses.
    query = sparql_protocol.with_dataset(query, sparql_protocol.read_dataset(request))
    form = sparql_protocol.query_form(query)
    media_type = sparql_protocol.choose_media_type(request, form)
    body, answered_type, cached = run_sparql(query, media_type)
    if answered_type.startswith("text/turtle"):
        body = sparql_protocol.readable_turtle(body)
    response = Response(body, content_type=answered_type)
    response.headers["X-Cache"] = "hit" if cached else "miss"
    if request.values.get("download"):
        ext = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
               "text/csv": "csv", "text/tab-separated-values": "tsv", "text/turtle": "ttl",
               "application/n-triples": "nt", "application/ld+json": "jsonld", "application/rdf+xml": "rdf"}
        suffix = ext.get(answered_type.split(";")[0], "txt")
        response.headers["Content-Disposition"] = f'attachment; filename="results.{suffix}"'
    return response


def _examples() -> list[browse.CompetencyQuery]:
    return [
        browse.CompetencyQuery(q.name, q.title.removeprefix("Question:").strip(), q.sparql)
        for q in browse.competency_queries(current_app.config.get("QUERIES_DIR"))
    ]


@bp.get("/query")
def editor() -> Response:
    """The query editor with the competency questions as examples."""
    examples = _examples()
    chosen = request.args.get("example")
    initial = next((q.sparql for q in examples if q.name == chosen), None)
    if initial is None:
        initial = request.args.get("query") or (examples[0].sparql if examples else DEFAULT_QUERY)
    return _page(examples, initial, chosen, None)


def _page(examples: list[browse.CompetencyQuery], initial: str, chosen: str | None,
          table: sparql_protocol.ResultsTable | None) -> Response:
    """The workbench page (YASGUI, with the plain server-side editor beneath as its fallback)."""
    html = render_template(
        "sparql.html", examples=examples, initial=initial[:20000], chosen=chosen, table=table,
        vocabulary=vocabulary().as_json(),
        examples_json=[{"name": q.name, "title": q.title, "query": q.sparql} for q in examples],
    )
    response = Response(html, mimetype="text/html")
    # The editor (CodeMirror) and the results tables set style attributes as they draw, so
    # styles may be inline on this page; scripts stay 'self' only.
    response.headers["Content-Security-Policy"] = CSP.replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'"
    )
    return response


@bp.get("/sparql/vocabulary.json")
def vocabulary_json() -> Response:
    """The prefixes, classes and properties the workbench completes, from the ontology."""
    response = jsonify(vocabulary().as_json())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.post("/query")
@limited("sparql")
def run_in_page() -> Response:
    """Run the editor's query on the server and draw the results in the page (no JavaScript needed)."""
    query = sparql_protocol.read_query(request, current_app.config["MAX_QUERY_CHARS"]) or ""
    table = None
    if query.strip():
        form = sparql_protocol.query_form(query)
        media_type = "text/turtle" if form in {"construct", "describe"} else "application/sparql-results+json"
        body, answered, _ = run_sparql(query, media_type)
        table = sparql_protocol.results_table(body, answered)
    return _page(_examples(), query, None, table)


DEFAULT_QUERY = """PREFIX ck: <https://w3id.org/councilkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?paper ?title ?date WHERE {
  ?paper a ck:Paper ; dcterms:title ?title .
  OPTIONAL { ?paper dcterms:date ?date }
} ORDER BY ?date LIMIT 50
"""
