"""The search page.

Bad input never loses what the person typed: the page is drawn again with every field as it
was sent, and one message per problem (an over-long query, a year that is no year, years the
wrong way round), each linked to its field. A machine client asking for JSON still gets the
one-line 400 of :mod:`web.params`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from councilkg.errors import CouncilKGError
from kg import browse
from search.keyword import NO_SEARCH_WORDS, STOPWORDS, has_search_words
from web.exports import spreadsheet_cell
from web.params import MAX_TEXT_CHARS, YEAR_RANGE, ParameterError, int_param, year_param
from web.resources import derived, get_graph_store, get_search_index
from web.search_results import (
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_CHARS,
    SORTS,
    SearchRequest,
    read_search_request,
    run_search,
    shown_html,
    snippet_html,
)
from web.security import limited, wants_json

bp = Blueprint("search", __name__)

MAX_EXPORT = 200
"""Most passages one CSV export holds."""

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
    if (args.get("sort") or "relevance") not in SORTS:
        problems.append(Problem(None, f"Results can be sorted by {' or '.join(SORTS)} only."))
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
                     snippet=snippet_html, no_words="", page=None, facets=[], nearby=[]), 400
    req = read_search_request(request.args)
    page = run_search(get_search_index(), req)
    results = page.results
    chips = browse.entities_in_spans(get_graph_store(), [(r.doc_id, r.start, r.end) for r in results])
    # A form sent with nothing to look for says so (an empty search used to show nothing at all).
    asked_nothing = "q" in request.args and not req.query
    return _page(
        form, req=req, page=page, results=results, snippet=shown_html, chips=chips, problems=[],
        swapped=None, asked_nothing=asked_nothing, facets=facet_links(req, page.facets),
        nearby=[] if page.good_match else named_entities(req.query),
        no_words=NO_SEARCH_WORDS if req.query and not has_search_words(req.query) else "",
    )


FACET_LABELS = {"authority": "Authority", "year": "Year", "committee": "Committee", "type": "Document type"}
FACET_SHOWN = 8
"""Values shown per facet (the most frequent first)."""


def facet_links(req: SearchRequest, facets: Mapping[str, list[tuple[str, int]]]) -> list[dict[str, Any]]:
    """Each facet with its values as links that narrow the search to them (page 1 again).

    A facet the search is already narrowed by shows no values (the filter says it); a year
    narrows both ends of the year range."""
    out = []
    current = {"authority": req.authority, "committee": req.committee, "type": req.document_type,
               "year": req.from_year if req.from_year is not None and req.from_year == req.to_year else None}
    for name, label in FACET_LABELS.items():
        values = facets.get(name) or []
        if current[name] is not None or len(values) < 1:
            continue
        links = []
        for value, count in values[:FACET_SHOWN]:
            changes = {"from_year": value, "to_year": value} if name == "year" else {name: value}
            links.append({"value": value, "count": count,
                          "href": url_for("search.search_page", **req.params(page=None, **changes))})
        out.append({"name": name, "label": label, "values": links, "more": max(0, len(values) - FACET_SHOWN)})
    return out


def named_entities(query: str, limit: int = 8) -> list[dict[str, str]]:
    """Entities whose name holds one of the query's longer words: what to offer when no passage
    answers well (an organisation or service the person may have meant)."""
    store = get_graph_store()
    found: dict[str, dict[str, str]] = {}
    for word in sorted({w for w in re.findall(r"[A-Za-z]{4,}", query) if w.lower() not in STOPWORDS},
                       key=len, reverse=True):
        for hit in browse.find_entities(store, word, None, limit=limit):
            found.setdefault(hit["iri"], hit)
        if len(found) >= limit:
            break
    return list(found.values())[:limit]


@bp.get("/search.csv")
@limited("search")
def search_csv() -> Response:
    """The results of a search as CSV, one row per passage (up to ``MAX_EXPORT``), with the
    quote, its offsets and an absolute link to it in its paper."""
    req = read_search_request(request.args)
    if not req.query:
        raise CouncilKGError("parameter 'q' is required")
    page = get_search_index().search_page(req.query, k=MAX_EXPORT, filters=req.filters(), sort=req.sort)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["rank", "score", "paper", "doc_id", "authority", "date", "committee", "type",
                     "section", "start", "end", "quote", "read_as", "more_like_this", "link"])
    for rank, r in enumerate(page.results, 1):
        link = url_for("papers.paper_page", doc_id=r.doc_id, at=f"{r.start}-{r.end}", _external=True)
        cells = [rank, f"{r.score:.4f}", r.file_name, r.doc_id, r.authority or "", r.date or "",
                 r.committee or "", r.document_type or "", r.section, r.start, r.end, r.text,
                 r.rendered, r.more_like_this, f"{link}#o-{r.start}"]
        writer.writerow([spreadsheet_cell(c) for c in cells])
    name = re.sub(r"[^a-z0-9]+", "-", req.query.lower()).strip("-")[:40] or "search"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="councilkg-{name}.csv"'})
