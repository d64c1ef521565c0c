"""``python -m corpus.bench [--copies N]``: corpus-layer speed as ratios to the bare libraries.

Each figure is measured in the same run as its baseline: loading a paper with
:func:`corpus.load_document` against just reading it with the underlying library
(bytes + decode for text, pdfplumber ``extract_text`` for PDF, python-docx paragraph
text for DOCX), and storing papers in :class:`corpus.store.CorpusStore` against parsing
them alone. Prints a Markdown table for the ``## Corpus`` section of ``BENCHMARKS.md``.
Needs the ``dev`` extra (reportlab) to generate the PDF and DOCX inputs.
"""

from __future__ import annotations

import argparse
import io
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from corpus.loading import load_document
from corpus.store import CorpusStore

SAMPLES = Path(__file__).parent / "data" / "samples"


def _best_of(func: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by other load)."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - began)
    return best


def _make_pdf(path: Path, pages: int) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

    styles = getSampleStyleSheet()
    sentence = (
        "The council and the clinical commissioning group will jointly commission home care "
        "services funded by the Better Care Fund from April 2020. "
    )
    story: list[object] = []
    for n in range(1, pages + 1):
        story.append(Paragraph(f"{n}. SECTION {n}", styles["Heading2"]))
        story += [Paragraph(f"{n}.{k} " + sentence * 3, styles["Normal"]) for k in range(1, 5)]
        rows = [["Service", "Funding Source", "Value"]] + [
            [f"Service {n}-{k}", "Better Care Fund", f"£{k}.{n}m"] for k in range(1, 6)
        ]
        story += [Table(rows), PageBreak()]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def _make_docx(path: Path, sections: int) -> Path:
    import docx

    document = docx.Document()
    for n in range(1, sections + 1):
        document.add_heading(f"Section {n}", level=2)
        for k in range(1, 5):
            document.add_paragraph(f"{n}.{k} The council will commission home care with the NHS. " * 3)
        table = document.add_table(rows=4, cols=3)
        for r in range(4):
            for c in range(3):
                table.cell(r, c).text = f"cell {r}-{c}"
    document.save(str(path))
    return path


def measure(copies: int, repeat: int) -> list[tuple[str, str, str, str]]:
    """Rows of (what, ours, bare library, ratio)."""
    import docx
    import pdfplumber

    rows: list[tuple[str, str, str, str]] = []
    samples = sorted(SAMPLES.glob("*.txt"))
    ours = _best_of(lambda: [load_document(p) for p in samples], repeat)
    bare = _best_of(lambda: [p.read_bytes().decode("utf-8").splitlines() for p in samples], repeat)
    per = ours / len(samples) * 1000
    rows.append(
        (
            "5 sample .txt papers (166 KB)",
            f"{per:.1f} ms/paper",
            f"{bare / len(samples) * 1000:.2f} ms",
            f"{ours / bare:.0f}×",
        )
    )
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        pdf = _make_pdf(tmp / "bench.pdf", pages=10)

        def bare_pdf() -> None:
            with pdfplumber.open(io.BytesIO(pdf.read_bytes())) as handle:
                [page.extract_text() for page in handle.pages]

        ours = _best_of(lambda: load_document(pdf), repeat)
        bare = _best_of(bare_pdf, repeat)
        rows.append(
            (
                "10-page PDF with a table per page",
                f"{ours * 1000:.0f} ms",
                f"{bare * 1000:.0f} ms (pdfplumber extract_text)",
                f"{ours / bare:.1f}×",
            )
        )
        word = _make_docx(tmp / "bench.docx", sections=20)

        def bare_docx() -> None:
            document = docx.Document(str(word))
            [p.text for p in document.paragraphs]
            [c.text for t in document.tables for r in t.rows for c in r.cells]

        ours = _best_of(lambda: load_document(word), repeat)
        bare = _best_of(bare_docx, repeat)
        rows.append(
            (
                "DOCX, 20 sections + 20 tables",
                f"{ours * 1000:.0f} ms",
                f"{bare * 1000:.0f} ms (python-docx text)",
                f"{ours / bare:.1f}×",
            )
        )
        papers = tmp / "papers"
        papers.mkdir()
        for n in range(copies):
            for sample in samples:
                target = papers / f"{sample.stem}-{n}.txt"
                shutil.copy(sample, target)
                with open(target, "a", encoding="utf-8") as handle:
                    handle.write(f"\nCopy {n}.\n")  # distinct bytes, distinct hash
        files = sorted(papers.iterdir())
        parse_only = _best_of(lambda: [load_document(p) for p in files], 1)
        store = CorpusStore(tmp / "data" / "corpus.sqlite")
        began = time.perf_counter()
        report = store.ingest([papers])
        cold = time.perf_counter() - began
        began = time.perf_counter()
        again = store.ingest([papers])
        warm = time.perf_counter() - began
        store.close()
        assert len(report.added) == len(files) and len(again.unchanged) == len(files)
        rows.append(
            (
                f"ingest {len(files)} papers into the store (cold)",
                f"{cold:.2f} s",
                f"{parse_only:.2f} s (parsing alone)",
                f"{cold / parse_only:.2f}×",
            )
        )
        rows.append(
            (
                f"re-run over {len(files)} unchanged papers",
                f"{warm * 1000:.0f} ms",
                f"{cold:.2f} s (cold ingest)",
                f"{warm / cold:.3f}×",
            )
        )
    return rows


def main() -> None:
    """Run the measurements and print the Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="copies of the five samples to ingest")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best is kept)")
    args = parser.parse_args()
    rows = measure(args.copies, args.repeat)
    print("| what | councilkg | bare library | ratio |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
