"""The synthetic paper generator: deterministic, varied, and shaped like the samples."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.synth_papers import (
    CATALOGUE_FIELDS,
    PAPER_KINDS,
    generate_paper,
    generate_papers,
    rewrite_paper,
    write_corpus,
)

ROOT = Path(__file__).resolve().parent.parent
MONEY = re.compile(r"£\d[\d,]*(?:\.\d+)?(?:m| million|k)?")
FINANCIAL_YEAR = re.compile(r"\b20\d\d[/-]\d\d\b")


def _reference_codes() -> dict[str, str]:
    with (ROOT / "corpus" / "data" / "uk_local_authorities.csv").open(encoding="utf-8") as handle:
        return {row["official-name"]: row["gss-code"] for row in csv.DictReader(handle)}


def test_same_seed_and_index_give_the_same_paper() -> None:
    assert generate_paper(17, seed=3) == generate_paper(17, seed=3)
    assert [p.text for p in generate_papers(5, seed=9)] == [p.text for p in generate_papers(5, seed=9)]


def test_different_seeds_and_indexes_give_different_papers() -> None:
    texts = {generate_paper(i, seed=s).text for i in range(20) for s in (0, 1)}
    assert len(texts) == 40


def test_papers_can_be_generated_from_any_start() -> None:
    tail = list(generate_papers(3, seed=2, start=40))
    assert [p.text for p in tail] == [generate_paper(i, seed=2).text for i in (40, 41, 42)]


def test_authorities_years_and_kinds_vary() -> None:
    papers = list(generate_papers(300, seed=0))
    authorities = Counter(p.catalogue["authority"] for p in papers)
    years = {p.catalogue["date"][:4] for p in papers}
    assert len(authorities) > 100
    assert len(years) >= 10
    assert {p.kind for p in papers} == set(PAPER_KINDS)


def test_catalogue_rows_agree_with_the_reference_list_and_the_text() -> None:
    codes = _reference_codes()
    for paper in generate_papers(100, seed=5):
        row = paper.catalogue
        assert tuple(row) == CATALOGUE_FIELDS
        assert codes[row["authority"]] == row["gss_code"]
        assert row["file"] == paper.file_name
        assert re.fullmatch(r"20\d\d(-\d\d){0,2}", row["date"])
        # The year is stated in the paper itself, so metadata can also be inferred without it.
        assert row["date"][:4] in paper.text


def test_papers_carry_the_structures_of_the_samples() -> None:
    corpus = "\n".join(p.text for p in generate_papers(200, seed=1))
    assert "<b><u>Continuing</u></b>" in corpus or "<b><u>New</u></b>" in corpus
    assert "<ul style=" in corpus and "<li>" in corpus and "<p><b>" in corpus
    assert "RESOLVED to" in corpus and "Reasons for decision" in corpus
    assert "Commissioners:" in corpus and "Providers:" in corpus
    assert re.search(r"^Page \d+$", corpus, re.M)
    assert re.search(r"^- \d+\.\d+ ", corpus, re.M) and re.search(r"^\d+\. ", corpus, re.M)
    assert len(MONEY.findall(corpus)) > 500
    assert len(FINANCIAL_YEAR.findall(corpus)) > 200
    # Continuation rows of tables split across pages start with an empty cell.
    assert re.search(r"^\t[^\t\n]+\t", corpus, re.M)


def test_every_table_keeps_one_column_count() -> None:
    for paper in generate_papers(150, seed=4):
        run: list[str] = []
        for line in [*paper.text.split("\n"), ""]:
            if "\t" in line:
                run.append(line)
                continue
            if run:
                assert len({r.count("\t") for r in run}) == 1, (paper.file_name, run[:2])
            run = []


def test_papers_are_not_trivially_short_or_huge() -> None:
    words = [p.words for p in generate_papers(200, seed=2)]
    assert min(words) > 150
    assert max(words) < 10_000
    assert len(set(words)) > 100


def test_a_revision_changes_the_text_but_keeps_the_identity() -> None:
    first, edited = generate_paper(8, seed=0), generate_paper(8, seed=0, revision=1)
    assert edited.text != first.text
    assert edited.file_name == first.file_name
    assert edited.kind == first.kind
    assert edited.catalogue["authority"] == first.catalogue["authority"]


def test_write_corpus_and_rewrite_one_paper(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path, 12, seed=7)
    assert len(paths) == 12 and all(p.suffix == ".txt" for p in paths)
    with (tmp_path / "catalogue.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    sample_header = (ROOT / "corpus" / "data" / "samples" / "catalogue.csv").read_text().splitlines()[0]
    assert tuple(rows[0]) == tuple(sample_header.split(","))
    assert [r["file"] for r in rows] == [p.name for p in paths]
    before = {p: p.read_bytes() for p in paths}
    changed = rewrite_paper(tmp_path, 5, seed=7)
    assert [p for p in paths if p.read_bytes() != before[p]] == [changed]


def test_generated_papers_load_through_the_corpus_layer(tmp_path: Path) -> None:
    corpus = pytest.importorskip("corpus")
    load_document = getattr(corpus, "load_document", None)
    if load_document is None:
        pytest.skip("corpus.load_document has not landed yet")
    kinds: set[str] = set()
    for path in write_corpus(tmp_path, 8, seed=11):
        doc = load_document(path)
        assert doc.words > 100
        for block in doc.blocks:
            assert doc.text[block.start : block.end] == block.text
            kinds.add(block.kind)
    assert {"heading", "paragraph", "table_row"} <= kinds
