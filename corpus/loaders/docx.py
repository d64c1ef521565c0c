"""Word ``.docx`` papers (python-docx): paragraphs, headings, lists and tables in body order."""

from __future__ import annotations

import html
import io
import zipfile

from corpus.source import LoadedSource, SourceLine
from councilkg.errors import InputError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _heading_prefix(style_name: str) -> str:
    name = style_name.lower()
    if name == "title":
        return "# "
    if name.startswith("heading"):
        digits = "".join(c for c in name if c.isdigit())
        return "#" * min(int(digits or 1), 6) + " "
    return ""


def _is_list(paragraph: object, style_name: str) -> bool:
    p_pr = paragraph._p.pPr  # type: ignore[attr-defined]
    return style_name.lower().startswith("list") or (p_pr is not None and p_pr.numPr is not None)


def load_docx(data: bytes, name: str) -> LoadedSource:
    """Load a ``.docx`` paper; explicit page breaks advance the page number."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError("an old Word .doc file named .docx (resave it as .docx or PDF)")
    if data.startswith(b"%PDF"):
        raise InputError("a PDF file named .docx (rename it to .pdf)")
    try:
        import docx
        from docx.table import Table as DocxTable
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise InputError(f"corrupt or truncated DOCX ({exc.__class__.__name__})") from None
    except Exception as exc:  # lxml and python-docx raise many kinds on a damaged package
        raise InputError(f"corrupt or truncated DOCX ({exc.__class__.__name__})") from None
    lines: list[SourceLine] = []
    page = 1
    # Style names by id, read once: python-docx's `paragraph.style` scans every style of the
    # document for each paragraph without one, which made loading quadratic.
    style_names = {style.style_id: style.name or "" for style in document.styles}
    for element in document.element.body.iterchildren():
        tag = element.tag
        if tag == f"{_W}p":
            paragraph = Paragraph(element, document)
            text = paragraph.text.replace("\t", " ").strip()
            style_id = element.style
            style = style_names.get(style_id, style_id) if style_id else ""
            if text:
                prefix = _heading_prefix(style) or ("- " if _is_list(paragraph, style) else "")
                lines.append(SourceLine(prefix + text, page))
                lines.append(SourceLine("", page))
            if any(br.get(f"{_W}type") == "page" for br in element.iter(f"{_W}br")):
                page += 1
        elif tag == f"{_W}tbl":
            table = DocxTable(element, document)
            for row in table.rows:
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue  # a merged cell is repeated by python-docx
                    seen.add(id(cell._tc))
                    paras = [p.text.replace("\t", " ").strip() for p in cell.paragraphs]
                    cells.append("".join(f"<p>{html.escape(p)}</p>" for p in paras if p))
                if any(cells):
                    lines.append(SourceLine("\t".join(cells) if len(cells) > 1 else cells[0] + "\t", page))
            lines.append(SourceLine("", page))
    if not any(line.text.strip() for line in lines):
        raise InputError("no text found in the DOCX")
    return LoadedSource(lines, pages=page)
