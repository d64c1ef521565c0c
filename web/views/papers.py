"""Paper pages: the list of papers and one paper drawn with its sections, tables and mentions."""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request

from councilkg.errors import NotFound
from kg import browse
from web.paper_render import paper_sections, spans_for_paper
from web.params import year_param
from web.resources import derived, get_corpus_store, get_graph_store
from web.views.linked_data import local_path

bp = Blueprint("papers", __name__)

DOC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")


def load_paper(doc_id: str) -> object:
    """The corpus Document for ``doc_id`` or a 404."""
    if not DOC_ID.fullmatch(doc_id):
        raise NotFound(f"no paper {doc_id!r}")
    try:
        doc = get_corpus_store().get(doc_id)
    except (KeyError, LookupError, NotFound):  # the store's message names its file: not for users
        doc = None
    if doc is None:
        raise NotFound(f"no paper {doc_id!r}")
    return doc


def read_target(raw: str | None) -> tuple[int, int] | None:
    """The ``at=START-END`` passage a link points at (ignored when malformed)."""
    match = re.fullmatch(r"([0-9]{1,9})-([0-9]{1,9})", raw or "")  # ASCII digits: int() of others fails
    return (int(match.group(1)), int(match.group(2))) if match else None


@bp.get("/papers")
def paper_list() -> str:
    """Every paper with authority, date and committee; narrowed by ``authority`` and ``year``."""
    papers = derived("papers", browse.papers)
    authority = (request.args.get("authority") or "").strip()[:200]
    year_number = year_param(request.args, "year")
    year = str(year_number) if year_number is not None else ""
    shown = [
        p for p in papers
        if (not authority or p["authority"] == authority) and (not year or p["date"].startswith(year))
    ]
    return render_template(
        "papers.html", papers=shown, total=len(papers), authority=authority, year=year,
        authorities=sorted({p["authority"] for p in papers if p["authority"]}),
        years=sorted({p["date"][:4] for p in papers if p["date"][:4].isdigit()}),
    )


@bp.get("/papers/<doc_id>")
def paper_page(doc_id: str) -> str:
    """One paper: metadata, sections, tables as tables, mentions highlighted and linked."""
    doc = load_paper(doc_id)
    target = read_target(request.args.get("at"))
    mentions = browse.paper_mentions(get_graph_store(), doc.doc_id)
    spans = spans_for_paper(mentions, local_path, target)
    return render_template(
        "paper.html", doc=doc, items=paper_sections(doc, spans), target=target,
        headings=[b for b in doc.blocks if b.kind == "heading"], named=named_entities(mentions),
    )


def named_entities(mentions: list[dict]) -> list[dict]:
    """The entities a paper names, most often named first, each with how many times."""
    counts: dict[str, dict] = {}
    for span in mentions:
        if span.get("kind") != "mention":
            continue
        for entity in span["entities"]:
            entry = counts.setdefault(entity["iri"], {**entity, "times": 0})
            entry["times"] += 1
    return sorted(counts.values(), key=lambda e: (-e["times"], e["label"].lower()))
