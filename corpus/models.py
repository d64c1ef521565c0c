"""Typed records the corpus layer hands to every later layer.

A :class:`Document` is one paper: its canonical clean text plus :class:`Block` records
(headings, paragraphs, list items, table rows), each carrying character offsets into that
text. Offsets are the backbone of provenance: ``doc.text[b.start:b.end] == b.text`` always.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BLOCK_KINDS = ("heading", "paragraph", "list_item", "table_header", "table_row")


@dataclass(frozen=True)
class Cell:
    """One table cell: its column header, its clean text and its offsets in the document."""

    header: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Block:
    """A structural unit of a paper with offsets into the canonical text.

    ``section`` is the nearest enclosing heading's text ('' before the first heading);
    ``level`` is the heading depth for headings (1 = top); ``table_id``/``row`` place a
    table row; ``cells`` hold the row's cells with their column headers; ``group`` is
    a table's current group label (e.g. "Continuing", "New") when the table has them,
    and ``groups`` the whole chain of labels above the row, outermost first (e.g. a
    numbered priority, then "Continuing").
    """

    kind: str
    start: int
    end: int
    text: str
    section: str = ""
    level: int = 0
    page: int | None = None
    table_id: int | None = None
    row: int | None = None
    cells: tuple[Cell, ...] = ()
    group: str = ""
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table: its column headers and the offsets of its span in the canonical text."""

    table_id: int
    header: tuple[str, ...]
    start: int
    end: int
    page: int | None = None


@dataclass
class Metadata:
    """Paper metadata; ``sources`` says per field how it was obtained.

    A source is ``"catalogue"``, ``"inferred:<rule>"`` (e.g. ``"inferred:meeting-date"``)
    or ``"missing"``. ``date`` is ISO 8601 as precise as known: ``2019-07-09``,
    ``2017-11`` or ``2011``.
    """

    authority: str | None = None
    gss_code: str | None = None
    date: str | None = None
    committee: str | None = None
    title: str | None = None
    document_type: str | None = None
    source_url: str | None = None
    """The address the paper was fetched from (``councilkg fetch`` or a catalogue), if known."""
    meeting_url: str | None = None
    """The page of the meeting the paper belongs to, if known."""
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        """The year of :attr:`date`, if known."""
        return int(self.date[:4]) if self.date and self.date[:4].isdigit() else None


@dataclass
class Document:
    """One paper, cleaned and structured.

    ``doc_id`` is a stable key derived from the file name (a slug), so a changed file
    keeps its id and replaces its earlier version. ``content_hash`` is the SHA-256 of the
    raw bytes.
    """

    doc_id: str
    file_name: str
    content_hash: str
    text: str
    blocks: list[Block]
    tables: list[Table]
    metadata: Metadata
    pages: int = 1

    @property
    def words(self) -> int:
        """Number of whitespace-separated words in the canonical text."""
        return len(self.text.split())


EXAMPLE_TEXT = (
    "Health and Social Care Integration\n\n"
    "1. The partners consist of Nottingham City Council and NHS England.\n\n"
    "Service\tFunding Source\tFinances in Scope\n"
    "Home Care\tBetter Care Fund\t£1.2m\n"
)


def example_document() -> Document:
    """A small, hand-checked Document that tests of every layer may reuse."""
    text = EXAMPLE_TEXT
    h_end = text.index("\n")
    p_start = text.index("1. The")
    p_end = text.index("\n", p_start)
    th_start = text.index("Service\t")
    th_end = text.index("\n", th_start)
    r_start = text.index("Home Care\t")
    r_end = text.index("\n", r_start)
    headers = ("Service", "Funding Source", "Finances in Scope")
    cells = []
    pos = r_start
    for header, value in zip(headers, text[r_start:r_end].split("\t"), strict=True):
        cells.append(Cell(header, value, pos, pos + len(value)))
        pos += len(value) + 1
    section = text[:h_end]
    blocks = [
        Block("heading", 0, h_end, section, level=1),
        Block("paragraph", p_start, p_end, text[p_start:p_end], section=section),
        Block("table_header", th_start, th_end, text[th_start:th_end], section=section, table_id=0),
        Block(
            "table_row", r_start, r_end, text[r_start:r_end], section=section,
            table_id=0, row=0, cells=tuple(cells),
        ),
    ]
    return Document(
        doc_id="example-paper",
        file_name="example-paper.txt",
        content_hash="0" * 64,
        text=text,
        blocks=blocks,
        tables=[Table(0, headers, th_start, r_end)],
        metadata=Metadata(
            authority="Nottingham City Council",
            gss_code="E06000018",
            date="2019-07-09",
            committee="Health and Wellbeing Board",
            title="Health and Social Care Integration",
            document_type="committee report",
            sources={"authority": "catalogue", "date": "catalogue"},
        ),
    )
