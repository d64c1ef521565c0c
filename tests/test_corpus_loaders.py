"""Loaders by file type, and every kind of bad input ending in a one-line reason."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from corpus.loaders import get_loader, supported_suffixes
from corpus.loading import load_document
from corpus.store import CorpusStore
from councilkg.errors import InputError
from councilkg.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))
from fixtures_docs import docx_bytes, make_docx, make_encrypted_pdf, make_pdf, pdf_bytes  # noqa: E402

COUNCIL_TEXT = (
    "REPORT OF THE DIRECTOR OF ADULT SERVICES\n\nCARE HOME FEES 2019/20\n\n"
    "1. Nottinghamshire County Council will uplift care home fees by 2% – approved by Committee.\n"
)


def assert_consistent(doc) -> None:  # type: ignore[no-untyped-def]
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text
        for cell in block.cells:
            assert doc.text[cell.start : cell.end] == cell.text


def test_registry_covers_the_formats_and_names_unsupported_ones() -> None:
    assert {".txt", ".md", ".html", ".htm", ".pdf", ".docx"} <= set(supported_suffixes())
    with pytest.raises(InputError, match=r"unsupported file type \.xlsx"):
        get_loader(".xlsx")


def test_heavy_libraries_are_not_imported_by_the_corpus_package() -> None:
    import subprocess

    code = (
        "import corpus, corpus.loading, corpus.store, sys; "
        "print(sorted(m for m in ('pdfplumber', 'docx', 'pypdf') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_pdf_text_table_and_pages(tmp_path: Path) -> None:
    doc = load_document(make_pdf(tmp_path / "board.pdf", pages=3))
    assert doc.pages == 3
    assert "Westshire County Council and the Clinical Commissioning Group" in doc.text
    assert "Page 1" not in doc.text and "Page 2" not in doc.text
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert [c.text for c in rows[0].cells] == ["Home Care", "Better Care Fund", "£1.2m"]
    assert rows[0].cells[1].header == "Funding Source"
    assert rows[0].page == 1
    last = [b for b in doc.blocks if "page 3" in b.text]
    assert last and last[0].page == 3
    assert doc.metadata.date == "2019-07-09"
    assert_consistent(doc)


@pytest.mark.slow
def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    source = make_pdf(tmp_path / "plain.pdf")
    locked = make_encrypted_pdf(tmp_path / "locked.pdf", source)
    with pytest.raises(InputError, match="encrypted PDF") as info:
        load_document(locked)
    assert str(locked) in info.value.message and "\n" not in info.value.message


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncate", "garbage", "header-only"])
def test_corrupt_pdf_is_one_line_error(tmp_path: Path, damage: str) -> None:
    data = pdf_bytes()
    if damage == "truncate":
        data = data[: len(data) // 3]
    elif damage == "garbage":
        data = b"%PDF-1.4\n" + bytes(range(256)) * 10
    else:
        data = b"%PDF-1.7\n%%EOF\n"
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        load_document(path)
    assert "\n" not in info.value.message and "broken.pdf" in info.value.message


def test_a_corrupt_pdf_prints_nothing_but_its_reason(tmp_path: Path) -> None:
    """pypdf's own warnings ("EOF marker not found") must not reach a user's terminal.

    Run in a fresh interpreter: pytest's log capture would hide what a user sees.
    """
    import subprocess
    import sys

    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4 broken")
    code = (
        "import sys\nfrom corpus import load_document\nfrom councilkg.errors import InputError\n"
        f"try:\n    load_document({str(path)!r})\nexcept InputError as exc:\n    print(exc.message)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert "broken.pdf" in done.stdout and "corrupt PDF" in done.stdout
    assert done.stderr == ""


def test_docx_paragraphs_headings_lists_and_tables(tmp_path: Path) -> None:
    doc = load_document(make_docx(tmp_path / "plan.docx"))
    headings = [(b.text, b.level) for b in doc.blocks if b.kind == "heading"]
    assert ("Joint Commissioning Plan", 1) in headings and ("Scope", 2) in headings
    assert [b.text for b in doc.blocks if b.kind == "list_item"] == ["Maternity Services", "Health Visiting"]
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert rows[1].cells[2].text == "£350,000" and rows[1].cells[2].header == "Finances in Scope"
    assert doc.metadata.authority == "Derby City Council"
    assert_consistent(doc)


@pytest.mark.parametrize("keep", [0.2, 0.6, 0.95])
def test_truncated_docx_is_one_line_error(tmp_path: Path, keep: float) -> None:
    data = docx_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(InputError, match="corrupt or truncated DOCX|cannot read"):
        load_document(path)


def test_html_structure_and_clean_text(tmp_path: Path) -> None:
    path = tmp_path / "minutes.html"
    path.write_text(
        "<html><head><title>x</title><style>p{}</style><script>var a=1;</script></head><body>"
        "<h1>Health &amp; Wellbeing Board</h1><p>Date: 9 July 2019</p>"
        "<p>1. <b>Derby City Council</b> agreed the plan.</p>"
        "<ul><li>Home care</li><li>Day services</li></ul>"
        "<table><tr><th>Service</th><th>Funding Source</th></tr>"
        "<tr><td><p>Home Care</p></td><td>Better Care Fund<br>2019/20</td></tr></table>"
        "</body></html>",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert "<" not in doc.text and "var a" not in doc.text and "p{}" not in doc.text
    assert doc.blocks[0].kind == "heading" and doc.blocks[0].text == "Health & Wellbeing Board"
    assert [b.text for b in doc.blocks if b.kind == "list_item"] == ["Home care", "Day services"]
    row = next(b for b in doc.blocks if b.kind == "table_row")
    assert row.cells[0].text == "Home Care" and row.cells[1].header == "Funding Source"
    assert row.cells[1].text.startswith("Better Care Fund")
    assert_consistent(doc)


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16", "utf-8-sig"])
def test_legacy_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    text = COUNCIL_TEXT if encoding == "cp1252" else COUNCIL_TEXT.replace("–", "-")
    text += (
        "2. The café budget is £350,000 – naïve estimates were revised.\n"
        if encoding == "cp1252"
        else ("2. The café budget is £350,000 and naïve estimates were revised.\n")
    )
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    doc = load_document(path)
    assert "£350,000" in doc.text and "café" in doc.text and "naïve" in doc.text
    if encoding == "cp1252":
        assert "– approved" in doc.text


def test_markdown_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# Joint Plan\n\nThe **board** agreed.\n\n- item one\n", encoding="utf-8")
    doc = load_document(path)
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph", "list_item"]
    assert "**" not in doc.text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n \t\n", "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 30, "binary data, not text: a PNG image"),
        ("scan.txt", b"%PDF-1.7\n\x00\x01\x02\x03" * 30, "binary data, not text: a PDF file"),
        ("fake.pdf", b"this is not a pdf at all", "not a PDF file"),
        ("fake.docx", b"plain words, not a zip", "corrupt or truncated DOCX"),
        ("empty.html", b"<html><body><script>x</script></body></html>", "no text found"),
        ("sheet.xlsx", b"PK\x03\x04", "unsupported file type .xlsx"),
        ("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "an old Word .doc file"),
        ("report.docx", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj", "a PDF file named .docx"),
    ],
)
def test_bad_input_reasons(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        load_document(path)
    assert info.value.message == f"{path}: {info.value.message.split(': ', 1)[1]}"
    assert reason in info.value.message
    assert "\n" not in info.value.message


def test_file_over_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(COUNCIL_TEXT * 2000, encoding="utf-8")
    settings = Settings.load({"max_file_mb": 0.05})
    with pytest.raises(InputError, match="over the 0.05 MB limit"):
        load_document(path, settings=settings)


def test_bad_files_in_a_run_leave_good_ones_and_the_store_intact(tmp_path: Path, data_dir: Path) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "good.txt").write_text(COUNCIL_TEXT, encoding="utf-8")
    (papers / "bad.docx").write_bytes(docx_bytes()[:500])
    (papers / "bad.pdf").write_bytes(b"%PDF-1.4 broken")
    (papers / "latin.txt").write_bytes(COUNCIL_TEXT.replace("–", "-").encode("latin-1"))
    with CorpusStore(data_dir / "corpus.sqlite") as store:
        report = store.ingest([papers])
        assert sorted(Path(p).name for p in report.added) == ["good.txt", "latin.txt"]
        assert sorted(Path(p).name for p, _ in report.failed) == ["bad.docx", "bad.pdf"]
        assert all(reason and "\n" not in reason for _, reason in report.failed)
        assert store.check_integrity() == []


@pytest.mark.slow
def test_pdf_table_over_pages_keeps_one_header_and_drops_running_furniture(tmp_path: Path) -> None:
    from fixtures_docs import make_long_table_pdf

    doc = load_document(make_long_table_pdf(tmp_path / "services.pdf", rows=70))
    assert doc.pages >= 2
    headers = [b for b in doc.blocks if b.kind == "table_header"]
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert [h.text for h in headers] == ["Service\tFunding Source\tAnnual Value"]
    assert [r.cells[0].text for r in rows] == [f"Service number {n}" for n in range(1, 71)]
    assert rows[-1].cells[2].text == "£70,000" and rows[-1].cells[2].header == "Annual Value"
    assert rows[0].page == 1 and rows[-1].page > 1
    assert len(doc.tables) == 1
    assert doc.text.count("Funding Source") == 1
    assert "Executive Board - 14 March" not in doc.text and "Page 2" not in doc.text
    assert doc.blocks[-1].text == "2. The Board is asked to note the list."
    assert doc.metadata.authority == "Leeds City Council"
    assert_consistent(doc)


def test_docx_page_breaks_number_the_pages(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Derby City Council agreed the plan on page one.")
    document.add_page_break()
    document.add_paragraph("The board noted the figures on page two.")
    document.save(str(tmp_path / "two.docx"))
    doc = load_document(tmp_path / "two.docx")
    assert doc.pages == 2
    assert [(b.text[-9:], b.page) for b in doc.blocks] == [("page one.", 1), ("page two.", 2)]


def test_html_layout_table_keeps_its_paragraphs_and_list_items(tmp_path: Path) -> None:
    path = tmp_path / "minutes.htm"
    path.write_text(
        "<html><body><table><tr><td><h2>Cabinet</h2></td></tr>"
        "<tr><td><p>1. Bristol City Council agreed the plan.</p><p>2. The Board noted the risks.</p>"
        "<ul><li>Home care</li><li>Day services</li></ul></td></tr></table></body></html>",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert [(b.kind, b.text) for b in doc.blocks][-4:] == [
        ("paragraph", "1. Bristol City Council agreed the plan."),
        ("paragraph", "2. The Board noted the risks."),
        ("list_item", "Home care"),
        ("list_item", "Day services"),
    ]
    assert not doc.tables and "<" not in doc.text
    assert_consistent(doc)


def test_html_head_never_closed_keeps_the_body(tmp_path: Path) -> None:
    path = tmp_path / "unclosed-head.html"
    path.write_text(
        "<html><head><title>Board</title><meta charset='utf-8'>"
        "<p>The panel approved the plan.</p><p>The next meeting is in May.</p></html>",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert [b.text for b in doc.blocks] == ["The panel approved the plan.", "The next meeting is in May."]
    assert "Board" not in doc.text


def test_html_unclosed_svg_keeps_everything_after_it(tmp_path: Path) -> None:
    path = tmp_path / "svg.html"
    path.write_text(
        "<html><body><p>Before the chart.</p><svg/onload=x><p>After one.</p>"
        "<div>After two.</div><script>steal()</script><style>p{color:red}</style>"
        "<p>Last words.</p></body></html>",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert [b.text for b in doc.blocks] == ["Before the chart.", "After one.", "After two.", "Last words."]
    assert "steal" not in doc.text and "color" not in doc.text


def test_mostly_utf8_text_replaces_only_the_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "mostly.txt"
    good = "The council set aside £200,000 – the café reopens in June.\n".encode()
    path.write_bytes(good * 3 + b"A stray \x93quoted\x94 phrase.\n")
    doc = load_document(path)
    assert doc.text.count("£200,000") == 3 and "Â" not in doc.text
    assert "\ufffdquoted\ufffd" in doc.text


def test_pure_cp1252_text_still_decodes_as_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "western.txt"
    path.write_bytes("The council set aside £200,000 for the “café” – in June.\n".encode("cp1252"))
    doc = load_document(path)
    assert "£200,000" in doc.text and "“café”" in doc.text
