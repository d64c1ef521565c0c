"""Entity browsing: the list of entities by kind and name (each entity's page is under /id/)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from kg import browse
from web.params import choice_param, int_param
from web.resources import get_graph_store

bp = Blueprint("entities", __name__)

KINDS = ("organisation", "partnership", "service", "funding stream", "person")


PER_PAGE = 100
MAX_PAGE = 1000


@bp.get("/entities")
def entity_list() -> str:
    """Entities whose name or alias contains ``q``, optionally of one ``kind``, a page at a time."""
    text = (request.args.get("q") or "").strip()[:200]
    kind = choice_param(request.args, "kind", KINDS)
    page = int_param(request.args, "page", 1, MAX_PAGE, default=1) or 1
    found = browse.find_entities(get_graph_store(), text, kind, limit=page * PER_PAGE + 1)
    shown = found[(page - 1) * PER_PAGE: page * PER_PAGE]
    return render_template(
        "entities.html", entities=shown, q=text, kind=kind, kinds=KINDS, page=page,
        has_next=len(found) > page * PER_PAGE, first=(page - 1) * PER_PAGE + 1,
    )
