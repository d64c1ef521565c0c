"""`councilkg build / docs / show` through click's CliRunner.

Most tests here are about ingestion, so they build with the later stages (extraction,
graph, search) switched off (the ``ingest_only`` fixture); one slow test runs the whole
build on the samples.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from councilkg.cli import cli

sys.path.insert(0, str(Path(__file__).parent))
from fixtures_docs import docx_bytes, make_docx, make_encrypted_pdf, make_pdf  # noqa: E402


def run(data_dir: Path, *args: str):
    return CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args])


@pytest.fixture
def ingest_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """`councilkg build` without the stages after ingestion (these tests are about ingestion)."""
    import councilkg.pipeline as pipeline

    try:
        import councilkg.stages as stages

        monkeypatch.setattr(stages, "default_stages", lambda: [])
    except ImportError:  # the stages are not wired in this checkout
        pass
    monkeypatch.setattr(pipeline, "STAGES", [])


def store_snapshot(data_dir: Path) -> list[tuple]:
    """Every row of the corpus store's tables, to compare before and after a build."""
    with sqlite3.connect(data_dir / "corpus.sqlite") as db:
        return [
            row
            for table in ("papers", "versions", "blocks", "tables")
            for row in db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")  # noqa: S608 - fixed names
        ]


@pytest.mark.slow
def test_full_build_of_the_samples_then_docs_and_show(samples_dir: Path, data_dir: Path) -> None:
    result = run(data_dir, "build", str(samples_dir))
    assert result.exit_code == 0, result.output
    assert "added 5, updated 0, unchanged 0, failed 0" in result.output
    docs = json.loads(run(data_dir, "docs", "--json").output)
    assert {d["authority"] for d in docs} == {
        "Nottingham City Council",
        "Nottinghamshire County Council",
        "Derby City Council",
    }
    shown = run(data_dir, "show", docs[0]["id"])
    assert shown.exit_code == 0 and "structure (headings and tables):" in shown.output
    again = run(data_dir, "build", str(samples_dir))
    assert again.exit_code == 0 and "added 0, updated 0, unchanged 5, failed 0" in again.output


def test_build_samples_with_catalogue_then_docs_json(
    samples_dir: Path, data_dir: Path, ingest_only: None
) -> None:
    result = run(data_dir, "build", str(samples_dir), "--catalogue", str(samples_dir / "catalogue.csv"))
    assert result.exit_code == 0, result.output
    assert "added 5, updated 0, unchanged 0, failed 0" in result.output
    docs = json.loads(run(data_dir, "docs", "--json").output)
    assert len(docs) == 5
    keys = {
        "id",
        "file",
        "authority",
        "gss_code",
        "date",
        "year",
        "committee",
        "title",
        "type",
        "pages",
        "words",
    }
    assert all(set(d) == keys for d in docs)
    by_file = {d["file"]: d for d in docs}
    assert by_file["001_d4d75379dab6ba82.txt"]["date"] == "2019-07-09"
    assert by_file["003_329b15e103d95be7.txt"]["gss_code"] == "E06000015"
    again = run(data_dir, "build", str(samples_dir), "--catalogue", str(samples_dir / "catalogue.csv"))
    assert "added 0, updated 0, unchanged 5, failed 0" in again.output
    table = run(data_dir, "docs").output.splitlines()
    assert table[0].split("\t")[:3] == ["id", "authority (GSS code)", "date"]
    assert [line.split("\t")[0] for line in table[1:6]] == sorted(d["id"] for d in docs)
    assert "Nottingham City Council (E06000018)\t2019-07-09" in table[2]


def test_build_reports_each_failure_and_exits_1(
    tmp_path: Path, samples_dir: Path, data_dir: Path, ingest_only: None
) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    shutil.copy(samples_dir / "004_a191dbb3d3a7156f.txt", papers / "good.txt")
    (papers / "empty.txt").write_bytes(b"")
    (papers / "blob.txt").write_bytes(bytes(range(256)) * 20)
    (papers / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    result = run(data_dir, "build", str(papers), str(papers / "sheet.xlsx"), str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    out = result.output
    assert "added 1, updated 0, unchanged 0, failed 4" in out
    assert f"failed: {papers / 'empty.txt'}: empty file" in out
    assert f"failed: {papers / 'blob.txt'}: binary data, not text" in out
    assert "sheet.xlsx: unsupported file type .xlsx" in out
    assert "nowhere: no such file or folder" in out
    assert "Traceback" not in out
    # Not on a terminal: no progress bar, no hints; only the summary and its failure lines.
    assert all(line.startswith(("added ", "failed: ")) for line in out.splitlines()), out
    assert json.loads(run(data_dir, "docs", "--json").output)[0]["id"].startswith("good-")


def test_show_text_and_json(samples_dir: Path, data_dir: Path, ingest_only: None) -> None:
    run(data_dir, "build", str(samples_dir / "002_adae712cbe23439e.txt"))
    text = run(data_dir, "show", "002-adae712cbe23439e")
    assert text.exit_code == 0
    assert "Nottinghamshire County Council" in text.output and "[inferred:" in text.output
    # The outline names every table once, with its row count and columns (or first row).
    assert "[table 0, 5 row(s); columns: Group | Chairing Arrangements | Agreed CCG Input]" in text.output
    assert "[table 1, 7 row(s); columns: Group | Commissioning Priorities]" in text.output
    data = json.loads(run(data_dir, "show", "002_adae712cbe23439e.txt", "--json").output)
    assert text.output.count("[table ") == len(data["tables"]) == 2
    assert data["metadata"]["gss_code"] == "E10000024"
    for block in data["blocks"]:
        assert data["text"][block["start"] : block["end"]] == block["text"]


def test_show_unknown_paper_and_empty_store_are_one_line_errors(data_dir: Path, ingest_only: None) -> None:
    empty = run(data_dir, "docs")
    assert empty.exit_code == 1 and "run `councilkg build PATH`" in empty.output
    run(data_dir, "build", str(Path(__file__).parent.parent / "corpus/data/samples/000_202cedb77aa5a29e.txt"))
    missing = run(data_dir, "show", "no-such-paper")
    assert missing.exit_code == 1
    assert missing.output.strip().startswith("error: no paper 'no-such-paper'")
    assert len(missing.output.strip().splitlines()) == 1


def test_build_with_bad_catalogue_is_a_clear_error(tmp_path: Path, data_dir: Path, ingest_only: None) -> None:
    catalogue = tmp_path / "cat.csv"
    catalogue.write_text("name\nx\n", encoding="utf-8")
    paper = tmp_path / "p.txt"
    paper.write_text("Some paper text.\n", encoding="utf-8")
    result = run(data_dir, "build", str(paper), "--catalogue", str(catalogue))
    assert result.exit_code == 1
    assert "no 'file' column" in result.output


BAD_INPUTS = [
    ("corrupt.pdf", "corrupt PDF"),
    ("locked.pdf", "encrypted PDF: it needs a password"),
    ("image.txt", "binary data, not text"),
    ("empty.txt", "empty file"),
    ("cut.docx", "corrupt or truncated DOCX"),
    ("huge.txt", "file is 205 KB, over the 0.1 MB limit (max_file_mb)"),
]


@pytest.mark.slow
def test_every_bad_input_is_named_with_a_reason_and_changes_nothing_stored(
    tmp_path: Path, samples_dir: Path, data_dir: Path, ingest_only: None
) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    good = papers / "board.txt"
    good.write_text(
        "WESTSHIRE COUNTY COUNCIL\n\nCABINET\n\nDate: 4 May 2021\n\n1. Westshire County Council "
        "agreed the plan.\n",
        encoding="utf-8",
    )
    assert run(data_dir, "--set", "max_file_mb=0.1", "build", str(papers)).exit_code == 0
    before = store_snapshot(data_dir)
    # The stored paper comes back damaged, and bad files of every kind sit beside good ones.
    good.write_bytes(b"\x00\x01binary\x00" * 40)
    source_pdf = make_pdf(tmp_path / "source.pdf")
    (papers / "corrupt.pdf").write_bytes(source_pdf.read_bytes()[:900])
    make_encrypted_pdf(papers / "locked.pdf", source_pdf)
    (papers / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 40)
    (papers / "empty.txt").write_bytes(b"")
    (papers / "cut.docx").write_bytes(docx_bytes()[:700])
    (papers / "huge.txt").write_text("The council agreed the budget. " * 6770, encoding="utf-8")
    cp1252 = "NOTTINGHAM CITY COUNCIL\n\n1. The caf\u00e9 budget is \u00a3350,000 \u2013 agreed.\n"
    (papers / "windows.txt").write_bytes(cp1252.encode("cp1252"))
    (papers / "latin.txt").write_bytes(cp1252.replace("\u2013", "-").encode("latin-1"))
    make_docx(papers / "plan.docx")
    shutil.copy(source_pdf, papers / "report.pdf")
    result = run(data_dir, "--set", "max_file_mb=0.1", "build", str(papers))
    out = result.output
    assert result.exit_code == 1, out
    assert "Traceback" not in out
    assert "added 4, updated 0, unchanged 0, failed 7" in out
    assert f"failed: {good}: binary data, not text" in out
    for name, reason in BAD_INPUTS:
        lines = [line for line in out.splitlines() if line.startswith(f"failed: {papers / name}: ")]
        assert len(lines) == 1 and reason in lines[0], (name, out)
    docs = {d["file"]: d for d in json.loads(run(data_dir, "docs", "--json").output)}
    assert set(docs) == {"board.txt", "windows.txt", "latin.txt", "plan.docx", "report.pdf"}
    stored = {
        name: json.loads(run(data_dir, "show", name, "--json").output)["text"]
        for name in ("windows.txt", "latin.txt")
    }
    assert "caf\u00e9 budget is \u00a3350,000 \u2013 agreed" in stored["windows.txt"]
    assert "caf\u00e9 budget is \u00a3350,000 - agreed" in stored["latin.txt"]
    # The damaged copy of board.txt changed nothing: same rows, no new version.
    board_rows = [r for r in store_snapshot(data_dir) if r[0] == "board"]
    assert board_rows == [r for r in before if r[0] == "board"]


def test_changed_paper_replaces_its_version_and_show_lists_the_history(
    tmp_path: Path, data_dir: Path, ingest_only: None
) -> None:
    paper = tmp_path / "fees.txt"
    paper.write_text("DERBY CITY COUNCIL\n\nDate: 3 March 2014\n\n1. Fees rise by 2%.\n", encoding="utf-8")
    assert "added 1," in run(data_dir, "build", str(paper)).output
    first = json.loads(run(data_dir, "show", "fees", "--json").output)
    paper.write_text("DERBY CITY COUNCIL\n\nDate: 2 March 2015\n\n1. Fees rise by 3%.\n", encoding="utf-8")
    assert "added 0, updated 1, unchanged 0, failed 0" in run(data_dir, "build", str(paper)).output
    second = json.loads(run(data_dir, "show", "fees", "--json").output)
    assert "3%" in second["text"] and "2%" not in second["text"]
    assert [v["version"] for v in second["versions"]] == [1, 2]
    old, new = second["versions"]
    assert old["content_hash"] == first["content_hash"] != new["content_hash"] == second["content_hash"]
    assert old["metadata"]["date"] == "2014-03-03" and new["metadata"]["date"] == "2015-03-02"
    assert "versions   2" in run(data_dir, "show", "fees").output


def test_a_file_where_the_data_directory_should_be_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder", encoding="utf-8")
    paper = tmp_path / "p.txt"
    paper.write_text("Derby City Council agreed the plan.\n", encoding="utf-8")
    for data_dir in (blocker / "sub", blocker / "sub" / "deeper"):
        result = run(data_dir, "build", str(paper))
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.output.startswith("error: ") and "cannot use as the data directory" in result.output
        assert len(result.output.strip().splitlines()) == 1


INGEST_ONLY_CLI = """
import sys
import councilkg.pipeline as pipeline
try:
    import councilkg.stages as stages
    stages.default_stages = lambda: []
except ImportError:
    pass
pipeline.STAGES[:] = []
from councilkg.cli import main
sys.argv[0] = "councilkg"
main()
"""


def test_build_on_a_terminal_shows_progress_and_the_next_step(tmp_path: Path, samples_dir: Path) -> None:
    import os
    import pty
    import subprocess
    import threading

    master, slave = pty.openpty()
    root = Path(__file__).resolve().parent.parent
    chunks: list[bytes] = []

    def drain() -> None:  # read while the build writes, so a full terminal buffer never blocks it
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed: everything was read
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    command = [sys.executable, "-c", INGEST_ONLY_CLI, "--data-dir", str(tmp_path / "data"), "build"]
    try:
        done = subprocess.run(
            [*command, str(samples_dir)],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root), "COLUMNS": "100"},
            stdout=subprocess.PIPE,
            stderr=slave,
            text=True,
            timeout=120,
        )
    finally:
        os.close(slave)
        reader.join(timeout=10)
        os.close(master)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == "added 5, updated 0, unchanged 0, failed 0"  # stdout: summary only
    assert "ingesting" in terminal and "100%" in terminal
    assert "next: `councilkg docs`" in terminal
