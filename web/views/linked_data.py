"""Linked data: entity IRIs ``https://w3id.org/councilkg/id/…`` answered locally under ``/id/…``.

People get the entity page (HTML), machines get Turtle or JSON-LD by content negotiation.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, redirect, render_template, request, url_for

from councilkg.errors import NotFound
from kg import browse
from web.entity_view import group_facts, mentions_by_year
from web.params import choice_param
from web.resources import get_graph_store, run_sparql
from web.security import slot

bp = Blueprint("linked_data", __name__)

ID_BASE = browse.ID_BASE
_SAFE_PATH = re.compile(r"[A-Za-z0-9._~%-]+(?:/[A-Za-z0-9._~%-]+)*")
FACTS_SHOWN = 12
"""Facts of one kind listed openly on an entity page; the rest fold into a disclosure."""
RDF_TYPES = {"text/turtle": "text/turtle", "application/ld+json": "application/ld+json",
             "application/n-triples": "application/n-triples"}
FORMATS = {"html": "text/html", "ttl": "text/turtle", "turtle": "text/turtle",
           "jsonld": "application/ld+json", "nt": "application/n-triples"}
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


@bp.get("/id/<path:path>")
def entity_resource(path: str) -> Response:
    """The entity page, or its description as Turtle / JSON-LD / N-Triples."""
    iri = iri_of(path)
    best = request.accept_mimetypes.best_match(["text/html", *RDF_TYPES], default="text/html")
    wanted = choice_param(request.args, "format", FORMATS)
    if wanted:
        best = FORMATS[wanted]
    if best in RDF_TYPES:
        with slot("sparql"):
            body, media_type, _ = run_sparql(browse.describe_query(iri), best)
        if not body.strip() or body.strip() in {b"[]", b"{}"}:
            raise NotFound(f"no entity {iri}")
        response = Response(body, mimetype=media_type.split(";")[0])
        response.headers["Vary"] = "Accept"
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
    if path.startswith("paper/"):  # a paper's page is the paper itself
        return redirect(url_for("papers.paper_page", doc_id=path.split("/", 1)[1]), code=303)
    page = browse.entity(get_graph_store(), iri)
    html = render_template(
        "entity.html", e=page, groups=group_facts(page.facts), by_year=mentions_by_year(page.mentions),
        fact_limit=FACTS_SHOWN,
    )
    response = Response(html, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = f'<{request.path}?format=ttl>; rel="alternate"; type="text/turtle"'
    return response
