"""One structure builder: loaded lines in, canonical text with offset-carrying blocks out.

The rules follow what converted council papers look like (see the sample corpus):

* headings: Markdown ``#``, numbered headings (``3b.``, ``4.2``, ``1 MINUTES``), upper-case
  titles and short title lines standing alone;
* paragraphs (lines that wrap onto a lower-case continuation are joined, also across a
  page break) and list items (``-``, ``•``, ``<li>``);
* tables from tab-separated (or ``| pipe |``) rows: header row detection, headers
  repeated after a page break dropped, rows split over a page break merged (cells cut
  mid-word glued back), group-label rows (``Continuing``, ``New``, numbered priorities)
  carried on the following rows;
* running page furniture ("Page 18", bare page numbers, "This page is intentionally left
  blank", an "Appendix 2" line between two pages of one table) kept out of the text.

Every block and cell satisfies ``text[start:end] == block.text`` by construction.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from corpus.inline_markup import clean_inline, clean_segments
from corpus.models import Block, Cell, Table
from corpus.source import SourceLine

_PAGE_MARK = re.compile(r"^\s*(?:-\s*)?(?:page\s+\d+(?:\s+of\s+\d+)?|\d{1,3})(?:\s*-)?\s*$", re.IGNORECASE)
_BLANK_PAGE = re.compile(
    r"^\s*(?:this\s+page\s+(?:is\s+)?(?:intentionally|deliberately)\s+(?:left\s+)?blank)\.?\s*$",
    re.IGNORECASE,
)
_SEPARATOR_ROW = re.compile(r"^[\s|:+\-–—=_]*$")
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_BULLET_LINE = re.compile(r"^\s*(?:[-*+•▪●◦–]|\d+\))\s+(?=\S)")
_BULLET_ONLY = re.compile(r"^\s*[-*+•▪●◦–]\s+")
_NUMBERED = re.compile(r"^\(?(\d{1,2}(?:\.\d{1,2})*)([a-z])?[.)]?\s+(\S.*)$")
_ROW_LABEL = re.compile(r"^\(?\d{1,2}(?:\.\d{1,2})*[a-z]?[.)]?(?:\s|$)|^[a-z][.)]\s|^[ivx]+[.)]\s")
_MD_HEADING = re.compile(r"^\s*(#{1,6})\s+(.*)$")
_DATE_ONLY = re.compile(
    r"^\s*(?:\w+day,?\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{4}\s*$",
    re.IGNORECASE,
)
_DATE_ANYWHERE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{4}\b",
    re.IGNORECASE,
)
_TERMINAL = ".!?;:,"
# A bold run opened at the start of a line ("**10 LIST OF …", "- **Scale**") may wrap.
_OPEN_BOLD = re.compile(r"^\s*(?:[-•]\s+)?\*\*")
# Lines that stand alone yet are no headings: answers in forms, people in attendance
# lists ("Councillor Jane Smith"), glossary entries ("BCF – Better Care Fund"), codes.
_ANSWER = frozenset(["yes", "no", "none", "n/a", "na", "nil", "not applicable", "tbc", "tbd"])
_HONORIFIC = re.compile(
    r"^(?:councillor|cllr|mr|mrs|ms|miss|dr|prof|professor|sir|dame|lord|baroness)\.?\s", re.IGNORECASE
)
_GLOSSARY_ENTRY = re.compile(r"^[A-Z][A-Z&]{1,5}\s*[–—=:-]\s+[A-Z][a-z]")
_CODE_TOKEN = re.compile(r"^[A-Z]{1,6}\d[\w/.]*$")  # "HWB21", "CAB12/34"; not "COVID-19"
# A line ending in one of these words leads into what follows ("RESOLVED to", "as follows").
_LEAD_IN_END = frozenset(
    ["to", "the", "a", "an", "of", "and", "or", "for", "with", "that", "by", "from", "in", "on", "at"]
    + ["as", "is", "are", "be", "include", "includes", "including", "following", "follows"]
)
_SECTION_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})+[a-z]?\.?$|^\d{1,2}[a-z]\.?$")
_WORD = re.compile(r"[A-Za-z]+")
# Word endings that are no words of their own: a cell continuing with one was cut mid-word.
_SUFFIX = re.compile(
    r"(?:a|i)?tions?|sions?|ments?|ness|ings?|it(?:y|ies)|[ae]nces?|ships?|ically|ical|ures?|ous|ives?"
    r"|[ai]bl[ey]|[ao]ry|ised|ized|ising|izing|isation|ization|ually|ally"
)

# Short words that are complete on their own: never glued to a continuation.
_COMMON_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "within",
        "per",
        "via",
        "are",
        "was",
        "were",
        "will",
        "not",
        "but",
        "all",
        "any",
        "each",
        "its",
        "their",
        "our",
        "this",
        "that",
        "these",
        "those",
    ]
)


@dataclass
class _Row:
    raw: list[str]
    cells: list[str]
    page: int | None
    after_break: bool = False

    @property
    def filled(self) -> list[int]:
        return [i for i, c in enumerate(self.cells) if c]


@dataclass
class _Proto:
    kind: str
    text: str
    page: int | None
    level: int = 0
    cells: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    table: int | None = None
    row: int | None = None
    groups: tuple[str, ...] = ()
    # Continuations appended later (joined with spaces when rendering): appending to a list
    # keeps a paragraph continued thousands of times linear, where ``text + " " + more`` is not.
    more: list[str] = field(default_factory=list)
    brackets: int | None = None  # brackets opened minus closed, counted once and kept up to date

    def extend(self, piece: str) -> None:
        """Append ``piece`` after a space."""
        if self.brackets is not None:
            self.brackets += piece.count("(") - piece.count(")")
        self.more.append(piece)

    @property
    def full_text(self) -> str:
        """The text with every continuation."""
        return " ".join([self.text, *self.more]) if self.more else self.text

    @property
    def last_piece(self) -> str:
        """The last piece appended (the text when none was)."""
        return self.more[-1] if self.more else self.text

    def open_brackets(self) -> int:
        """Brackets opened and not closed in the whole text."""
        if self.brackets is None:
            full = self.full_text
            self.brackets = full.count("(") - full.count(")")
        return self.brackets


@dataclass
class _Gap:
    """Blank lines, page breaks and furniture between two runs."""

    page_break: bool = False
    furniture: bool = False


@dataclass
class _TextRun:
    lines: list[SourceLine]


@dataclass
class _TableRun:
    rows: list[_Row]


class _LogicalLine:
    """Physical lines being joined into one logical line, with running counts of their markup."""

    def __init__(self, text: str, page: int | None) -> None:
        self.pieces = [text]
        self.page = page
        self.last = text
        self._starts_bold = bool(_OPEN_BOLD.match(text))
        self._bold_marks = text.count("**")
        self._brackets = text.count("(") - text.count(")")
        self._upper_title: bool | None = None

    @property
    def open_bold(self) -> bool:
        """A bold run opened at the start of the line and not closed yet."""
        return self._starts_bold and self._bold_marks % 2 == 1

    @property
    def open_paren(self) -> bool:
        """More brackets opened than closed so far."""
        return self._brackets > 0

    def is_upper_title(self) -> bool:
        """Whether the line so far is a short upper-case title (computed once per change)."""
        if self._upper_title is None:
            self._upper_title = _is_upper_title(clean_inline(self.text))
        return self._upper_title

    @property
    def text(self) -> str:
        return " ".join(self.pieces)

    def join(self, stripped: str) -> None:
        """Append the next physical line (already stripped on the left)."""
        # The joined line is ``previous.rstrip() + " " + stripped``; whitespace holds no ``*``
        # or bracket, so the counts simply add up.
        self.pieces[-1] = self.pieces[-1].rstrip()
        self.pieces.append(stripped)
        self.last = stripped
        self._bold_marks += stripped.count("**")
        self._brackets += stripped.count("(") - stripped.count(")")
        self._upper_title = None

    def done(self) -> tuple[str, int | None]:
        return self.text, self.page


@dataclass
class Structure:
    """The canonical text with its blocks and tables."""

    text: str
    blocks: list[Block]
    tables: list[Table]


def _split_cells(line: str) -> list[str] | None:
    """Raw cells of a table line, or ``None`` when the line is not a table row."""
    if "\t" in line:
        return line.rstrip("\r\n ").split("\t")
    if _PIPE_ROW.match(line):
        return [c.strip() for c in line.strip().strip("|").split("|")]
    return None


def _is_furniture(line: SourceLine) -> bool:
    return line.furniture or bool(_PAGE_MARK.match(line.text) or _BLANK_PAGE.match(line.text))


def _runs(lines: list[SourceLine]) -> list[_TextRun | _TableRun | _Gap]:
    """Group lines into text runs, table runs and gaps (blank lines, furniture, page breaks)."""
    out: list[_TextRun | _TableRun | _Gap] = []
    prev_page: int | None = None
    for line in lines:
        if prev_page is not None and line.page is not None and line.page != prev_page:
            if not out or not isinstance(out[-1], _Gap):
                out.append(_Gap())
            out[-1].page_break = True
        if line.page is not None:
            prev_page = line.page
        text = line.text.rstrip("\r\n ")
        if not text.strip() or _is_furniture(line):
            if not out or not isinstance(out[-1], _Gap):
                out.append(_Gap())
            if text.strip():
                out[-1].furniture = True
            continue
        raw_cells = _split_cells(text)
        if raw_cells is not None:
            if _SEPARATOR_ROW.match(text.replace("\t", " ")):
                continue  # Markdown-style rule under a header row: no content
            row = _Row(raw_cells, [clean_inline(c) for c in raw_cells], line.page)
            if not any(row.cells):
                continue
            if out and isinstance(out[-1], _TableRun):
                out[-1].rows.append(row)
            else:
                out.append(_TableRun([row]))
        else:
            if out and isinstance(out[-1], _TextRun):
                out[-1].lines.append(SourceLine(text, line.page, line.furniture))
            else:
                out.append(_TextRun([SourceLine(text, line.page, line.furniture)]))
    return out


def _vocabulary(lines: list[SourceLine]) -> Counter[str]:
    """How often each (lower-cased) word occurs in the paper; one scan of all lines joined
    (a line break is no letter, so no word spans two lines)."""
    return Counter(map(str.lower, _WORD.findall("\n".join(line.text for line in lines))))


class _Builder:
    def __init__(self, lines: list[SourceLine]) -> None:
        self.lines = lines
        self.vocab = _vocabulary(lines)
        self.protos: list[_Proto] = []
        self.table_headers: list[list[str]] = []
        self.pending_number = ""

    # -- text ---------------------------------------------------------------------------

    def _heading_level(self, raw: str, clean: str) -> int:
        """The heading level of a stand-alone line, or 0 when it is not a heading."""
        md = _MD_HEADING.match(raw)
        if md:
            return len(md.group(1))
        words = clean.split()
        if not words or len(words) > 30 or _DATE_ONLY.match(clean) or _not_a_title(clean):
            return 0
        letters = _letters(clean)
        if len(letters) < 2:
            return 0
        upper = _upper_share(letters)
        num = _NUMBERED.match(clean)
        if clean.endswith(("–", "-", "—")):
            return 0  # a line ending in a dash introduces what follows
        if num and upper >= 0.8 and not clean.endswith(tuple(_TERMINAL)):
            # "5 LEGAL AND PROCUREMENT COMMENTS (INCLUDING …)": numbered upper-case headings
            # of report templates run long.
            return num.group(1).count(".") + 1 + (1 if num.group(2) else 0)
        if len(words) > 25:
            return 0
        if num and not clean.rstrip().endswith(tuple(_TERMINAL)) and len(words) <= 16:
            rest = num.group(3)
            if (rest[:1].isupper() or rest[:1] == "(") and not re.search(r"[.!?]\s", rest):
                return num.group(1).count(".") + 1 + (1 if num.group(2) else 0)
        if num and upper < 0.8:
            return 0
        if upper >= 0.8 and len(letters) >= 3 and len(words) <= 15:
            return 1
        if (
            len(words) <= 10
            and clean[0].isupper()
            and not clean.endswith(tuple(_TERMINAL))
            and ":" not in clean
            and clean.count(",") < 2
            and not _ROW_LABEL.match(clean)
            and not _DATE_ANYWHERE.search(clean)
            and (len(words) <= 5 or _capitalised_share(words) >= 0.5)
        ):
            return 2
        return 0

    def _logical_lines(self, run: _TextRun) -> list[tuple[str, int | None]]:
        """Join physical lines that belong together (wrapped text, open bold, open bracket).

        Linear in the run's length: a logical line is kept as its pieces with running counts
        of ``**`` and brackets, so that thousands of wrapped lines are never re-scanned or
        re-copied as one growing string.
        """
        out: list[tuple[str, int | None]] = []
        current: _LogicalLine | None = None
        for line in run.lines:
            text = line.text
            if current is not None:
                stripped = text.lstrip()
                wraps = (
                    not current.last.rstrip().endswith(tuple(_TERMINAL))
                    and stripped[:1].islower()
                    and not _BULLET_LINE.match(text)
                )
                if (
                    current.open_bold
                    or current.open_paren
                    or wraps
                    or (
                        text.lstrip("*_ ")[:1] == "("
                        and _is_parenthesised_upper(text)
                        and current.is_upper_title()
                    )
                ):
                    current.join(stripped)
                    continue
                out.append(current.done())
            current = _LogicalLine(text, line.page)
        if current is not None:
            out.append(current.done())
        return out

    def add_text_run(self, run: _TextRun, after_gap: bool) -> None:
        logical = self._logical_lines(run)
        alone = len(logical) == 1
        for index, (raw, page) in enumerate(logical):
            bullet = _BULLET_LINE.match(raw)
            body = raw[bullet.end() :] if bullet and _BULLET_ONLY.match(raw) else raw
            md = _MD_HEADING.match(body)
            if md:
                body = md.group(2)
            segments = [s for s in clean_segments(body) if s.text.strip("| ")]
            if not segments:
                continue
            if len(segments) == 1 and _SECTION_NUMBER.match(segments[0].text):
                self.pending_number = segments[0].text  # "4.4" on its own numbers what follows
                continue
            first = segments[0]
            if (
                index == 0
                and after_gap
                and not bullet
                and first.kind == "paragraph"
                and (
                    (first.text[:1].islower() and self._continue_previous(first.text))
                    or self._close_heading(first.text)
                )
            ):
                segments = segments[1:]
            for n, seg in enumerate(segments):
                kind = "list_item" if (bullet and n == 0) or seg.kind == "list_item" else "paragraph"
                level = 0
                if kind == "paragraph" and len(segments) == 1 and not bullet:
                    if md:
                        level = len(md.group(1))
                    elif alone:
                        level = self._heading_level(raw, seg.text)
                    elif _is_upper_title(seg.text):
                        level = 1
                text = seg.text
                if self.pending_number:
                    text, self.pending_number = f"{self.pending_number} {text}", ""
                if level:
                    self.protos.append(_Proto("heading", text, page, level=level))
                else:
                    self.protos.append(_Proto(kind, text, page))

    def _close_heading(self, text: str) -> bool:
        """Append ``text`` to the previous heading when it closes that heading's open bracket.

        An upper-case heading wrapped with a blank line ("… (FOR DECISIONS RELATING TO ALL
        ASSETS AND ASSOCIATED" / "INFRASTRUCTURE (… ONLY)") is one heading.
        """
        if not self.protos:
            return False
        prev = self.protos[-1]
        if prev.kind != "heading" or prev.open_brackets() <= 0 or not _is_upper_title_line(text):
            return False
        if not text.rstrip(" .").endswith(")"):
            return False
        prev.extend(text)
        return True

    def _continue_previous(self, text: str) -> bool:
        """Append ``text`` to the previous paragraph when it is that paragraph's continuation."""
        if not self.protos:
            return False
        prev = self.protos[-1]
        if prev.kind not in ("paragraph", "list_item") or prev.last_piece.endswith(tuple(".!?:;")):
            return False
        prev.extend(text)
        return True

    # -- tables -------------------------------------------------------------------------

    def _glue(self, before: str, after: str) -> str:
        """Join the two halves of a cell cut by a page break."""
        if not before:
            return after
        if not after:
            return before
        tail = _WORD.findall(before[-40:])
        head = _WORD.findall(after[:40])
        if before[-1].isalpha() and after[0].islower() and tail and head:
            fragment, rest = tail[-1].lower(), head[0].lower()
            joined = fragment + rest
            # A cut word: the fragment is no word of its own in this paper while the joined
            # word is, or the continuation cannot be a word of its own: no vowel, as in "nt",
            # or a bare suffix, as in "Associa" + "tion".
            if (
                fragment not in _COMMON_WORDS
                and self.vocab[fragment] <= 1
                and (self.vocab[joined] >= 1 or not re.search(r"[aeiouy]", rest) or _SUFFIX.fullmatch(rest))
            ):
                return before + after
        return before + " " + after

    def _is_continuation(self, row: _Row, width: int) -> bool:
        """A row after a page break that continues the row above it."""
        if not row.cells[0].strip():
            return len(row.filled) > 0
        first = row.cells[0]
        if first[:1].islower():
            return True
        if _ROW_LABEL.match(first) or len(row.filled) == 1:
            return False
        return any(c[:1].islower() for c in row.cells[1:width])

    def _is_header(self, row: _Row, others: list[_Row]) -> bool:
        filled = row.filled
        if len(filled) < 2 or not others:
            return False
        if any(_clean_key(o.cells) == _clean_key(row.cells) for o in others):
            return True
        for i in filled:
            cell = row.cells[i]
            if len(cell.split()) > 8 or cell[:1].isdigit() or cell[:1] in "-•–£$€%(":
                return False
            if cell.endswith(":") or "☐" in cell or "☒" in cell:
                return False
        if _ROW_LABEL.match(row.cells[0]):
            return False
        # Key/value tables format each column the same way in every row (e.g. values in
        # italics); a header row is formatted unlike the rows below it.
        pattern = _emphasis_pattern(row.raw)
        return not (any(pattern) and all(_emphasis_pattern(o.raw) == pattern for o in others))

    def _group_label(self, row: _Row) -> tuple[int, str] | None:
        """``(depth, label)`` when the row only labels the rows below it."""
        if row.filled != [0]:
            return None
        raw, clean = row.raw[0].strip(), row.cells[0]
        if re.match(r"^\d{1,2}[.)]\s+\S", clean):
            return 0, clean
        emphasised = re.fullmatch(r"(?:<(?:b|u|i|strong|em)>\s*)+.*?(?:</(?:b|u|i|strong|em)>\s*)+", raw)
        if (emphasised or raw.startswith("**")) and len(clean.split()) <= 6:
            return 1, clean
        if len(clean.split()) <= 2 and clean[:1].isupper() and not clean.endswith("."):
            return 1, clean
        return None

    def add_table(self, rows: list[_Row]) -> None:
        table_id = len(self.table_headers)
        width = max(len(r.cells) for r in rows)
        if max(len(r.filled) for r in rows) < 2:
            # A one-column "table" (a layout box) is a list of paragraphs: the paragraphs and
            # list items inside its cells keep their own blocks.
            for row in rows:
                raw = row.raw[row.filled[0]]
                segments = [seg for seg in clean_segments(raw) if seg.text.strip("| ")]
                for n, seg in enumerate(segments):
                    text = seg.text
                    if n == 0 and row.after_break and text[:1].islower() and self._continue_previous(text):
                        continue
                    self.protos.append(_Proto(seg.kind, text, row.page))
            return
        if len(rows) >= 3 and len(rows[0].filled) == 1 and not self._group_label(rows[0]):
            self.protos.append(_Proto("heading", rows[0].cells[rows[0].filled[0]], rows[0].page, level=3))
            rows = rows[1:]
        header: list[str] = []
        if self._is_header(rows[0], rows[1:]):
            header = rows[0].cells
            page = rows[0].page
            rows = rows[1:]
            self.protos.append(
                _Proto(
                    "table_header",
                    "\t".join(header),
                    page,
                    cells=list(header),
                    headers=list(header),
                    table=table_id,
                )
            )
        self.table_headers.append(header)
        key = _clean_key(header) if header else None
        merged: list[_Row] = []
        for row in rows:
            if key is not None and _clean_key(row.cells) == key:
                continue  # header repeated after a page break
            if row.after_break and merged and self._is_continuation(row, width):
                prev = merged[-1]
                n = max(len(prev.cells), len(row.cells))
                cells = [self._glue(_at(prev.cells, i), _at(row.cells, i)) for i in range(n)]
                merged[-1] = _Row(prev.raw, cells, prev.page)
                continue
            merged.append(row)
        groups: list[str] = ["", ""]
        for index, row in enumerate(merged):
            label = self._group_label(row)
            if label:
                depth, text = label
                groups[depth] = text
                if depth == 0:
                    groups[1] = ""
            headers = [_at(header, i) if header else _key_header(row.cells, i) for i in range(len(row.cells))]
            self.protos.append(
                _Proto(
                    "table_row",
                    "\t".join(row.cells),
                    row.page,
                    cells=list(row.cells),
                    headers=headers,
                    table=table_id,
                    row=index,
                    groups=tuple(g for g in groups if g)
                    if not label
                    else tuple(g for g in groups[: label[0]] if g),
                )
            )

    # -- rendering ----------------------------------------------------------------------

    def build(self) -> Structure:
        items = _runs(self.lines)
        index = 0
        pending_gap: _Gap | None = None
        while index < len(items):
            item = items[index]
            if isinstance(item, _Gap):
                pending_gap = item
                index += 1
                continue
            if isinstance(item, _TextRun):
                self.add_text_run(item, after_gap=pending_gap is not None)
                pending_gap = None
                index += 1
                continue
            rows = list(item.rows)
            width = max(len(r.cells) for r in rows)  # kept up to date: rows can run to many pages
            index += 1
            # Follow the table across page breaks: gaps, furniture lines and short
            # running titles between two runs of one table are not content.
            while index < len(items):
                look = index
                crossed = False
                skipped_text = False
                while look < len(items):
                    nxt = items[look]
                    if isinstance(nxt, _Gap):
                        crossed = True
                        look += 1
                    elif (
                        isinstance(nxt, _TextRun)
                        and not skipped_text
                        and len(nxt.lines) == 1
                        and len(nxt.lines[0].text.split()) <= 4
                        and isinstance(items[look - 1], _Gap)
                    ):
                        skipped_text = True
                        look += 1
                    else:
                        break
                if look >= len(items) or not isinstance(items[look], _TableRun) or not crossed:
                    break
                nxt_rows = items[look].rows
                header_keys = {_clean_key(r.cells) for r in rows[:2]}
                first = nxt_rows[0]
                if _clean_key(first.cells) in header_keys or (
                    self._is_continuation(first, width) and len(first.cells) == len(rows[-1].cells)
                ):
                    for row in nxt_rows:
                        if _clean_key(row.cells) not in header_keys:
                            row.after_break = True
                            break
                    rows.extend(nxt_rows)
                    width = max(width, *(len(r.cells) for r in nxt_rows))
                    index = look + 1
                else:
                    break
            self.add_table(rows)
            pending_gap = None
        return self._render()

    def _render(self) -> Structure:
        parts: list[str] = []
        pos = 0
        blocks: list[Block] = []
        tables: dict[int, list[int]] = {}
        table_pages: dict[int, int | None] = {}
        section = ""
        prev: _Proto | None = None
        for proto in self.protos:
            text = proto.full_text.strip()
            if not text and proto.kind != "table_row":
                continue
            if prev is not None:
                same_table = proto.table is not None and proto.table == prev.table
                sep = "\n" if same_table or (proto.kind == prev.kind == "list_item") else "\n\n"
                parts.append(sep)
                pos += len(sep)
            start = pos
            if proto.kind in ("table_row", "table_header"):
                cells: list[Cell] = []
                cell_pos = start
                texts = [c.strip() for c in proto.cells]
                for i, cell_text in enumerate(texts):
                    cells.append(Cell(_at(proto.headers, i), cell_text, cell_pos, cell_pos + len(cell_text)))
                    cell_pos += len(cell_text) + 1
                text = "\t".join(texts)
                cell_tuple = tuple(cells) if proto.kind == "table_row" else ()
            else:
                cell_tuple = ()
            parts.append(text)
            pos += len(text)
            if proto.kind == "heading":
                section = text
            group = proto.groups[-1] if proto.groups else ""
            blocks.append(
                Block(
                    proto.kind,
                    start,
                    pos,
                    text,
                    section=section if proto.kind != "heading" else section,
                    level=proto.level,
                    page=proto.page,
                    table_id=proto.table,
                    row=proto.row,
                    cells=cell_tuple,
                    group=group,
                    groups=proto.groups,
                )
            )
            if proto.table is not None:
                span = tables.setdefault(proto.table, [start, pos])
                span[1] = pos
                table_pages.setdefault(proto.table, proto.page)
            prev = proto
        text = "".join(parts)
        table_records = [
            Table(tid, tuple(self.table_headers[tid]), span[0], span[1], table_pages[tid])
            for tid, span in sorted(tables.items())
        ]
        return Structure(text + ("\n" if text else ""), blocks, table_records)


_EMPHASIS = re.compile(r"^\s*(?:<(?:i|em|b|strong|u)>|\*\*?\S)", re.IGNORECASE)


def _emphasis_pattern(raw: list[str]) -> tuple[bool, ...]:
    """Which cells of a raw row open with emphasis markup."""
    return tuple(bool(_EMPHASIS.match(c)) for c in raw if c.strip())


def _not_a_title(text: str) -> bool:
    """Stand-alone lines that are never headings (see :data:`_ANSWER` and the rules beside it)."""
    words = text.split()
    return (
        text.lower().strip(" .") in _ANSWER
        or bool(_HONORIFIC.match(text))
        or bool(_GLOSSARY_ENTRY.match(text))
        or (len(words) == 1 and bool(_CODE_TOKEN.match(text)))
        or (words[-1] in _LEAD_IN_END)  # only a lower-case final word leads in
    )


def _capitalised_share(words: list[str]) -> float:
    """Share of the content words (not short joining words) that start with a capital."""
    content = [w for w in words if w.lower() not in _COMMON_WORDS and w[:1].isalpha()]
    if not content:
        return 1.0
    return sum(w[0].isupper() for w in content) / len(content)


def _is_parenthesised_upper(text: str) -> bool:
    """An upper-case line opening with a bracket: it qualifies the title above it."""
    stripped = clean_inline(text)
    return stripped.startswith("(") and _is_upper_title(stripped.strip("()"))


def _letters(text: str) -> str:
    """The letters of ``text`` (filtered in C: this runs once per stand-alone line)."""
    return "".join(filter(str.isalpha, text))


def _upper_share(letters: str) -> float:
    """Share of upper-case letters among ``letters`` (not empty)."""
    return sum(map(str.isupper, letters)) / len(letters)


def _is_upper_title_line(text: str) -> bool:
    """Mostly upper-case letters, whatever the length."""
    letters = _letters(text)
    return len(letters) >= 3 and _upper_share(letters) >= 0.8


def _is_upper_title(text: str) -> bool:
    """An upper-case line of a few words (a title even inside a block of lines)."""
    if len(text.split()) > 12:  # checked first: most lines are long, and this is cheap
        return False
    letters = _letters(text)
    return len(letters) >= 3 and _upper_share(letters) >= 0.8 and not _DATE_ONLY.match(text)


def _at(items: list[str], i: int) -> str:
    return items[i] if i < len(items) else ""


def _key_header(cells: list[str], i: int) -> str:
    """For a table without a header row: a value cell is labelled by its row's key cell.

    The key is the first cell when it ends with ":" or is a short label (a form-like
    table such as "Senior Responsible Officer | Jackie Colley").
    """
    if i == 0 or not cells[0]:
        return ""
    key = cells[0]
    if key.endswith(":") or (len(key.split()) <= 6 and not key.endswith(".")):
        return key.rstrip(":").strip()
    return ""


def _clean_key(cells: list[str]) -> tuple[str, ...]:
    return tuple(re.sub(r"\s+", " ", c).strip().lower() for c in cells if c.strip())


def build_structure(lines: list[SourceLine]) -> Structure:
    """Turn loaded lines into canonical text, blocks and tables with exact offsets."""
    return _Builder(lines).build()
