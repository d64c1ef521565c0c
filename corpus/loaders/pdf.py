"""PDF papers (pdfplumber, with pypdf for the encryption check): text and tables per page.

Text outside tables is read line by line; a vertical gap larger than a line's height
starts a new paragraph. Tables found by pdfplumber become tab-separated rows placed at
their position on the page. Lines repeated at the top or bottom of most pages (running
headers and footers) are flagged as furniture.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

from corpus.source import LoadedSource, SourceLine
from councilkg.errors import InputError

_MARGIN = 0.075
"""Share of the page height at the top and at the bottom where running headers/footers sit."""


def _quiet_pdf_libraries() -> None:
    """Keep pypdf's and pdfminer's warnings ("EOF marker not found") off the user's terminal.

    A damaged PDF is reported once, as the file's one-line failure reason; the libraries'
    own log records would otherwise reach stderr through logging's last-resort handler.
    """
    import logging

    for name in ("pypdf", "pdfminer", "pdfplumber"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _check_readable(data: bytes) -> str | None:
    """The password to open the PDF with (``""`` for none), or an :class:`InputError`."""
    if b"%PDF" not in data[:1024]:
        raise InputError("not a PDF file (no %PDF header)")
    import pypdf

    _quiet_pdf_libraries()
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # noqa: BLE001 - unsupported cipher etc.
                opened = 0
            if not opened:
                raise InputError("encrypted PDF: it needs a password")
            return ""
        len(reader.pages)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged files
        raise InputError(f"corrupt PDF ({exc.__class__.__name__})") from None
    return None


def _page_items(page: Any) -> list[tuple[float, str, Any]]:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    text_page = page.filter(outside) if boxes else page
    height = float(page.height) or 1.0
    items: list[tuple[float, str, Any]] = []
    for line in text_page.extract_text_lines():
        if line["text"].strip():
            # Running headers and footers sit in the page's top or bottom margin band.
            line["in_margin"] = line["top"] < _MARGIN * height or line["bottom"] > (1 - _MARGIN) * height
            items.append((line["top"], "text", line))
    for table in tables:
        rows = [[re.sub(r"\s+", " ", c or "").strip() for c in row] for row in table.extract()]
        items.append((table.bbox[1], "table", rows))
    items.sort(key=lambda item: item[0])
    return items


def _furniture_keys(pages: list[list[tuple[float, str, Any]]]) -> set[str]:
    """Lines that open or close most pages, digits ignored (running headers and footers).

    A two-page paper counts too: a line opening or closing both of its pages is a running
    header or footer ("Leeds City Council - Executive Board - 14 March 2018", "Page 1").
    """
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for items in pages:
        lines = [i[2] for i in items if i[1] == "text"]
        keys = set()
        for line in lines[:1] + lines[-1:]:
            words = len(line["text"].split())
            # Short lines ("Page 3", "Appendix 2") anywhere; longer ones only in the margins,
            # so that numbered paragraphs opening each page are never taken for a header.
            if words <= 4 or (words <= 14 and line.get("in_margin")):
                keys.add(re.sub(r"\d+", "#", line["text"].strip().lower()))
        counts.update(keys)
    return {key for key, n in counts.items() if n >= max(2, len(pages) // 2)}


def load_pdf(data: bytes, name: str) -> LoadedSource:
    """Load a ``.pdf`` paper, keeping each line's page number."""
    password = _check_readable(data)
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data), password=password) as pdf:
            pages = [_page_items(page) for page in pdf.pages]
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds on damaged files
        raise InputError(f"corrupt PDF ({exc.__class__.__name__})") from None
    furniture = _furniture_keys(pages)
    lines: list[SourceLine] = []
    for number, items in enumerate(pages, start=1):
        previous: dict[str, Any] | None = None
        for _top, kind, content in items:
            if kind == "table":
                lines.append(SourceLine("", number))
                for row in content:
                    if any(row):
                        lines.append(SourceLine("\t".join(row) if len(row) > 1 else row[0] + "\t", number))
                lines.append(SourceLine("", number))
                previous = None
                continue
            if previous is not None:
                height = max(previous["bottom"] - previous["top"], 1.0)
                if content["top"] - previous["bottom"] > 0.6 * height:
                    lines.append(SourceLine("", number))
            text = content["text"].replace("\t", " ")
            flagged = re.sub(r"\d+", "#", text.strip().lower()) in furniture
            lines.append(SourceLine(text, number, furniture=flagged))
            previous = content
    if not any(line.text.strip() and not line.furniture for line in lines):
        raise InputError("no extractable text in the PDF (a scanned image?)")
    return LoadedSource(lines, pages=len(pages))
