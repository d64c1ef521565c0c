"""HTML papers: block elements become lines in the loaders' text dialect.

Headings become ``#`` lines, paragraphs and divisions are separated by blank lines, list
items become ``-`` lines, table rows become tab-separated lines. Inside a table cell the
cell's own markup is passed through so the structure builder cleans it like the inline
HTML of converted papers. Scripts, styles and the document head are dropped.

The markup is parsed by html5rdf (the HTML5 parsing algorithm of html5lib, which rdflib
already depends on), so broken markup recovers the way browsers recover it: a ``<head>``
never closed ends at the first body content, and an unclosed ``<svg>`` ends at the first
HTML block inside it instead of swallowing the rest of the document.
"""

from __future__ import annotations

import re
from html import escape
from xml.etree import ElementTree

import html5rdf

from corpus.loaders.text import decode_text
from corpus.source import LoadedSource, SourceLine
from councilkg.errors import InputError

_SKIP = {"script", "style", "head", "noscript", "template", "svg"}
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "aside",
    "nav",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "address",
    "hr",
    "form",
}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


class _HtmlToLines:
    """Turns the start-tag, end-tag and text events of a parsed document into lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.buffer: list[str] = []
        self.prefix = ""
        self.skip_depth = 0
        self.table_depth = 0
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def _flush(self, blank: bool = True) -> None:
        text = re.sub(r"\s+", " ", "".join(self.buffer)).strip()
        self.buffer = []
        if text:
            self.lines.append(self.prefix + text)
            if blank:
                self.lines.append("")
        self.prefix = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """An element opens."""
        if tag in _SKIP:
            self.skip_depth += 1
            return
        if self.cell is not None:
            if tag in ("td", "th"):
                self.handle_endtag(tag)
            else:
                self.cell.append(_start_tag_text(tag, attrs))
                return
        if tag == "table":
            self._flush()
            self.table_depth += 1
        elif tag == "tr" and self.table_depth:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag in _HEADINGS:
            self._flush()
            self.prefix = "#" * _HEADINGS[tag] + " "
        elif tag == "li":
            self._flush(blank=False)
            self.prefix = "- "
        elif tag == "br":
            self._flush(blank=False)
        elif tag in _BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        """An element closes."""
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if self.cell is not None and tag not in ("td", "th", "tr", "table"):
            self.cell.append(f"</{tag}>")
            return
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(re.sub(r"[\t\r\n]+", " ", "".join(self.cell)).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.cell is not None:
                self.handle_endtag("td")
            if any(c for c in self.row):
                self.lines.append("\t".join(self.row) if len(self.row) > 1 else self.row[0] + "\t")
            self.row = None
        elif tag == "table" and self.table_depth:
            if self.row is not None:
                self.handle_endtag("tr")
            self.table_depth -= 1
            self.lines.append("")
        elif tag in _HEADINGS or tag in _BLOCK:
            self._flush()
        elif tag == "li":
            self._flush(blank=False)

    def handle_data(self, data: str) -> None:
        """Text between tags."""
        if self.skip_depth:
            return
        if self.cell is not None:
            self.cell.append(data.replace("<", "&lt;"))
        elif self.table_depth and self.row is None:
            return  # stray text between rows
        else:
            self.buffer.append(data)

    def close(self) -> None:
        """The document ends."""
        self._flush()


def _start_tag_text(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    """The start tag's markup, for cell markup passed through to the structure builder."""
    parts = [tag] + [name if value is None else f'{name}="{escape(value)}"' for name, value in attrs]
    return "<" + " ".join(parts) + ">"


def _local_name(tag: str) -> str:
    """``svg`` for html5rdf's ``{http://www.w3.org/2000/svg}svg``."""
    return tag.rpartition("}")[2].lower()


def _walk(root: ElementTree.Element, sink: _HtmlToLines) -> None:
    """Fire ``sink``'s events for the tree under ``root`` in document order (no recursion)."""
    stack: list[tuple[ElementTree.Element, bool]] = [(root, False)]
    while stack:
        element, closing = stack.pop()
        if not isinstance(element.tag, str):  # comments and processing instructions
            if closing and element.tail:
                sink.handle_data(element.tail)
            elif not closing:
                stack.append((element, True))
            continue
        tag = _local_name(element.tag)
        if closing:
            sink.handle_endtag(tag)
            if element.tail:
                sink.handle_data(element.tail)
            continue
        sink.handle_starttag(tag, [(_local_name(k), v) for k, v in element.attrib.items()])
        if element.text:
            sink.handle_data(element.text)
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(list(element)))


def html_to_lines(markup: str) -> list[str]:
    """The text-dialect lines of an HTML document, parsed by the HTML5 rules."""
    document = html5rdf.parse(markup, treebuilder="etree", namespaceHTMLElements=False)
    sink = _HtmlToLines()
    _walk(document, sink)
    sink.close()
    return sink.lines


def load_html(data: bytes, name: str) -> LoadedSource:
    """Load an ``.html``/``.htm`` paper (encoding from the meta tag, else detected)."""
    declared = _META_CHARSET.search(data[:4096])
    text = None
    encoding = ""
    if declared:
        try:
            encoding = declared.group(1).decode("ascii")
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        text, encoding = decode_text(data)
    lines = html_to_lines(text)
    if not any(line.strip() for line in lines):
        raise InputError("no text found in the HTML")
    return LoadedSource([SourceLine(line) for line in lines], notes={"encoding": encoding})
