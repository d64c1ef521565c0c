"""Linked data: entity IRIs ``https://w3id.org/councilkg/id/…`` answered locally under ``/id/…``.

People get the entity page (HTML), machines get Turtle, JSON-LD, N-Triples or RDF/XML by
content negotiation (``Accept``) or the ``format`` parameter; an Accept header naming none of
these is answered 406 Not Acceptable.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, redirect, render_template, request, url_for

from councilkg.errors import CouncilKGError, NotFound
from kg import browse
from web.entity_view import facts_by_year, group_facts, mentions_by_year
from web.params import choice_param
from web.resources import get_graph_store, run_sparql
from web.security import slot
from web.sparql_protocol import readable_turtle

bp = Blueprint("linked_data", __name__)


class NotAcceptable(CouncilKGError):
    """The client accepts none of the media types an entity is served in."""

    status = 406


ID_BASE = browse.ID_BASE
_SAFE_PATH = re.compile(r"[A-Za-z0-9._~%-]+(?:/[A-Za-z0-9._~%-]+)*")
FACTS_SHOWN = 12
"""Facts of one kind listed openly on an entity page; the rest fold into a disclosure."""
RDF_TYPES = {"text/turtle": "text/turtle", "application/ld+json": "application/ld+json",
             "application/n-triples": "application/n-triples", "application/rdf+xml": "application/rdf+xml"}
SERVED_TYPES = ["text/html", *RDF_TYPES, "application/xhtml+xml"]
"""Media types an entity is served in, the page first (a browser's Accept lists several)."""
FORMATS = {"html": "text/html", "ttl": "text/turtle", "turtle": "text/turtle",
           "jsonld": "application/ld+json", "nt": "application/n-triples",
           "ntriples": "application/n-triples", "rdf": "application/rdf+xml", "rdfxml": "application/rdf+xml"}
"""The ``format`` parameter's values and the media type each asks for."""


def local_path(iri: str) -> str:
    """The local URL of an entity IRI (``/id/…``), or the IRI itself when it is not ours."""
    if iri.startswith(ID_BASE):
        return "/id/" + iri[len(ID_BASE):]
    return iri


def iri_of(path: str) -> str:
    """The entity IRI for a local ``/id/<path>`` (404 for anything that is not a clean path)."""
    if not _SAFE_PATH.fullmatch(path) or any(part in {".", ".."} for part in path.split("/")):
        raise NotFound(f"no entity /id/{path}")
    return ID_BASE + path


def iri_from_param(raw: str) -> str:
    """An entity IRI from a request parameter: the full IRI, ``/id/<path>`` or ``<path>``."""
    raw = raw.strip()
    path = raw[len(ID_BASE):] if raw.startswith(ID_BASE) else raw.removeprefix("/id/").strip("/")
    return iri_of(path)


def rdf_in(ntriples: bytes, media_type: str) -> bytes:
    """An entity's description (N-Triples) in ``media_type``, written by the RDF libraries:
    Turtle by rdflib (prefixes, each subject once), RDF/XML and JSON-LD by pyoxigraph."""
    if media_type == "application/n-triples":
        return ntriples
    if media_type == "text/turtle":
        return readable_turtle(ntriples)
    from pyoxigraph import RdfFormat, parse, serialize

    from kg.rdf import PREFIXES

    triples = list(parse(ntriples, format=RdfFormat.N_TRIPLES))
    rdf_format = RdfFormat.RDF_XML if media_type == "application/rdf+xml" else RdfFormat.JSON_LD
    prefixes = PREFIXES if rdf_format == RdfFormat.RDF_XML else None
    return serialize(triples, format=rdf_format, prefixes=prefixes) or b""


def negotiated_type() -> str:
    """The media type the request's Accept header prefers among ``SERVED_TYPES`` (HTML when
    it names no type); :class:`NotAcceptable` when it names only types we do not serve."""
    accept = request.accept_mimetypes
    best = accept.best_match(SERVED_TYPES)
    if best is None:
        if not request.headers.get("Accept", "").strip():
            return "text/html"
        raise NotAcceptable(
            "an entity is served as text/html, " + ", ".join(RDF_TYPES) + " (Accept asked for none of them)"
        )
    return "text/html" if best == "application/xhtml+xml" else best


@bp.get("/id/<path:path>")
def entity_resource(path: str) -> Response:
    """The entity page, or its description as Turtle / JSON-LD / N-Triples."""
    iri = iri_of(path)
    wanted = choice_param(request.args, "format", FORMATS)
    best = FORMATS[wanted] if wanted else negotiated_type()
    if best in RDF_TYPES:
        with slot("sparql"):
            ntriples, _, _ = run_sparql(browse.describe_query(iri), "application/n-triples")
        if not ntriples.strip():
            raise NotFound(f"no entity {iri}")
        response = Response(rdf_in(ntriples, best), mimetype=best)
        response.headers["Vary"] = "Accept"
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
    if path.startswith("paper/"):  # a paper's page is the paper itself
        return redirect(url_for("papers.paper_page", doc_id=path.split("/", 1)[1]), code=303)
    page = browse.entity(get_graph_store(), iri)
    html = render_template(
        "entity.html", e=page, groups=group_facts(page.facts), by_year=mentions_by_year(page.mentions),
        fact_limit=FACTS_SHOWN, years=facts_by_year(page.facts),
    )
    response = Response(html, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = ", ".join(
        f'<{request.path}?format={name}>; rel="alternate"; type="{FORMATS[name]}"'
        for name in ("ttl", "jsonld", "nt", "rdf")
    )
    return response
