"""Generate PDF and DOCX fixtures for the corpus tests (no binary fixtures in the repo)."""

from __future__ import annotations

import io
from pathlib import Path

TABLE_ROWS = [
    ["Service", "Funding Source", "Finances in Scope"],
    ["Home Care", "Better Care Fund", "£1.2m"],
    ["Short Breaks", "Dedicated Schools Grant", "£350,000"],
]


def make_pdf(path: Path, pages: int = 2) -> Path:
    """A council-style PDF: a title, numbered paragraphs, a table on page 1, a footer on each page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

    styles = getSampleStyleSheet()

    def footer(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.setFont("Helvetica", 8)
        canvas.drawString(72, 30, f"Page {doc.page}")

    story = [
        Paragraph("HEALTH AND WELLBEING BOARD", styles["Heading1"]),
        Paragraph("Date: 9 July 2019", styles["Normal"]),
        Spacer(1, 12),
        Paragraph(
            "1. Westshire County Council and the Clinical Commissioning Group will jointly commission "
            "home care services from April 2020.",
            styles["Normal"],
        ),
        Spacer(1, 12),
        Table(TABLE_ROWS, style=[("GRID", (0, 0), (-1, -1), 0.5, "black")]),
        Spacer(1, 12),
    ]
    for n in range(2, pages + 1):
        story += [
            PageBreak(),
            Paragraph(f"{n}. The partnership board reviewed the plan on page {n}.", styles["Normal"]),
        ]
    doc = SimpleDocTemplate(str(path), pagesize=A4)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return path


def make_encrypted_pdf(path: Path, source: Path) -> Path:
    """``source`` re-written with a user password (pypdf)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(source).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def make_docx(path: Path) -> Path:
    """A council-style DOCX: a heading, paragraphs, a bulleted list and a table."""
    import docx

    document = docx.Document()
    document.add_heading("Joint Commissioning Plan", level=1)
    document.add_paragraph("1. Derby City Council will commission short breaks with the CCG.")
    document.add_heading("Scope", level=2)
    document.add_paragraph("Maternity Services", style="List Bullet")
    document.add_paragraph("Health Visiting", style="List Bullet")
    table = document.add_table(rows=len(TABLE_ROWS), cols=3)
    for r, row in enumerate(TABLE_ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("Report author: Jane Smith, 12 September 2013.")
    document.save(str(path))
    return path


def docx_bytes() -> bytes:
    """The bytes of :func:`make_docx`'s document (for truncation tests)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return make_docx(Path(folder) / "x.docx").read_bytes()


def pdf_bytes() -> bytes:
    """The bytes of :func:`make_pdf`'s document."""
    buffer = io.BytesIO()
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        buffer.write(make_pdf(Path(folder) / "x.pdf").read_bytes())
    return buffer.getvalue()


def make_long_table_pdf(path: Path, rows: int = 70) -> Path:
    """A PDF whose table runs over several pages, its header row repeated on each page,
    with a running header and a "Page N" footer on every page (page furniture)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    styles = getSampleStyleSheet()

    def furniture(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.setFont("Helvetica", 8)
        canvas.drawString(72, 810, "Leeds City Council - Executive Board - 14 March 2018")
        canvas.drawString(72, 30, f"Page {doc.page}")

    data = [["Service", "Funding Source", "Annual Value"]] + [
        [f"Service number {n}", ["Better Care Fund", "Public Health Grant"][n % 2], f"£{n * 1000:,}"]
        for n in range(1, rows + 1)
    ]
    story = [
        Paragraph("COMMISSIONED SERVICES 2018/19", styles["Heading1"]),
        Paragraph("1. Leeds City Council commissions the services listed below.", styles["Normal"]),
        Spacer(1, 12),
        Table(data, repeatRows=1, style=[("GRID", (0, 0), (-1, -1), 0.5, "black")]),
        Spacer(1, 12),
        Paragraph("2. The Board is asked to note the list.", styles["Normal"]),
    ]
    SimpleDocTemplate(str(path), pagesize=A4).build(story, onFirstPage=furniture, onLaterPages=furniture)
    return path
