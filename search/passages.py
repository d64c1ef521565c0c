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

from corpus.models import Block, Cell, Document
from search.furniture import (
    CHECKED,
    UNCHECKED,
    has_boxes,
    is_label,
    is_nil_answer,
    is_scrap,
    only_boxes,
    read_ticks,
    tick_phrase,
)
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
    """The passages of one paper, in reading order.

    Form furniture never stands alone: tick-box grids become one passage naming the ticked
    options, a lone label is folded into what follows it, and a scrap under ``MIN_SHOWN``
    characters is merged with its neighbour (or dropped when it says nothing on its own, such
    as "None." or a bare figure). The text stays in the paper; only the index leaves it out.
    """
    raw = list(_iter_passages(doc, max_chars, min_chars, heading_paths(doc)))
    return _fold_scraps(doc, raw, max_chars)


def heading_paths(doc: Document) -> list[str]:
    """Per block, the heading path a reader would cite: report title › heading › subheading.

    An agenda pack holds several reports; each starts with a front sheet whose "Subject:" or
    "Title:" line names it, so blocks after it belong to that report, not to the last minute
    item before it. Headings nest by their level (a level-1 heading closes the ones below).
    """
    paths: list[str] = []
    report = ""
    stack: list[tuple[int, str]] = []
    listed = listed_headings(doc.blocks)
    for i, block in enumerate(doc.blocks):
        title = _report_title(block)
        if title:
            report, stack = title, []
        if block.kind == "heading" and i not in listed:
            level = max(block.level, 1)
            stack = [(lv, t) for lv, t in stack if lv < level]
            stack.append((level, _clean(block.text)))
        parts = ([report] if report else []) + [t for _, t in stack if t != report]
        paths.append(PATH_SEPARATOR.join(parts[-PATH_DEPTH:]))
    return paths


HEADING_RUN = 5
"""Consecutive headings with nothing between them from which they are lines, not headings."""


def listed_headings(blocks: list[Block]) -> set[int]:
    """Indices of "headings" that are really lines of a list or a flattened table: a run of
    ``HEADING_RUN`` or more headings with no text between them (a members list set one name
    per bold line, a table's cells each on its own line). Real headings always head something.
    """
    found: set[int] = set()
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and blocks[j].kind == "heading":
            j += 1
        # The run's last heading, when text follows it, heads that text: it stays a heading.
        last = j - 1 if j < len(blocks) else j
        if last - i >= HEADING_RUN:
            found.update(range(i, last))
        i = max(j, i + 1)
    return found


PATH_SEPARATOR = " › "
PATH_DEPTH = 3
"""Headings kept in a passage's path (report title, item, subheading)."""

_REPORT_TITLE = re.compile(
    r"^\s*(?:subject|title|report title|title of (?:the )?(?:report|paper)|name of report)"
    r"\s*[:：]?\s*(?:\t|:)\s*(\S.{3,200})$",
    re.IGNORECASE,
)


def report_titles(doc: Document) -> list[str]:
    """The titles the paper's front sheets give its reports ("Subject: …"), in order, unique."""
    seen: dict[str, None] = {}
    for block in doc.blocks:
        title = _report_title(block)
        if title:
            seen.setdefault(title, None)
    return list(seen)


def _report_title(block: Block) -> str:
    """The report a front-sheet line names ("Subject:\tCare Homes …"), else ''."""
    if block.kind not in ("table_row", "paragraph"):
        return ""
    first = block.text.split("\n", 1)[0]
    match = _REPORT_TITLE.match(first)
    return _clean(match.group(1)) if match else ""


def _iter_passages(doc: Document, max_chars: int, min_chars: int, paths: list[str]) -> Iterator[Passage]:
    buffer: list[tuple[int, int]] = []
    buffer_section = ""
    buffer_kind = "paragraph"
    blocks = doc.blocks
    listed = listed_headings(blocks)

    def flush() -> Iterator[Passage]:
        if buffer:
            start, end = buffer[0][0], buffer[-1][1]
            quote = doc.text[start:end]
            rendered = read_out_boxes(quote) if has_boxes(quote) else ""
            yield _passage(doc, start, end, buffer_kind, buffer_section, "", rendered)
            buffer.clear()

    i = 0
    while i < len(blocks):
        block, section = blocks[i], paths[i]
        if block.kind in ("heading", "table_header") and i not in listed:
            yield from flush()
            i += 1
            continue
        if block.kind == "table_row" and block.cells:
            yield from flush()
            grid_end, grid = _tick_grid(doc, blocks, i, section)
            if grid_end > i:
                if grid is not None:
                    yield grid
                i = grid_end
                continue
            if not _is_group_label(blocks, i):
                yield from _row_passages(doc, block, max_chars, section)
            i += 1
            continue
        for s, e in split_span(doc.text, block.start, block.end, max_chars):
            size = e - s
            fits = buffer and e - buffer[0][0] <= max_chars and section == buffer_section
            small = buffer and (buffer[-1][1] - buffer[0][0] < min_chars or size < min_chars)
            kind = "list_item" if i in listed else block.kind
            if fits and small:
                buffer.append((s, e))
                if kind != buffer_kind:
                    buffer_kind = "paragraph"
                continue
            yield from flush()
            buffer.append((s, e))
            buffer_section, buffer_kind = section, kind
        i += 1
    yield from flush()


def read_out_boxes(text: str) -> str:
    """Prose with its tick boxes read out: a ticked box says "(ticked)", an unticked one is
    dropped, so "Yes ☒" reads "Yes (ticked)" and the glyphs never reach the index."""
    text = re.sub(f"[{CHECKED}]", "(ticked)", text)
    text = re.sub(f"[{UNCHECKED}]", " ", text)
    return _clean(text)


def _tick_grid(doc: Document, blocks: list[Block], i: int, section: str) -> tuple[int, Passage | None]:
    """A tick-box grid starting at ``blocks[i]``: (index after it, its passage or None).

    A grid is a run of rows of one table, each a label cell followed by bare boxes, perhaps
    under a label row ("Relevant Council Plan Key Theme:"). It becomes one passage naming what
    is ticked per column ("Key Theme: Adults, Health and Community Sector"); a grid with
    nothing ticked says nothing and is left out. Returns ``(i, None)`` when no grid starts here.
    """
    table = blocks[i].table_id
    field_label, j = "", i
    if _is_label_row(blocks[i]) and i + 1 < len(blocks) and _is_grid_row(blocks[i + 1], table):
        field_label, j = _clean(blocks[i].cells[0].text).rstrip(":： "), i + 1
    if not _is_grid_row(blocks[j], table):
        return i, None
    end = j
    columns: dict[int, tuple[str, list[str]]] = {}
    while end < len(blocks) and _is_grid_row(blocks[end], table):
        cells = [c for c in blocks[end].cells if c.text.strip()]
        label = _clean(cells[0].text).rstrip(".:")
        for position, cell in enumerate(cells[1:]):
            header = _real_header(cell, cells[0])
            key = position if header else -1
            entry = columns.setdefault(key, (header, []))
            if any(g in CHECKED for g in cell.text):
                entry[1].append(label)
        end += 1
    lines = []
    for header, labels in columns.values():
        if labels:
            name = ": ".join(p for p in (field_label, header.rstrip(":")) if p)
            lines.append(f"{name}: {'; '.join(labels)}" if name else "; ".join(labels))
    if not lines:
        return end, None
    start = blocks[i].start
    stop = _trim(doc.text, start, blocks[end - 1].end)[1]
    return end, _passage(doc, start, stop, "table_row", section, "", " · ".join(lines))


def _is_label_row(block: Block) -> bool:
    cells = [c for c in block.cells if c.text.strip()]
    return block.kind == "table_row" and len(cells) == 1 and is_label(cells[0].text)


def _is_grid_row(block: Block, table: int | None) -> bool:
    if block.kind != "table_row" or block.table_id != table:
        return False
    cells = [c for c in block.cells if c.text.strip()]
    return len(cells) >= 2 and not has_boxes(cells[0].text) and all(only_boxes(c.text) for c in cells[1:])


def _real_header(cell: Cell, first: Cell) -> str:
    """A cell's column header, or '' where the table gave it the row's own label instead."""
    header = _clean(cell.header)
    label = _clean(first.text)
    if not header or header == label or label.startswith(header) or header.startswith(label):
        return ""
    if _TEMPLATE_FIELD.match(header):
        return ""
    return header


_TEMPLATE_FIELD = re.compile(r"^[a-z]+[-_][a-z]+[A-Z0-9]+$")
"""A word processor's field name left in the text ("screentip-sectionA")."""
_TEMPLATE_WORD = re.compile(r"\b[a-z]+[-_][a-z]+[A-Z0-9]+\b\s*")


def row_phrases(block: Block) -> list[tuple[str, int, int]]:
    """A table row read as a person says it: ``(phrase, start, end)`` per value.

    Each value is named by its column header ("Budget: £14m"); a row whose first cell is its
    label gives "Department: Strategy & Resources", not the label twice; tick boxes are read
    out ("Key Decision: Yes"), unticked options and empty cells dropped.
    """
    cells = _pair_boxes([c for c in block.cells if _TEMPLATE_WORD.sub("", c.text).strip()])
    if not cells:
        return []
    first = cells[0]
    out: list[tuple[str, int, int]] = []
    pending: tuple[str, int, int] | None = None  # a label cell waiting for its value
    for position, cell in enumerate(cells):
        text = _clean(_TEMPLATE_WORD.sub("", cell.text))
        header = _real_header(cell, first) if position else _clean(_TEMPLATE_WORD.sub("", cell.header))
        if has_boxes(header):  # a form whose first row of options was taken for column headers
            header = "" if only_boxes(header) else (tick_phrase(header) or read_out_boxes(header))
        ticks = read_ticks(text)
        if ticks is not None:
            if ticks.bare_ticked:
                value = header or "ticked"
            elif ticks.ticked:
                value = tick_phrase(text)
            else:
                value = ticks.label
            header = "" if ticks.bare_ticked else header
            if not value:
                continue
            text = value
        phrase = f"{header}: {text}" if header and not text.startswith(header) else text
        if pending is not None:
            label = pending[0].rstrip(":： ")
            out.append((f"{label}: {text}" if not header else f"{label}; {phrase}", pending[1], cell.end))
            pending = None
            continue
        following = cells[position + 1] if position + 1 < len(cells) else None
        label_like = (
            following is not None
            and not header
            and (
                is_label(text)
                or (position == 0 and _real_header(following, first) == "")
                or _unlabelled_ticks(following.text)
            )
        )
        if label_like and ticks is None:
            pending = (text, cell.start, cell.end)
            continue
        out.append((phrase, cell.start, cell.end))
    if pending is not None:
        out.append(pending)
    return out


def _pair_boxes(cells: list[Cell]) -> list[Cell]:
    """Join a bare box cell with the option cell after it ("☒" + "No major change needed")."""
    out: list[Cell] = []
    i = 0
    while i < len(cells):
        cell = cells[i]
        after = cells[i + 1] if i + 1 < len(cells) else None
        if after is not None and only_boxes(cell.text) and not has_boxes(after.text):
            out.append(Cell(after.header, f"{cell.text.strip()} {after.text.strip()}", cell.start, after.end))
            i += 2
            continue
        out.append(cell)
        i += 1
    return out


def _unlabelled_ticks(text: str) -> bool:
    ticks = read_ticks(text)
    return ticks is not None and not ticks.label and not ticks.bare_ticked


def _is_group_label(blocks: list[Block], i: int) -> bool:
    """A row that only names the group of the rows below it ("Continuing", a priority): it is
    their context (``Block.groups``), not a passage of its own."""
    cells = [c for c in blocks[i].cells if c.text.strip()]
    if len(cells) != 1 or i + 1 >= len(blocks):
        return False
    below = blocks[i + 1]
    text = _clean(cells[0].text)
    labels = below.groups or (below.group,)
    return below.table_id == blocks[i].table_id and any(_clean(g) == text for g in labels)


def _row_passages(doc: Document, block: Block, max_chars: int, section: str) -> Iterator[Passage]:
    phrases = [p for p in row_phrases(block) if p[0]]
    if not phrases:
        return
    context = _clean(block.group)
    rendered = "; ".join(p for p, _, _ in phrases)
    if len(rendered) <= max_chars:
        start, end = _trim(doc.text, phrases[0][1], phrases[-1][2])
        yield _passage(doc, start, end, "table_row", section, context, rendered)
        return
    # Too long for the encoder: split by cells, each piece saying which row it belongs to.
    cells = [c for c in block.cells if c.text.strip()]
    identity = _cell_phrase(cells[0].header, _shorten(cells[0].text, _IDENTITY_CHARS))
    chunk: list[tuple[str, int, int]] = []

    def emit() -> Iterator[Passage]:
        if chunk:
            phrase = "; ".join(_cell_phrase(h, doc.text[s:e]) for h, s, e in chunk)
            first = chunk[0][1] == cells[0].start
            ctx = " | ".join(p for p in (context, "" if first else identity) if p)
            yield _passage(doc, chunk[0][1], chunk[-1][2], "table_row", section, ctx, phrase)
            chunk.clear()

    for cell in cells:
        for s, e in split_span(doc.text, cell.start, cell.end, max_chars - len(cell.header) - 2):
            size = e - s + len(cell.header) + 2
            used = sum(e2 - s2 + len(h2) + 4 for h2, s2, e2 in chunk)
            if chunk and used + size > max_chars:
                yield from emit()
            chunk.append((cell.header, s, e))
    yield from emit()


MIN_SHOWN = 40
"""No passage shorter than this (as shown) is indexed on its own: it is merged or dropped."""

MERGE_SLACK = 1.25
"""A scrap may stretch its neighbour this far past ``max_chars`` (the encoder reads 256 tokens)."""


def _fold_scraps(doc: Document, passages: list[Passage], max_chars: int) -> list[Passage]:
    """Merge passages shown shorter than ``MIN_SHOWN`` into a neighbour; drop scraps that
    cannot be merged and say nothing alone. A lone label is folded into what follows it."""
    limit = int(max_chars * MERGE_SLACK)
    out: list[Passage] = []
    carry: Passage | None = None  # a label waiting for the passage it names
    for p in passages:
        if carry is not None:
            if p.end - carry.start <= limit:
                p = _merge(doc, carry, p, label_first=True)
            elif not is_scrap(_shown(carry)):
                out.append(carry)
            carry = None
        shown = _shown(p)
        if len(shown) >= MIN_SHOWN:
            out.append(p)
            continue
        if is_label(shown) or (p.kind == "table_row" and is_label(shown.split(";")[-1].strip())):
            carry = p
            continue
        prev = out[-1] if out else None
        if prev is not None and p.end - prev.start <= limit and not is_nil_answer(shown):
            out[-1] = _merge(doc, prev, p)
            continue
        if is_scrap(shown):
            continue
        carry = p  # still short: let it join the next passage
    if carry is not None and not is_scrap(_shown(carry)):
        if out and carry.end - out[-1].start <= limit:
            out[-1] = _merge(doc, out[-1], carry)
        else:
            out.append(carry)
    return out


def _shown(p: Passage) -> str:
    return _clean(p.rendered or p.text)


def _merge(doc: Document, a: Passage, b: Passage, label_first: bool = False) -> Passage:
    """One passage spanning ``a`` then ``b`` (``a`` a label naming ``b`` when ``label_first``)."""
    start, end = min(a.start, b.start), max(a.end, b.end)
    rendered = ""
    if a.rendered or b.rendered:
        joiner = " " if label_first else "; "
        rendered = joiner.join(_shown(x) for x in (a, b))
    bigger = b if label_first or len(b.text) > len(a.text) else a
    kind = bigger.kind if a.kind == b.kind or label_first else "paragraph"
    return _passage(doc, start, end, kind, bigger.section, bigger.context, rendered)


def _passage(
    doc: Document, start: int, end: int, kind: str, section: str, context: str = "", rendered: str = ""
) -> Passage:
    """A passage quoting ``doc.text[start:end]`` with the paper's metadata."""
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
