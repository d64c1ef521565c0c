"""The corpus store: idempotent ingestion, versions kept as history, crash consistency."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from pg_server import BACKENDS, backend_settings

from corpus.loading import doc_id_for
from corpus.store import CorpusStore, discover_files
from councilkg.errors import NotFound
from councilkg.pipeline import Stage, build
from councilkg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

PAPER = (
    "DERBY CITY COUNCIL\n\nHEALTH AND WELLBEING BOARD\n\nDate: 12 September 2013\n\n"
    "CHILDREN'S COMMISSIONING\n\n1. Derby City Council and the CCG will jointly commission {service}.\n\n"
    "Service\tFunding Source\tValue\nHome Care\tBetter Care Fund\t£1.2m\n"
)


def write_paper(folder: Path, name: str, service: str = "short breaks") -> Path:
    path = folder / name
    path.write_text(PAPER.format(service=service), encoding="utf-8")
    return path


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, data_dir: Path) -> CorpusStore:
    """The store on each back end: an SQLite file, then a database on a real PostgreSQL server."""
    s = CorpusStore(data_dir / "corpus.sqlite", Settings.load(backend_settings(request, data_dir)))
    yield s
    s.close()


def test_ingest_then_get_round_trips_the_document(tmp_path: Path, store: CorpusStore) -> None:
    path = write_paper(tmp_path, "Board Report.txt")
    report = store.ingest([path])
    assert report.added == [str(path)] and report.ok
    doc = store.get("board-report")
    assert doc.metadata.authority == "Derby City Council"
    assert doc.metadata.date == "2013-09-12"
    row = next(b for b in doc.blocks if b.kind == "table_row")
    assert row.cells[1].header == "Funding Source"
    assert doc.text[row.start : row.end] == row.text
    assert store.get("Board Report.txt").doc_id == doc_id_for(path) == doc.doc_id
    assert doc.doc_id.startswith("board-report-")  # readable, then a hash of the path
    assert store.check_integrity() == []


def test_unchanged_file_is_skipped_and_changed_file_replaces_with_history(
    tmp_path: Path, store: CorpusStore
) -> None:
    path = write_paper(tmp_path, "paper.txt")
    store.ingest([path])
    again = store.ingest([path])
    assert again.unchanged == [str(path)] and not again.changed_ids
    write_paper(tmp_path, "paper.txt", service="day services")
    changed = store.ingest([path])
    assert changed.updated == [str(path)] and changed.changed_ids == [doc_id_for(path)]
    doc = store.get("paper")  # the id's readable part names the paper while it is the only one
    assert "day services" in doc.text and "short breaks" not in doc.text
    history = store.history("paper")
    assert [v.version for v in history] == [1, 2]
    assert history[0].content_hash != history[1].content_hash == doc.content_hash
    assert history[0].metadata["authority"] == "Derby City Council"
    assert len(store.list()) == 1


def test_bad_file_changes_nothing_already_stored_and_good_files_still_land(
    tmp_path: Path, store: CorpusStore
) -> None:
    good = write_paper(tmp_path, "good.txt")
    store.ingest([good])
    before = store.get("good")
    good.write_bytes(b"\x00\x01\x02binary\x00" * 50)  # the same paper, now corrupt
    other = write_paper(tmp_path, "other.txt")
    report = store.ingest([good, other])
    assert report.failed == [(str(good), "binary data, not text")]
    assert report.added == [str(other)]
    after = store.get("good")
    assert after.text == before.text and after.content_hash == before.content_hash
    assert len(store.history("good")) == 1


def test_missing_paper_is_not_found(store: CorpusStore) -> None:
    with pytest.raises(NotFound):
        store.get("nope")


def test_folders_are_recursed_skipping_notes_and_hidden_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    write_paper(tmp_path, "a.txt")
    write_paper(tmp_path / "sub", "b.md")
    write_paper(tmp_path / ".hidden", "c.txt")
    (tmp_path / "README.md").write_text("# About these papers\n", encoding="utf-8")
    (tmp_path / "data.csv").write_text("x,y\n", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "README.md").write_text("# About\n", encoding="utf-8")
    files, missing = discover_files([tmp_path, tmp_path / "absent.txt", tmp_path / "notes"])
    assert sorted(p.name for p in files) == ["a.txt", "b.md"]
    assert missing[0] == (str(tmp_path / "absent.txt"), "no such file or folder")
    assert missing[1][0] == str(tmp_path / "notes") and missing[1][1].startswith("no papers in this folder")


def test_two_files_of_one_name_in_different_folders_are_two_papers(
    tmp_path: Path, store: CorpusStore
) -> None:
    # Issue #12 item 5: ids were the file name's slug alone, so the second minutes replaced the first.
    (tmp_path / "C" / "2019").mkdir(parents=True)
    (tmp_path / "C" / "2020").mkdir(parents=True)
    first = write_paper(tmp_path / "C" / "2019", "minutes.txt", service="short breaks")
    store.ingest([first])
    second = write_paper(tmp_path / "C" / "2020", "minutes.txt", service="day services")
    report = store.ingest([second])
    assert report.added == [str(second)] and not report.updated and report.ok
    ids = store.ids()
    assert len(ids) == 2 and all(i.startswith("minutes-") for i in ids)
    assert "short breaks" in store.get(doc_id_for(first)).text
    assert "day services" in store.get(doc_id_for(second)).text
    with pytest.raises(NotFound, match="names 2 papers"):
        store.get("minutes.txt")  # ambiguous: the error lists both ids
    # Rebuilding the same paths keeps their ids (idempotent).
    again = store.ingest([first, second])
    assert sorted(again.unchanged) == sorted([str(first), str(second)]) and store.ids() == ids


def test_non_latin_names_and_one_stem_with_two_suffixes_are_separate_papers(
    tmp_path: Path, store: CorpusStore
) -> None:
    first = write_paper(tmp_path, "会議録.txt")
    second = write_paper(tmp_path, "議事録.txt", service="respite")
    (tmp_path / "junk.pdf").write_bytes(b"%PDF-1.4 not really")
    (tmp_path / "junk.txt").write_bytes(b"")
    report = store.ingest([first, second, tmp_path / "junk.pdf", tmp_path / "junk.txt"])
    assert sorted(report.added) == sorted([str(first), str(second)])
    assert [i.startswith("paper-") for i in store.ids()] == [True, True]
    reasons = dict(report.failed)
    # Each junk file gets its own fault, not "same paper id".
    assert reasons[str(tmp_path / "junk.txt")] == "empty file"
    assert "same paper id" not in reasons[str(tmp_path / "junk.pdf")]


def test_an_id_clash_between_two_sources_is_refused(
    tmp_path: Path, store: CorpusStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import corpus.store as corpus_store

    monkeypatch.setattr(corpus_store, "doc_id_for_source", lambda source: "report-0000000000")
    (tmp_path / "x").mkdir()
    report = store.ingest([write_paper(tmp_path, "report.txt"), write_paper(tmp_path / "x", "report.md")])
    assert len(report.added) == 1 and len(report.failed) == 1
    assert "same paper id" in report.failed[0][1]


def test_samples_round_trip_through_the_store(samples_dir: Path, store: CorpusStore) -> None:
    report = store.ingest([samples_dir])
    assert len(report.added) == 5 and report.ok
    for record in store.list():
        doc = store.get(record.id)
        assert record.words == doc.words > 100
        for block in doc.blocks:
            assert doc.text[block.start : block.end] == block.text


def test_pipeline_runs_stages_only_for_stale_papers(tmp_path: Path, data_dir: Path) -> None:
    settings = Settings.load({"data_dir": str(data_dir)})
    done: dict[str, str] = {}

    def stale(doc_id: str, content_hash: str, _settings: Settings) -> bool:
        return done.get(doc_id) != content_hash

    def run(documents, _settings):  # type: ignore[no-untyped-def]
        for doc in documents:
            done[doc.doc_id] = doc.content_hash
        return {}

    stage = Stage("extract", stale, run)
    a, b = write_paper(tmp_path, "a.txt"), write_paper(tmp_path, "b.txt")
    first = build([a, b], settings, stages=[stage])
    assert sorted(first.stages["extract"]) == sorted([doc_id_for(a), doc_id_for(b)])
    write_paper(tmp_path, "b.txt", service="respite")
    second = build([a, b], settings, stages=[stage])
    assert second.unchanged == [str(a)] and second.updated == [str(b)]
    assert second.stages["extract"] == [doc_id_for(b)]


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from corpus.store import CorpusStore
    store = CorpusStore(Path(sys.argv[1]))
    class PausingConnection:
        # Delegates to the real connection; stops for good inside the transaction.
        def __init__(self, db):
            self.db = db
        def __getattr__(self, name):
            return getattr(self.db, name)
        def executemany(self, sql, rows):
            result = self.db.executemany(sql, rows)
            if sql.startswith("INSERT INTO tables"):
                print("IN-TRANSACTION", flush=True)
                time.sleep(60)
            return result
    store._db = PausingConnection(store._db)
    store.ingest([Path(p) for p in sys.argv[2:]])
    """
)


@pytest.mark.slow
def test_kill_9_mid_transaction_leaves_store_consistent_and_rerun_completes(tmp_path: Path) -> None:
    db = tmp_path / "data" / "corpus.sqlite"
    papers = tmp_path / "papers"
    papers.mkdir()
    first = write_paper(papers, "a.txt")
    with CorpusStore(db) as store:
        store.ingest([first])
        before = store.get("a")
    write_paper(papers, "a.txt", service="crisis support")  # changed: will be replaced
    second = write_paper(papers, "b.txt")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(first), str(second)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.time() + 60
        line = ""
        while time.time() < deadline and "IN-TRANSACTION" not in line:
            line = child.stdout.readline()
            if not line and child.poll() is not None:
                break
        assert "IN-TRANSACTION" in line
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        child.wait()
    with CorpusStore(db) as store:
        assert store.check_integrity() == []
        after = store.get("a")
        assert after.text == before.text  # the killed transaction left no trace
        assert len(store.history("a")) == 1
        report = store.ingest([first, second])
        assert report.updated == [str(first)] and report.added == [str(second)]
        assert "crisis support" in store.get("a").text
        assert store.check_integrity() == []


@pytest.mark.slow
def test_build_with_two_workers_matches_a_single_process_build(samples_dir: Path, tmp_path: Path) -> None:
    single = Settings.load({"data_dir": str(tmp_path / "one")})
    double = Settings.load({"data_dir": str(tmp_path / "two"), "workers": 2})
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    # Ingestion only (the parsing is what the workers share here); the later stages have their own tests.
    first = build([samples_dir, bad], single, stages=[])
    second = build([samples_dir, bad], double, stages=[])
    assert sorted(first.added) == sorted(second.added) and len(second.added) == 5
    assert second.failed == [(str(bad), "empty file")]
    with CorpusStore.open(single) as a, CorpusStore.open(double) as b:
        for record in a.list():
            assert b.get(record.id).text == a.get(record.id).text
            assert b.get(record.id).blocks == a.get(record.id).blocks


def _build_command(data_dir: Path, *args: str) -> list[str]:
    """`councilkg --data-dir D build …` as a real process (the console script's entry point)."""
    code = "import sys; from councilkg.cli import main; sys.argv[0] = 'councilkg'; main()"
    return [sys.executable, "-c", code, "--data-dir", str(data_dir), "build", *args]


@pytest.mark.slow
@pytest.mark.parametrize("kill_while", ["ingesting", "extracting"])
def test_real_build_killed_with_sigkill_then_rerun_completes(tmp_path: Path, kill_while: str) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    services = ["home care", "short breaks", "day services", "respite", "crisis support", "advocacy"]
    for n in range(36):
        body = "\n\n".join(
            f"{k}. Derby City Council and the CCG will jointly commission {services[(n + k) % 6]} "
            f"for ward {n} from April {2014 + k % 5}, funded by the Better Care Fund."
            for k in range(1, 12)
        )
        (papers / f"paper-{n:02d}.txt").write_text(PAPER.format(service=services[n % 6]) + body)
    data = tmp_path / "data"
    db_path = data / "corpus.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = _build_command(data, str(papers))
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        stored = 0
        wanted = 1 if kill_while == "ingesting" else 36
        while time.time() < deadline and child.poll() is None and stored < wanted:
            time.sleep(0.02)
            if db_path.exists():
                try:
                    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1) as db:
                        stored = db.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
                except sqlite3.Error:
                    stored = 0  # schema not created yet
        if kill_while == "extracting":
            # Every paper is stored; let the later stages open their stores and start writing.
            while time.time() < deadline and child.poll() is None and not (data / "graph").exists():
                time.sleep(0.05)
            time.sleep(2)
        assert child.poll() is None, "the build finished before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    with CorpusStore(db_path) as store:
        assert store.check_integrity() == []
        killed_at = len(store.ids())
        print(f"killed while {kill_while}, after {killed_at} of 36 papers were stored")
        assert 1 <= killed_at <= 36 and (kill_while == "ingesting" or killed_at == 36)
        for doc in store.documents():
            assert len(store.history(doc.doc_id)) == 1
    rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"added {36 - killed_at}, updated 0, unchanged {killed_at}, failed 0" in rerun.stdout
    with CorpusStore(db_path) as store:
        assert store.check_integrity() == [] and len(store.ids()) == 36
    # Everything the killed build left undone is done now: a third build has nothing to do.
    third = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert third.returncode == 0, third.stdout + third.stderr
    assert "added 0, updated 0, unchanged 36, failed 0" in third.stdout
    assert all(" 0 paper(s) processed" in line for line in third.stdout.splitlines() if "processed" in line)


def test_a_store_locked_by_another_build_fails_each_file_with_a_reason(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "corpus.sqlite"
    paper = write_paper(tmp_path, "a.txt")
    with CorpusStore(db_path) as store:
        store._db.execute("PRAGMA busy_timeout = 100")  # the default waits 30 s for the lock
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another writer holds the store
        try:
            report = store.ingest([paper])
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert report.failed and "is busy or read-only" in report.failed[0][1]
        assert store.ids() == [] and store.check_integrity() == []
        assert store.ingest([paper]).added == [str(paper)]  # once free, the file lands
