"""Drawing a paper as safe HTML: blocks, tables and highlighted spans, every character escaped.

Papers contain HTML fragments of their own, so text is only ever emitted through
:func:`markupsafe.escape`; the only tags in the output are the ones built here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    """A highlighted span in document offsets: a link (``href``) and/or a CSS class."""

    start: int
    end: int
    css: str
    href: str = ""
    title: str = ""


def render_text(text: str, offset: int, spans: list[Span]) -> Markup:
    """``text`` (which starts at document offset ``offset``) with ``spans`` marked up.

    Spans may overlap: the text is cut at every span boundary and each piece is wrapped in
    the tags of the spans covering it, so the output is always well nested.
    """
    end = offset + len(text)
    inside = [s for s in spans if s.start < end and s.end > offset and s.end > s.start]
    cuts = sorted({offset, end, *(max(offset, min(end, p)) for s in inside for p in (s.start, s.end))})
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = str(escape(text[a - offset:b - offset]))
        covering = [s for s in inside if s.start <= a and s.end >= b]
        links = [s for s in covering if s.href][:1]  # links never nest: the first one wins
        marks = sorted((s for s in covering if not s.href), key=lambda s: (s.css != "target", s.css))
        for s in marks + links:  # the target mark innermost, so its colour shows
            title = f' title="{escape(s.title)}"' if s.title else ""
            if s.href:
                piece = f'<a class="{escape(s.css)}" href="{escape(s.href)}"{title}>{piece}</a>'
            else:
                piece = f'<mark class="{escape(s.css)}"{title}>{piece}</mark>'
        out.append(piece)
    return Markup("".join(out))


def paper_sections(doc: Any, spans: list[Span]) -> list[dict[str, Any]]:
    """The paper's blocks grouped for the template: headings, paragraphs and whole tables.

    Each item is ``{"kind", "id", "html"}`` for text blocks, or ``{"kind": "table", "header",
    "rows"}`` where rows are lists of rendered cells. ``id`` is ``o-<start>`` so a link can
    jump to the passage at an offset.
    """
    items: list[dict[str, Any]] = []
    tables = {t.table_id: t for t in getattr(doc, "tables", [])}
    open_tables: dict[int, dict[str, Any]] = {}
    for block in doc.blocks:
        if block.kind in {"table_header", "table_row"} and block.table_id is not None:
            table = open_tables.get(block.table_id)
            if table is None:
                header = list(tables[block.table_id].header) if block.table_id in tables else []
                table = {"kind": "table", "id": f"o-{block.start}", "header": header, "rows": [],
                         "group": ""}
                open_tables[block.table_id] = table
                items.append(table)
            if block.kind == "table_header":
                continue
            if block.cells:
                cells = [render_text(c.text, c.start, spans) for c in block.cells]
            else:
                cells = [render_text(block.text, block.start, spans)]
            table["rows"].append({"id": f"o-{block.start}", "cells": cells, "group": block.group})
            continue
        items.append({
            "kind": block.kind,
            "id": f"o-{block.start}",
            "level": min(max(block.level, 1), 4),
            "html": render_text(block.text, block.start, spans),
        })
    return items


def spans_for_paper(
    mentions: list[dict[str, Any]], entity_url: Any, target: tuple[int, int] | None
) -> list[Span]:
    """Spans for a paper page: entity mentions linked to their pages, evidence and the target.

    ``entity_url`` maps an entity IRI to its page URL; ``target`` is the passage a search
    result or a quote link points at.
    """
    spans = []
    for m in mentions:
        entities = m["entities"]
        if not entities:
            continue
        names = ", ".join(e["label"] for e in entities)
        if m.get("kind") == "mention":
            spans.append(Span(m["start"], m["end"], "mention", entity_url(entities[0]["iri"]), names))
        else:
            spans.append(Span(m["start"], m["end"], "evidence", "", f"evidence for: {names}"))
    if target is not None:
        spans.append(Span(target[0], target[1], "target", "", "the passage you followed"))
    return spans
