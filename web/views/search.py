"""The search page.

Bad input never loses what the person typed: the page is drawn again with every field as it
was sent, and one message per problem (an over-long query, a year that is no year, years the
wrong way round), each linked to its field. A machine client asking for JSON still gets the
one-line 400 of :mod:`web.params`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import Blueprint, render_template, request

from kg import browse
from search.keyword import NO_SEARCH_WORDS, has_search_words
from web.params import MAX_TEXT_CHARS, YEAR_RANGE, ParameterError, int_param, year_param
from web.resources import derived, get_graph_store, get_search_index
from web.search_results import (
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_CHARS,
    read_search_request,
    run_search,
    snippet_html,
)
from web.security import limited, wants_json

bp = Blueprint("search", __name__)

FIELDS = {"q": "Words or a question", "authority": "Authority", "from_year": "From year",
          "to_year": "To year", "committee": "Committee", "type": "Document type",
          "entity": "Names the entity"}
"""The search form's fields and their labels (as the page shows them)."""


@dataclass(frozen=True)
class Problem:
    """Something in the search form the page cannot search with, and the field it is about."""

    field: str | None
    message: str
    swap: bool = False
    """Years the wrong way round: the page offers the search with them swapped."""


def form_problems(args: Mapping[str, str]) -> list[Problem]:
    """What is wrong with the search form's values, in the form's order, worded for people."""
    problems = []
    query = (args.get("q") or "").strip()
    if len(query) > MAX_QUERY_CHARS:
        problems.append(Problem("q", f"Your search is {len(query):,} characters long; a search may be "
                                     f"at most {MAX_QUERY_CHARS}. Shorten it and search again."))
    for name in ("authority", "committee", "type", "entity"):
        if len((args.get(name) or "").strip()) > MAX_TEXT_CHARS:
            problems.append(Problem(name, f"{FIELDS[name]} may be at most {MAX_TEXT_CHARS} characters."))
    years = {}
    for name in ("from_year", "to_year"):
        try:
            years[name] = year_param(args, name)
        except ParameterError:
            problems.append(Problem(name, f"{FIELDS[name]} must be a year from {YEAR_RANGE[0]} to "
                                          f"{YEAR_RANGE[1]}, written in digits (such as 2019)."))
    low, high = years.get("from_year"), years.get("to_year")
    if low is not None and high is not None and low > high:
        problems.append(Problem("from_year", f"From year {low} is after To year {high}, so no paper can "
                                             f"match. Swap them to search {high} to {low}.", swap=True))
    for name, top in (("page", MAX_PAGE), ("per_page", MAX_PER_PAGE)):
        try:
            int_param(args, name, 1, top)
        except ParameterError as exc:
            problems.append(Problem(None, exc.message[:1].upper() + exc.message[1:] + "."))
    return problems


def _page(form: dict[str, str], **values: object) -> str:
    papers = derived("papers", browse.papers)
    return render_template(
        "search.html", form=form, labels=FIELDS, max_query=MAX_QUERY_CHARS, max_text=MAX_TEXT_CHARS,
        authorities=derived("authorities", browse.authorities),
        titles={p["doc_id"]: p["title"] for p in papers},
        committees=sorted({p["committee"] for p in papers if p["committee"]}),
        **values,
    )


@bp.get("/search")
@limited("search")
def search_page() -> str | tuple[str, int]:
    """Query box, filters, highlighted snippets with entity chips, pagination."""
    form = {name: request.args.get(name) or "" for name in FIELDS}
    problems = form_problems(request.args)
    if problems:
        if wants_json():
            read_search_request(request.args)  # the one-line 400 naming the parameter
        swapped = None
        if any(p.swap for p in problems):
            swapped = {**request.args, "from_year": form["to_year"], "to_year": form["from_year"]}
        return _page(form, req=None, results=[], chips=[], problems=problems, swapped=swapped,
                     snippet=snippet_html, no_words=""), 400
    req = read_search_request(request.args)
    results = run_search(get_search_index(), req) if req.query else []
    chips = browse.entities_in_spans(get_graph_store(), [(r.doc_id, r.start, r.end) for r in results])
    # A form sent with nothing to look for says so (an empty search used to show nothing at all).
    asked_nothing = "q" in request.args and not req.query
    return _page(
        form, req=req, results=results, snippet=snippet_html, chips=chips, problems=[], swapped=None,
        asked_nothing=asked_nothing,
        no_words=NO_SEARCH_WORDS if req.query and not has_search_words(req.query) else "",
    )
