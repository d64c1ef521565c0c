"""Serialise SPARQL results (pyoxigraph objects) in the standard formats, with a result cap.

SELECT/ASK results: SPARQL 1.1 Query Results JSON, XML, CSV and TSV. CONSTRUCT/DESCRIBE
results: Turtle, N-Triples, JSON-LD and RDF/XML. Writing the formats here (rather than
calling pyoxigraph's ``serialize``) lets the cap stop a query after ``max_results + 1`` rows
without evaluating it twice, and lets the remote store re-serialise what a server returned.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QueryTriples, RdfFormat, Triple, serialize

from councilkg.errors import QueryError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

SOLUTION_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "turtle": (RdfFormat.TURTLE, "text/turtle"),
    "ntriples": (RdfFormat.N_TRIPLES, "application/n-triples"),
    "jsonld": (RdfFormat.JSON_LD, "application/ld+json"),
    "rdfxml": (RdfFormat.RDF_XML, "application/rdf+xml"),
}
FORMAT_NAMES = tuple(SOLUTION_FORMATS) + tuple(GRAPH_FORMATS)
_BY_MEDIA_TYPE = {v: k for k, v in SOLUTION_FORMATS.items()} | {v[1]: k for k, v in GRAPH_FORMATS.items()}
_BY_MEDIA_TYPE |= {"application/json": "json", "application/xml": "xml", "text/xml": "xml"}


def format_name(accept: str | None) -> str | None:
    """A format name from a name (``json``) or media types (an HTTP Accept header); None = default."""
    if not accept:
        return None
    wanted = accept.strip().lower()
    if wanted in FORMAT_NAMES:
        return wanted
    if wanted in {"ttl", "nt", "json-ld"}:
        return {"ttl": "turtle", "nt": "ntriples", "json-ld": "jsonld"}[wanted]
    for part in wanted.split(","):
        media = part.split(";")[0].strip()
        if media in _BY_MEDIA_TYPE:
            return _BY_MEDIA_TYPE[media]
    if "*/*" in wanted or "/" in wanted:
        return None
    raise QueryError(f"unknown result format {accept!r}; choose one of {', '.join(FORMAT_NAMES)}")


def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {"type": "triple", "value": {
            "subject": _term_json(term.subject), "predicate": _term_json(term.predicate),
            "object": _term_json(term.object),
        }}
    return {"type": "literal", "value": str(term)}


def _term_xml(term: Any) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _term_csv(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode | Literal):
        return term.value
    return str(term)


def _term_tsv(term: Any) -> str:
    return "" if term is None else str(term)


def _collect(rows: Any, max_results: int) -> list[Any]:
    out = []
    for row in rows:
        out.append(row)
        if len(out) > max_results:
            raise QueryError(
                f"query returned more than {max_results} results (setting query_max_results); add a LIMIT"
            )
    return out


def serialise(result: Any, fmt: str | None, max_results: int) -> tuple[bytes, str]:
    """Serialise a pyoxigraph query result in ``fmt`` (a format name; None picks the default).

    A SELECT or ASK result asked for in a graph format comes back as JSON, and a graph
    asked for in a results format comes back as Turtle (JSON-LD for ``json``).
    """
    if isinstance(result, QueryBoolean):
        return _serialise_boolean(bool(result), fmt if fmt in SOLUTION_FORMATS else "json")
    if isinstance(result, QueryTriples | list):  # a list holds triples a remote server returned
        triples = _collect(result, max_results)
        name = fmt if fmt in GRAPH_FORMATS else ("jsonld" if fmt == "json" else "turtle")
        rdf_format, media = GRAPH_FORMATS[name]
        from kg.rdf import PREFIXES

        prefixes = PREFIXES if rdf_format in (RdfFormat.TURTLE, RdfFormat.RDF_XML) else None
        return serialize(triples, format=rdf_format, prefixes=prefixes) or b"", media
    variables = [v.value for v in result.variables]
    rows = [[row[v] for v in variables] for row in _collect(result, max_results)]
    return serialise_rows(variables, rows, fmt if fmt in SOLUTION_FORMATS else "json")


def serialise_rows(variables: list[str], rows: list[list[Any]], fmt: str) -> tuple[bytes, str]:
    """Serialise SELECT rows (lists of pyoxigraph terms or None) in a results format."""
    media = SOLUTION_FORMATS[fmt]
    if fmt == "json":
        bindings = [
            {v: _term_json(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows
        ]
        body = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return json.dumps(body, ensure_ascii=False).encode("utf-8"), media
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head>\n<results>")
        for row in rows:
            out.append("<result>")
            out += [
                f"<binding name={quoteattr(v)}>{_term_xml(t)}</binding>"
                for v, t in zip(variables, row, strict=True) if t is not None
            ]
            out.append("</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode("utf-8"), media
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_term_csv(t) for t in row] for row in rows)
        return buffer.getvalue().encode("utf-8"), media
    lines = ["\t".join("?" + v for v in variables)]
    lines += ["\t".join(_term_tsv(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8"), media


def _serialise_boolean(value: bool, fmt: str) -> tuple[bytes, str]:
    media = SOLUTION_FORMATS[fmt]
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8"), media
    if fmt == "xml":
        body = (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
            f"<head/>\n<boolean>{str(value).lower()}</boolean>\n</sparql>\n"
        )
        return body.encode("utf-8"), media
    sep = "\r\n" if fmt == "csv" else "\n"
    return f"boolean{sep}{str(value).lower()}{sep}".encode(), media
