"""What only the PostgreSQL back end has to show: several writers at once, and clean failures
when the ``database`` setting is wrong or the server is gone. (The shared behaviour of the
stores is tested once for both back ends in test_corpus_store.py and test_search_index.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from pg_server import _free_port

from corpus.store import CorpusStore, corpus_exists
from councilkg.cli import cli
from councilkg.database import Database, lock_key, shown_url, to_pyformat
from councilkg.errors import CouncilKGError
from councilkg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

PAPER = (
    "BOROUGH COUNCIL OF NETHERFIELD\n\nCABINET\n\nDate: {day} March 2021\n\n"
    "1. The cabinet agreed to fund {service} from the {fund} for two years.\n"
)


def _papers(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"cabinet-{i}.txt"
        path.write_text(PAPER.format(day=i + 1, service=f"service number {i}", fund="prevention fund"))
        paths.append(path)
    return paths


def test_placeholders_become_pyformat_outside_quotes_and_percent_is_escaped() -> None:
    assert to_pyformat("SELECT ? FROM t WHERE a = ? AND b LIKE '5%?'") == (
        "SELECT %s FROM t WHERE a = %s AND b LIKE '5%%?'"
    )
    assert to_pyformat('SELECT "what?" FROM t WHERE x = ?') == 'SELECT "what?" FROM t WHERE x = %s'


def test_lock_keys_are_stable_signed_64_bit_and_differ_per_name() -> None:
    keys = {lock_key(f"corpus:paper-{i}") for i in range(1000)}
    assert len(keys) == 1000
    assert all(-(1 << 63) <= k < (1 << 63) for k in keys)
    assert lock_key("corpus:a") == lock_key("corpus:a")


def test_passwords_are_not_shown_in_messages() -> None:
    assert shown_url("postgresql://ann:s3cret@db.example:5432/council") == (
        "postgresql://ann:***@db.example:5432/council"
    )


@pytest.mark.server
def test_several_writers_on_one_database_store_each_paper_once(tmp_path: Path, postgres_url: str) -> None:
    """Four build workers (each its own connection) ingest the same papers at the same time:
    every paper is written by exactly one of them, once, and the store stays consistent."""
    paths = _papers(tmp_path / "papers", 8)
    settings = Settings.load({"data_dir": str(tmp_path / "data"), "database": postgres_url})
    stores = [CorpusStore(tmp_path / "unused.sqlite", settings) for _ in range(4)]
    reports = []
    start = threading.Barrier(len(stores))

    def work(store: CorpusStore) -> None:
        start.wait()
        reports.append(store.ingest(paths))

    threads = [threading.Thread(target=work, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(reports) == 4 and all(r.ok for r in reports)
    added = sorted(p for r in reports for p in r.added)
    assert added == sorted(str(p) for p in paths)  # each paper added by one worker only
    assert not any(r.updated for r in reports)
    store = stores[0]
    assert len(store.ids()) == 8
    assert all(len(store.history(doc_id)) == 1 for doc_id in store.ids())
    assert store.check_integrity() == []
    assert not (tmp_path / "unused.sqlite").exists()  # nothing was written beside the server
    for s in stores:
        s.close()


@pytest.mark.server
def test_a_changed_paper_written_by_two_workers_gets_consecutive_versions(
    tmp_path: Path, postgres_url: str
) -> None:
    (path,) = _papers(tmp_path / "papers", 1)
    settings = Settings.load({"data_dir": str(tmp_path / "data"), "database": postgres_url})
    with CorpusStore(tmp_path / "x.sqlite", settings) as a, CorpusStore(tmp_path / "x.sqlite", settings) as b:
        assert a.ingest([path]).added == [str(path)]
        path.write_text(PAPER.format(day=9, service="meals at home", fund="public health grant"))
        assert b.ingest([path]).updated == [str(path)]
        assert a.ingest([path]).unchanged == [str(path)]  # a sees b's version
        doc_id = a.ids()[0]
        assert [v.version for v in a.history(doc_id)] == [1, 2]
        assert "meals at home" in a.get(doc_id).text


@pytest.mark.server
def test_corpus_exists_only_once_a_store_was_created(tmp_path: Path, postgres_url: str) -> None:
    settings = Settings.load({"data_dir": str(tmp_path / "data"), "database": postgres_url})
    assert not corpus_exists(settings)
    CorpusStore.open(settings).close()
    assert corpus_exists(settings)


def test_a_server_that_does_not_answer_is_one_line_naming_the_setting(tmp_path: Path) -> None:
    url = f"postgresql://councilkg:pw@127.0.0.1:{_free_port()}/council"
    settings = Settings.load({"data_dir": str(tmp_path), "database": url})
    with pytest.raises(CouncilKGError) as caught:
        CorpusStore.open(settings)
    message = caught.value.message
    assert message.startswith("setting database: cannot connect to PostgreSQL at postgresql://councilkg:***@")
    assert "pw@" not in message and "\n" not in str(caught.value)


@pytest.mark.parametrize("url", ["mysql://somewhere/council", "postgresql://127.0.0.1:notaport/x"])
def test_a_bad_database_url_is_one_line_naming_the_setting(tmp_path: Path, url: str) -> None:
    settings = Settings.load({"data_dir": str(tmp_path), "database": url})
    with pytest.raises(CouncilKGError, match=r"^setting database: "):
        CorpusStore.open(settings)


def test_cli_with_a_url_of_another_kind_prints_one_error_line(tmp_path: Path) -> None:
    args = ["--data-dir", str(tmp_path), "--set", "database=sqlite:///x.db", "docs"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: setting database: 'sqlite:///x.db' is not a postgresql:// URL "
        "(leave it empty for SQLite files)"
    )


def test_cli_with_a_server_down_prints_one_error_line(tmp_path: Path) -> None:
    url = f"postgresql://councilkg@127.0.0.1:{_free_port()}/council"
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "--set", f"database={url}", "docs"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: setting database: cannot connect"), result.output
    assert "Traceback" not in result.output


@pytest.mark.server
def test_cli_builds_and_lists_papers_on_the_server(tmp_path: Path, postgres_url: str) -> None:
    """One process stores papers, then `councilkg docs` run with another data directory lists
    them: the papers are on the server, not in either folder."""
    paths = _papers(tmp_path / "papers", 2)
    env_set = ["--set", f"database={postgres_url}"]
    code = (
        "import sys; from corpus.store import CorpusStore; from councilkg.settings import Settings; "
        "s = CorpusStore.open(Settings.load({'data_dir': sys.argv[1], 'database': sys.argv[2]})); "
        "print(s.ingest(sys.argv[3:]).added)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "one"), postgres_url, *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "two"), *env_set, "docs", "--json"])
    assert result.exit_code == 0, result.output
    assert sorted(r["file"] for r in json.loads(result.output)) == ["cabinet-0.txt", "cabinet-1.txt"]
    assert not (tmp_path / "two" / "corpus.sqlite").exists()


@pytest.mark.server
def test_database_transactions_roll_back_on_error(postgres_url: str) -> None:
    db = Database.postgres(postgres_url, schema="scratch")
    db.execute("CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER)")
    with pytest.raises(RuntimeError), db.transaction(lock="t"):
        db.execute("INSERT INTO t VALUES (?, ?)", ("a", 1))
        raise RuntimeError("stop")
    assert db.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    with db:
        assert db.insert_ids("INSERT INTO t VALUES (?, ?) RETURNING v", [("a", 5), ("b", 7)]) == [5, 7]
    assert db.execute("SELECT sum(v) FROM t").fetchone()[0] == 12
    db.close()



@pytest.mark.server
def test_remove_finds_the_papers_on_the_server(tmp_path: Path, postgres_url: str) -> None:
    """`remove` asks the configured store whether a corpus exists, not for a corpus.sqlite file."""
    from councilkg.pipeline import remove

    paths = _papers(tmp_path / "papers", 2)
    settings = Settings.load({"data_dir": str(tmp_path / "data"), "database": postgres_url})
    store = CorpusStore.open(settings)
    store.ingest([str(p) for p in paths])
    store.close()
    report = remove(["cabinet-0.txt"], settings, stages=[])
    assert [r for r in report.removed] and not (tmp_path / "data" / "corpus.sqlite").exists()
    store = CorpusStore.open(settings)
    assert sorted(d.file_name for d in store.documents()) == ["cabinet-1.txt"]
