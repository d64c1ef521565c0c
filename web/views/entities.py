"""Entity browsing: the list of entities by kind and name (each entity's page is under /id/)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from kg import browse
from web.resources import get_graph_store

bp = Blueprint("entities", __name__)

KINDS = ("organisation", "partnership", "service", "funding stream", "person")


@bp.get("/entities")
def entity_list() -> str:
    """Entities whose name or alias contains ``q``, optionally of one ``kind``."""
    text = (request.args.get("q") or "").strip()[:200]
    kind = request.args.get("kind") or None
    if kind not in KINDS:
        kind = None
    found = browse.find_entities(get_graph_store(), text, kind, limit=200)
    return render_template("entities.html", entities=found, q=text, kind=kind, kinds=KINDS)
