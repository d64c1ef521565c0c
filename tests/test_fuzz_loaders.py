"""Fuzzing the loaders: any bytes under any supported name end in a Document or a clean error.

``corpus.load_document`` is fed random bytes under every registered suffix (read from the
loader registry, so a new loader is fuzzed as soon as it is registered) and under unknown
ones, valid PDFs and DOCX files (generated here) with bytes flipped, cut or inserted, DOCX
packages whose XML is mangled, and random council-style text; the catalogue CSV reader gets
random tables and bytes, and each row it accepts is applied to a paper. Every call must
return a :class:`Document` whose blocks quote the text at their offsets, or raise
:class:`CouncilKGError` with a one-line message — never another exception, never a hang (a
hard alarm stops a runaway parse). Example counts and deadlines are bounded so the whole file
runs in about a minute in CI.
"""

from __future__ import annotations

import csv
import importlib
import io
import zipfile
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import pytest
from fuzz_support import hard_time_limit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.synth_papers import generate_paper
from councilkg.errors import CouncilKGError

try:
    load_document = importlib.import_module("corpus").load_document
    from corpus.loaders import supported_suffixes
    from corpus.metadata import CATALOGUE_COLUMNS, read_catalogue
except (ImportError, AttributeError):
    load_document = None
    CATALOGUE_COLUMNS = ()

    def supported_suffixes() -> list[str]:
        return [".txt", ".html", ".pdf", ".docx"]
pytestmark = pytest.mark.skipif(load_document is None, reason="corpus.load_document has not landed yet")

HARD_LIMIT_S = 20
"""A single load running longer than this counts as a hang."""

FUZZ = settings(
    max_examples=40,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=False,
)


def load_or_clean_error(path: Path, catalogue_row: object | None = None) -> object | None:
    """Load ``path``; a Document must be consistent, an error must be a one-line CouncilKGError."""
    try:
        with hard_time_limit(HARD_LIMIT_S):
            doc = load_document(path, catalogue_row) if catalogue_row is not None else load_document(path)
    except CouncilKGError as exc:
        assert exc.message and "\n" not in exc.message
        assert "Traceback" not in exc.message
        return None
    for block in doc.blocks:
        assert 0 <= block.start <= block.end <= len(doc.text)
        assert doc.text[block.start : block.end] == block.text
        for cell in block.cells:
            assert doc.text[cell.start : cell.end] == cell.text
    return doc


@lru_cache(maxsize=1)
def valid_pdf() -> bytes:
    """A two-page PDF of a synthetic committee report, drawn with reportlab."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    lines = [line for line in generate_paper(0, seed=21).text.splitlines() if line.strip()][:90]
    y = 800
    for line in lines:
        pdf.drawString(40, y, line.replace("\t", "    ")[:95])
        y -= 16
        if y < 60:
            pdf.showPage()
            y = 800
    pdf.save()
    return buffer.getvalue()


@lru_cache(maxsize=1)
def valid_docx() -> bytes:
    """A DOCX with a heading, numbered paragraphs and a table, written with python-docx."""
    import docx

    document = docx.Document()
    document.add_heading("Joint Commissioning - Plans for Future Development", level=1)
    for line in generate_paper(2, seed=21).text.splitlines()[:40]:
        if line.strip() and "\t" not in line:
            document.add_paragraph(line)
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(
        (
            ("Service", "Funding Source", "Finances in Scope"),
            ("Home Care", "Better Care Fund", "£1.2m"),
            ("Reablement", "Public Health Grant", "c£3.4m"),
        )
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (position, delete-count, insert-bytes) edits, positions taken modulo the length."""
    out = bytearray(data)
    for position, delete, insert in edits:
        at = position % (len(out) + 1)
        out[at : at + delete] = insert
    return bytes(out)


EDITS = st.lists(
    st.tuples(st.integers(0, 10**7), st.integers(0, 64), st.binary(max_size=16)), min_size=1, max_size=6
)


def test_the_valid_fixtures_load(tmp_path: Path) -> None:
    for name, data in (("ok.pdf", valid_pdf()), ("ok.docx", valid_docx())):
        path = tmp_path / name
        path.write_bytes(data)
        doc = load_or_clean_error(path)
        assert doc is not None, f"{name} should load"
        assert "Commissioning" in doc.text


# Every registered suffix, odd spellings of them, and suffixes no loader handles.
ALL_SUFFIXES = sorted(set(supported_suffixes()) | {".PDF", ".Docx", ".HTML", ".odt", ".xlsx", ".rtf", ""})


def test_the_registry_is_fuzzed_whole() -> None:
    assert {".txt", ".html", ".pdf", ".docx"} <= set(supported_suffixes()) <= set(ALL_SUFFIXES)


@pytest.mark.parametrize("suffix", ALL_SUFFIXES)
@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes_under_any_name(tmp_path: Path, suffix: str, data: bytes) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    load_or_clean_error(path)


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".txt"])
@FUZZ
@given(
    head=st.sampled_from([b"%PDF-1.4\n", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", b"<html>"]),
    data=st.binary(max_size=2048),
)
def test_misleading_magic_bytes(tmp_path: Path, suffix: str, head: bytes, data: bytes) -> None:
    path = tmp_path / f"magic{suffix}"
    path.write_bytes(head + data)
    load_or_clean_error(path)


@FUZZ
@given(edits=EDITS)
def test_mutated_pdf(tmp_path: Path, edits: list[tuple[int, int, bytes]]) -> None:
    path = tmp_path / "mutated.pdf"
    path.write_bytes(mutate(valid_pdf(), edits))
    load_or_clean_error(path)


@FUZZ
@given(cut=st.integers(0, 10**7))
def test_truncated_pdf(tmp_path: Path, cut: int) -> None:
    data = valid_pdf()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: cut % len(data)])
    load_or_clean_error(path)


@FUZZ
@given(edits=EDITS)
def test_mutated_docx_package(tmp_path: Path, edits: list[tuple[int, int, bytes]]) -> None:
    path = tmp_path / "mutated.docx"
    path.write_bytes(mutate(valid_docx(), edits))
    load_or_clean_error(path)


@FUZZ
@given(edits=EDITS)
def test_docx_with_mangled_xml(tmp_path: Path, edits: list[tuple[int, int, bytes]]) -> None:
    # The zip stays valid, so the damage reaches the XML parser instead of the unzipper.
    source = zipfile.ZipFile(io.BytesIO(valid_docx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                content = mutate(content, edits)
            target.writestr(item, content)
    path = tmp_path / "mangled.docx"
    path.write_bytes(buffer.getvalue())
    load_or_clean_error(path)


COUNCIL_ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789.,;:-–£%()/\t\n\r•\u00a0\u200b\ufeff")
    + ["<p>", "</p>", "<b>", "</b>", "<u>", "<ul>", "<li>", "</li>", "</ul>", "RESOLVED", "**", "## "]
)


@FUZZ
@given(text=st.lists(COUNCIL_ALPHABET, max_size=600).map("".join))
def test_council_style_random_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "paper.txt"
    path.write_text(text, encoding="utf-8")
    load_or_clean_error(path)


@FUZZ
@given(
    index=st.integers(0, 10_000),
    edits=EDITS,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_damaged_synthetic_papers(
    tmp_path: Path, index: int, edits: list[tuple[int, int, bytes]], encoding: str
) -> None:
    text = generate_paper(index, seed=13).text
    path = tmp_path / "paper.txt"
    path.write_bytes(mutate(text.encode(encoding, errors="replace"), edits))
    load_or_clean_error(path)


@pytest.mark.parametrize(
    "encoding",
    [
        "utf-8",
        "utf-8-sig",
        # UTF-16 with a byte-order mark is text (Windows "Unicode" saves), not binary data.
        "utf-16",
        # Windows-1252 exports of UK papers: "£" must not come back as "Ł" (a cp1250 guess).
        "cp1252",
    ],
)
def test_synthetic_papers_in_every_encoding_keep_their_words(tmp_path: Path, encoding: str) -> None:
    paper = generate_paper(3, seed=13)
    money = [word for word in paper.text.split() if word.startswith("£")][:3]
    assert money
    path = tmp_path / f"paper-{encoding}.txt"
    path.write_bytes(paper.text.encode(encoding))
    doc = load_or_clean_error(path)
    assert doc is not None
    assert paper.catalogue["title"].lower() in doc.text.lower()
    assert all(amount in doc.text for amount in money)


# ----------------------------------------------------------------------------- the catalogue CSV

CELL = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(["paper.txt", "PAPER.TXT", "../paper.txt", "31/02/2019", "2019-13-45", "E0600001",
                     "E06000018", "12 March 2018", "\ufeff", "=1+1", '"quoted, comma"', "\r\n"]),
)
HEADER = st.lists(
    st.sampled_from([*CATALOGUE_COLUMNS, "File", " FILE ", "Date ", "", "extra", "file"]), max_size=9
)


@FUZZ
@given(
    header=HEADER,
    rows=st.lists(st.lists(CELL, max_size=9), max_size=6),
    raw=st.one_of(st.none(), st.binary(max_size=600)),
)
def test_any_catalogue_is_read_or_refused_and_its_rows_apply(
    tmp_path: Path, header: list[str], rows: list[list[str]], raw: bytes | None
) -> None:
    path = tmp_path / "catalogue.csv"
    if raw is not None:
        path.write_bytes(raw)
    else:
        with path.open("w", encoding="utf-8", newline="", errors="surrogatepass") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    try:
        with hard_time_limit(HARD_LIMIT_S):
            catalogue = read_catalogue(path)
    except CouncilKGError as exc:
        assert exc.message and "\n" not in exc.message
        return
    paper = tmp_path / "paper.txt"
    paper.write_text(generate_paper(1, seed=17).text, encoding="utf-8")
    for row in list(catalogue.values())[:3]:
        # Whatever the row says (impossible dates, unknown codes, formulas), the paper loads or
        # fails cleanly; it never crashes on its metadata.
        load_or_clean_error(paper, row)


def test_a_catalogue_without_a_file_column_is_one_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text("title,date\nA report,12 March 2018\n", encoding="utf-8")
    with pytest.raises(CouncilKGError, match="catalogue.csv"):
        read_catalogue(path)
