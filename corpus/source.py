"""The neutral intermediate every loader produces and the structure builder consumes.

A loader turns a file's bytes into :class:`SourceLine` records in one plain-text dialect,
the one converted council papers already use: a blank line between paragraphs, ``#``
headings, ``-``/``•`` list items, tab-separated table rows, and inline HTML or Markdown
emphasis that the builder cleans. Each line keeps the page it came from (``None`` when
the format has no pages) and a ``furniture`` flag for running headers and footers the
loader recognised itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceLine:
    """One line of a loaded paper, with its page number."""

    text: str
    page: int | None = None
    furniture: bool = False


@dataclass
class LoadedSource:
    """What a loader returns: the lines, the page count and notes on how it decoded the file."""

    lines: list[SourceLine]
    pages: int = 1
    notes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: str, page: int | None = None) -> LoadedSource:
        """Lines of ``text`` (already decoded), all on one page."""
        return cls([SourceLine(line, page) for line in text.splitlines()])
