"""Regression tests of issue #12 items 7 (long paragraphs), 11 (names in one-line reports),
13 (usage errors) and 15 (queries without words), on made-up inputs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from councilkg.cli import cli
from councilkg.errors import one_line
from nlp.long_text import cut_long_text
from search.keyword import has_search_words

sys.path.insert(0, str(Path(__file__).parent))


def run(data_dir: Path, *args: str):
    return CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args])


@pytest.fixture
def ingest_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import councilkg.pipeline as pipeline
    import councilkg.stages as stages

    monkeypatch.setattr(stages, "default_stages", lambda: [])
    monkeypatch.setattr(pipeline, "STAGES", [])


# -- item 11: a file name cannot forge a line ------------------------------------------------


def test_one_line_escapes_line_breaks_controls_and_direction_overrides() -> None:
    assert one_line("a\nfailed: b\r\x1b[2J\u2028c\u202ed") == "a\\nfailed: b\\r\\x1b[2J\\u2028c\\u202ed"
    assert one_line("Café – £5 'ok'") == "Café – £5 'ok'"


@pytest.mark.skipif(sys.platform == "win32", reason="newlines in file names need a POSIX file system")
def test_a_file_name_with_a_newline_prints_one_failed_line(tmp_path: Path, ingest_only: None) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "fine.txt").write_text("The Cabinet approved the home care contract.\n", encoding="utf-8")
    (papers / "junk\nfailed: forged.txt: all is well\r.txt").write_bytes(b"")
    result = run(tmp_path / "data", "build", str(papers))
    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, result.output
    assert failed[0].endswith("junk\\nfailed: forged.txt: all is well\\r.txt: empty file")


# -- item 13: usage errors are one `error:` line, exit 1 ----------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["search", "home care", "-k", "0"],
        ["build"],
        ["--set", "no_such_setting=1", "docs"],
        ["--set", "workers=many", "docs"],
        ["build", "--workers", "0", "."],
        ["no-such-command"],
    ],
)
def test_usage_errors_are_one_error_line_with_exit_1(tmp_path: Path, args: list[str]) -> None:
    result = run(tmp_path / "data", *args)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output and "Usage:" not in result.output


def test_help_is_still_help(tmp_path: Path) -> None:
    result = run(tmp_path / "data", "search", "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


# -- item 15: a query without words matches nothing -----------------------------------------


@pytest.mark.parametrize("query", ["*", "(((", "?!", "--", "the of and"])
def test_queries_without_search_words(query: str) -> None:
    assert not has_search_words(query)


@pytest.mark.parametrize("query", ["home care", "CAMHS", "£5m", "s75"])
def test_queries_with_search_words(query: str) -> None:
    assert has_search_words(query)


# -- item 7: a paragraph longer than spaCy's max_length is cut, offsets kept -------------------


def test_cut_long_text_covers_the_text_in_pieces_ending_at_sentences() -> None:
    sentence = "The Board approved the pooled budget for home care services. "
    text = sentence * 2000  # 122,000 characters, one "paragraph"
    pieces = cut_long_text(text, 10_000)
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 10_000 for _, p in pieces)
    assert all(text[o:o + len(p)] == p for o, p in pieces)
    assert all(p.endswith(". ") for _, p in pieces[:-1])


def test_cut_long_text_without_spaces_cuts_at_the_limit() -> None:
    pieces = cut_long_text("x" * 25, 10)
    assert [len(p) for _, p in pieces] == [10, 10, 5]
    assert cut_long_text("short", 10) == [(0, "short")]


def test_a_paragraph_over_max_length_is_extracted_with_exact_offsets() -> None:
    from corpus.models import Block, Document, Metadata
    from councilkg.settings import Settings
    from nlp.extractor import Extractor

    filler = "Members discussed the report at length and asked questions about it. " * 300
    text = filler + "Funding comes from the Better Care Fund. "
    extractor = Extractor(Settings.load({}, environ={}))
    extractor.nlp.max_length = 5_000  # the real limit is 1,000,000; the same path, smaller text
    blocks = [Block("paragraph", 0, len(text), text)]
    doc = Document("long", "long.txt", "0" * 64, text, blocks, [], Metadata())
    extraction = extractor.extract(doc)
    mentions = [m for m in extraction.mentions if m.text == "Better Care Fund"]
    assert mentions, [e.name for e in extraction.entities.values()]
    ev = mentions[0].evidence
    assert ev.start > len(filler) - 1 and text[ev.start:ev.end] == ev.quote
    assert "Better Care Fund" in ev.quote
