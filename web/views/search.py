"""The search page."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from kg import browse
from search.keyword import NO_SEARCH_WORDS, has_search_words
from web.resources import derived, get_graph_store, get_search_index
from web.search_results import read_search_request, run_search, snippet_html
from web.security import limited

bp = Blueprint("search", __name__)


@bp.get("/search")
@limited("search")
def search_page() -> str:
    """Query box, filters, highlighted snippets with entity chips, pagination."""
    req = read_search_request(request.args)
    results = run_search(get_search_index(), req) if req.query else []
    store = get_graph_store()
    chips = browse.entities_in_spans(store, [(r.doc_id, r.start, r.end) for r in results])
    papers = derived("papers", browse.papers)
    return render_template(
        "search.html", req=req, results=results, snippet=snippet_html, chips=chips,
        no_words=NO_SEARCH_WORDS if req.query and not has_search_words(req.query) else "",
        authorities=derived("authorities", browse.authorities),
        titles={p["doc_id"]: p["title"] for p in papers},
        committees=sorted({p["committee"] for p in papers if p["committee"]}),
    )
