"""Cut papers into passages that embed well and cite exactly.

Prose blocks (paragraphs, list items) become passages of at most ``max_chars`` characters:
long blocks are split at sentence boundaries, runs of tiny blocks in one section are merged.
A table row becomes one passage rendered with its column headers ("Service: Home Care;
Funding Source: Better Care Fund"); a row too long for the encoder is split by cells (and
long cells by sentences), each piece carrying the row's first cell as context so that it
still says what it is about. Every passage's ``text`` is ``doc.text[start:end]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from corpus.models import Block, Document
from search.models import Passage

MAX_CHARS = 700
"""Longest passage, in characters: about 150 words, inside MiniLM's 256-token window with context."""

MIN_CHARS = 120
"""Prose pieces shorter than this are merged with their neighbours in the same section."""

_SENTENCE_END = re.compile(r"(?<=[.!?;:])[\"')\]]*\s+(?=[\"'(\[•\-–]?\s*[A-Z0-9£])|\n+")
_IDENTITY_CHARS = 160


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence-like spans of ``text[start:end]``, whitespace trimmed, as absolute offsets."""
    spans: list[tuple[int, int]] = []
    pos = start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, end))
    return [s for s in (_trim(text, a, b) for a, b in spans) if s[1] > s[0]]


def split_span(text: str, start: int, end: int, max_chars: int = MAX_CHARS) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into pieces of at most ``max_chars``, at sentence boundaries.

    A single sentence longer than ``max_chars`` is cut at the last space before the limit.
    """
    start, end = _trim(text, start, end)
    if end - start <= max_chars:
        return [(start, end)] if end > start else []
    pieces: list[tuple[int, int]] = []
    for s, e in sentence_spans(text, start, end):
        while e - s > max_chars:
            cut = text.rfind(" ", s + max_chars // 2, s + max_chars)
            cut = cut if cut > s else s + max_chars
            pieces.append(_trim(text, s, cut))
            s = _trim(text, cut, e)[0]
        pieces.append((s, e))
    merged: list[tuple[int, int]] = []
    for s, e in pieces:
        if merged and e - merged[-1][0] <= max_chars:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def build_passages(doc: Document, max_chars: int = MAX_CHARS, min_chars: int = MIN_CHARS) -> list[Passage]:
    """The passages of one paper, in reading order."""
    return list(_iter_passages(doc, max_chars, min_chars))


def _iter_passages(doc: Document, max_chars: int, min_chars: int) -> Iterator[Passage]:
    buffer: list[tuple[int, int]] = []
    buffer_section = ""
    buffer_kind = "paragraph"

    def flush() -> Iterator[Passage]:
        if buffer:
            yield _passage(doc, buffer[0][0], buffer[-1][1], buffer_kind, buffer_section)
            buffer.clear()

    for block in doc.blocks:
        if block.kind in ("heading", "table_header"):
            yield from flush()
            continue
        if block.kind == "table_row" and block.cells:
            yield from flush()
            yield from _row_passages(doc, block, max_chars)
            continue
        for s, e in split_span(doc.text, block.start, block.end, max_chars):
            size = e - s
            fits = buffer and e - buffer[0][0] <= max_chars and block.section == buffer_section
            small = buffer and (buffer[-1][1] - buffer[0][0] < min_chars or size < min_chars)
            if fits and small:
                buffer.append((s, e))
                if block.kind != buffer_kind:
                    buffer_kind = "paragraph"
                continue
            yield from flush()
            buffer.append((s, e))
            buffer_section, buffer_kind = block.section, block.kind
    yield from flush()


def _row_passages(doc: Document, block: Block, max_chars: int) -> Iterator[Passage]:
    cells = [c for c in block.cells if c.text.strip()]
    if not cells:
        return
    context = _clean(block.group)
    rendered = "; ".join(_cell_phrase(c.header, c.text) for c in cells)
    if len(rendered) <= max_chars:
        start, end = _trim(doc.text, cells[0].start, cells[-1].end)
        yield _passage(doc, start, end, "table_row", block.section, context, rendered)
        return
    # Too long for the encoder: split by cells, each piece saying which row it belongs to.
    identity = _cell_phrase(cells[0].header, _shorten(cells[0].text, _IDENTITY_CHARS))
    chunk: list[tuple[str, int, int]] = []

    def emit() -> Iterator[Passage]:
        if chunk:
            phrase = "; ".join(_cell_phrase(h, doc.text[s:e]) for h, s, e in chunk)
            first = chunk[0][1] == cells[0].start
            ctx = " | ".join(p for p in (context, "" if first else identity) if p)
            yield _passage(doc, chunk[0][1], chunk[-1][2], "table_row", block.section, ctx, phrase)
            chunk.clear()

    for cell in cells:
        for s, e in split_span(doc.text, cell.start, cell.end, max_chars - len(cell.header) - 2):
            size = e - s + len(cell.header) + 2
            used = sum(e2 - s2 + len(h2) + 4 for h2, s2, e2 in chunk)
            if chunk and used + size > max_chars:
                yield from emit()
            chunk.append((cell.header, s, e))
    yield from emit()


def _passage(
    doc: Document, start: int, end: int, kind: str, section: str, context: str = "", rendered: str = ""
) -> Passage:
    meta = doc.metadata
    return Passage(
        doc_id=doc.doc_id,
        file_name=doc.file_name,
        start=start,
        end=end,
        text=doc.text[start:end],
        kind=kind,
        section=_clean(section),
        context=context,
        rendered=rendered,
        authority=meta.authority,
        date=meta.date,
        committee=meta.committee,
        document_type=meta.document_type,
    )


def _cell_phrase(header: str, text: str) -> str:
    text = _clean(text)
    header = _clean(header)
    return f"{header}: {text}" if header else text


def _clean(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, limit: int) -> str:
    text = _clean(text)
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit] + "…"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def passages_of(documents: Iterable[Document], max_chars: int = MAX_CHARS) -> Iterator[Passage]:
    """The passages of many papers, paper after paper."""
    for doc in documents:
        yield from build_passages(doc, max_chars=max_chars)
