"""`councilkg build / docs / show` through click's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from councilkg.cli import cli


def run(data_dir: Path, *args: str):
    return CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args])


def test_build_samples_with_catalogue_then_docs_json(samples_dir: Path, data_dir: Path) -> None:
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


def test_build_reports_each_failure_and_exits_1(tmp_path: Path, samples_dir: Path, data_dir: Path) -> None:
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
    assert json.loads(run(data_dir, "docs", "--json").output)[0]["id"] == "good"


def test_show_text_and_json(samples_dir: Path, data_dir: Path) -> None:
    run(data_dir, "build", str(samples_dir / "002_adae712cbe23439e.txt"))
    text = run(data_dir, "show", "002-adae712cbe23439e")
    assert text.exit_code == 0
    assert "Nottinghamshire County Council" in text.output and "[inferred:" in text.output
    data = json.loads(run(data_dir, "show", "002_adae712cbe23439e.txt", "--json").output)
    assert data["metadata"]["gss_code"] == "E10000024"
    for block in data["blocks"]:
        assert data["text"][block["start"] : block["end"]] == block["text"]


def test_show_unknown_paper_and_empty_store_are_one_line_errors(data_dir: Path) -> None:
    empty = run(data_dir, "docs")
    assert empty.exit_code == 1 and "run `councilkg build PATH`" in empty.output
    run(data_dir, "build", str(Path(__file__).parent.parent / "corpus/data/samples/000_202cedb77aa5a29e.txt"))
    missing = run(data_dir, "show", "no-such-paper")
    assert missing.exit_code == 1
    assert missing.output.strip().startswith("error: no paper 'no-such-paper'")
    assert len(missing.output.strip().splitlines()) == 1


def test_build_with_bad_catalogue_is_a_clear_error(tmp_path: Path, data_dir: Path) -> None:
    catalogue = tmp_path / "cat.csv"
    catalogue.write_text("name\nx\n", encoding="utf-8")
    paper = tmp_path / "p.txt"
    paper.write_text("Some paper text.\n", encoding="utf-8")
    result = run(data_dir, "build", str(paper), "--catalogue", str(catalogue))
    assert result.exit_code == 1
    assert "no 'file' column" in result.output
