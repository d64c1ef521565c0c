"""Scheduling papers across worker processes: same results as inline, bounded, failures contained."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks.synth_papers import rewrite_paper, write_corpus
from corpus.models import Document
from councilkg import pipeline
from councilkg.cli import cli
from councilkg.errors import CouncilKGError, InputError
from councilkg.pipeline import Stage, build
from councilkg.settings import Settings
from councilkg.workers import WorkResult, describe, map_in_workers, run_one

_WORKER_TAG: list[str] = []


def tag_worker(tag: str) -> None:
    """Initializer: remember a tag in this process."""
    _WORKER_TAG.append(tag)


def square_or_fail(n: int) -> tuple[int, int, str]:
    """n squared with the worker's pid and tag; bad input for multiples of 7, a bug for 13."""
    if n % 7 == 0:
        raise InputError(f"paper {n} is unreadable\nsecond line never shown")
    if n == 13:
        raise ZeroDivisionError("division by zero")
    return n * n, os.getpid(), "".join(_WORKER_TAG[-1:])


def read_workers_setting(settings: Settings) -> int:
    """What a worker sees of settings sent to it."""
    return settings.workers


def die(n: int) -> int:
    """A worker killed outright (as the kernel does when memory runs out)."""
    if n == 3:
        os._exit(1)
    return n


def _by_item(results: list[WorkResult]) -> dict[int, WorkResult]:
    return {r.item: r for r in results}


def test_run_one_turns_errors_into_one_line() -> None:
    assert run_one(square_or_fail, 3).value[0] == 9
    bad = run_one(square_or_fail, 14)
    assert not bad.ok and bad.error == "paper 14 is unreadable" and not bad.internal
    bug = run_one(square_or_fail, 13)
    assert bug.internal and bug.error == "internal error: ZeroDivisionError: division by zero"


def test_workers_give_the_same_results_as_inline() -> None:
    inline = _by_item(list(map_in_workers(square_or_fail, range(30), workers=1)))
    parallel = _by_item(list(map_in_workers(square_or_fail, range(30), workers=2)))
    assert sorted(inline) == sorted(parallel) == list(range(30))
    for n in range(30):
        assert inline[n].error == parallel[n].error
        assert (inline[n].value or (None,))[0] == (parallel[n].value or (None,))[0]
    pids = {r.value[1] for r in parallel.values() if r.ok}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_the_initializer_runs_in_every_worker() -> None:
    results = list(
        map_in_workers(square_or_fail, [1, 2, 3, 4], workers=2, initializer=tag_worker, initargs=("ready",))
    )
    assert {r.value[2] for r in results} == {"ready"}


def test_items_are_read_lazily_and_in_flight_work_is_bounded() -> None:
    pulled = 0

    def items():
        nonlocal pulled
        for n in range(1, 40):
            pulled += 1
            yield n

    received = 0
    for _ in map_in_workers(square_or_fail, items(), workers=2, max_in_flight=3):
        received += 1
        # Never more than max_in_flight items taken beyond those already handed back.
        assert pulled <= received + 3
    assert received == 39


def test_a_dead_worker_is_a_clean_error() -> None:
    with pytest.raises(CouncilKGError, match="worker died"):
        list(map_in_workers(die, range(8), workers=2))


def test_a_dead_worker_is_named_by_its_paper_not_its_whole_task() -> None:
    from corpus.store import LoadTask

    task = LoadTask(path="/papers/x.pdf", row=None, settings={"data_dir": "/d", "max_file_mb": 50.0})
    assert describe(task) == "/papers/x.pdf"
    assert describe(7) == "7"


def test_workers_must_be_positive() -> None:
    with pytest.raises(CouncilKGError):
        list(map_in_workers(square_or_fail, [1], workers=0))


def test_an_absurd_worker_count_is_a_clean_error_not_an_overflow() -> None:
    with pytest.raises(CouncilKGError, match="between 1 and"):
        list(map_in_workers(square_or_fail, [1], workers=10**20))


# ----------------------------------------------------------------------------- the pipeline's scheduling

STAGE_FOLDER = "stage-under-test"


def _stage_file(settings: Settings, doc_id: str) -> Path:
    return settings.data_path / STAGE_FOLDER / f"{doc_id}.json"


def stage_is_stale(doc_id: str, content_hash: str, settings: Settings) -> bool:
    path = _stage_file(settings, doc_id)
    return not path.exists() or json.loads(path.read_text())["hash"] != content_hash


def prepare_words(doc: Document, settings: Settings) -> dict[str, object]:
    """Per-paper work: count words, and fail (as bad input) on papers marked unreadable."""
    if "UNREADABLE" in doc.text:
        raise InputError("this paper cannot be extracted")
    return {"hash": doc.content_hash, "words": doc.words, "pid": os.getpid()}


def commit_words(doc: Document, prepared: dict[str, object], settings: Settings) -> None:
    path = _stage_file(settings, doc.doc_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**prepared, "writer": os.getpid()}))


def _stored(settings: Settings) -> dict[str, dict]:
    folder = settings.data_path / STAGE_FOLDER
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


PREPARED_STAGE = Stage("words", stage_is_stale, prepare=prepare_words, commit=commit_words)


@pytest.fixture
def synthetic_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "papers"
    write_corpus(folder, 10, seed=23, catalogue=False)
    return folder


def test_prepared_stage_runs_in_workers_and_writes_in_the_parent(
    synthetic_corpus: Path, data_dir: Path
) -> None:
    settings = Settings.load({"data_dir": str(data_dir), "workers": 2})
    report = build([synthetic_corpus], settings, stages=[PREPARED_STAGE])
    stored = _stored(settings)
    assert report.ok and len(report.added) == 10
    assert sorted(report.stages["words"]) == sorted(stored) and len(stored) == 10
    assert {r["writer"] for r in stored.values()} == {os.getpid()}
    assert os.getpid() not in {r["pid"] for r in stored.values()}

    # Same results with one worker (inline).
    serial = Settings.load({"data_dir": str(data_dir / "serial"), "workers": 1})
    build([synthetic_corpus], serial, stages=[PREPARED_STAGE])
    assert {k: v["words"] for k, v in _stored(serial).items()} == {k: v["words"] for k, v in stored.items()}


def test_editing_one_paper_reprocesses_only_that_paper(synthetic_corpus: Path, data_dir: Path) -> None:
    settings = Settings.load({"data_dir": str(data_dir), "workers": 2})
    build([synthetic_corpus], settings, stages=[PREPARED_STAGE])
    assert build([synthetic_corpus], settings, stages=[PREPARED_STAGE]).stages["words"] == []
    changed = rewrite_paper(synthetic_corpus, 4, seed=23, revision=1)
    report = build([synthetic_corpus], settings, stages=[PREPARED_STAGE])
    assert len(report.updated) == 1 and report.updated[0].endswith(changed.name)
    assert report.stages["words"] == report.changed_ids and len(report.changed_ids) == 1


class _StopAfter:
    """A commit that is interrupted (as by Ctrl-C) after a number of papers."""

    def __init__(self, papers: int) -> None:
        self.left = papers

    def __call__(self, doc: Document, prepared: dict[str, object], settings: Settings) -> None:
        if self.left == 0:
            raise KeyboardInterrupt
        self.left -= 1
        commit_words(doc, prepared, settings)


def test_an_interrupted_build_resumes_where_it_stopped(synthetic_corpus: Path, data_dir: Path) -> None:
    settings = Settings.load({"data_dir": str(data_dir), "workers": 2})
    interrupted = Stage("words", stage_is_stale, prepare=prepare_words, commit=_StopAfter(4))
    with pytest.raises(KeyboardInterrupt):
        build([synthetic_corpus], settings, stages=[interrupted])
    assert len(_stored(settings)) == 4
    report = build([synthetic_corpus], settings, stages=[PREPARED_STAGE])
    assert len(report.unchanged) == 10
    assert len(report.stages["words"]) == 6
    assert len(_stored(settings)) == 10


def test_a_paper_that_fails_in_a_worker_is_reported_and_the_rest_go_on(
    synthetic_corpus: Path, data_dir: Path
) -> None:
    bad = next(iter(sorted(synthetic_corpus.glob("*.txt"))))
    bad.write_text(bad.read_text() + "\nUNREADABLE\n")
    settings = Settings.load({"data_dir": str(data_dir), "workers": 2})
    report = build([synthetic_corpus], settings, stages=[PREPARED_STAGE])
    assert len(_stored(settings)) == 9
    assert [reason for _, reason in report.failed] == ["this paper cannot be extracted"]
    assert "(words)" in report.failed[0][0]


def test_batch_stages_get_bounded_batches(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "many"
    write_corpus(folder, pipeline.BATCH_PAPERS + 5, seed=29, catalogue=False)
    sizes: list[int] = []

    def run(documents: list[Document], settings: Settings) -> dict[str, str]:
        sizes.append(len(documents))
        return {}

    settings = Settings.load({"data_dir": str(data_dir)})
    report = build([folder], settings, stages=[Stage("batch", lambda *_: True, run)])
    assert sizes == [pipeline.BATCH_PAPERS, 5]
    assert len(report.stages["batch"]) == pipeline.BATCH_PAPERS + 5


def test_build_command_takes_workers(synthetic_corpus: Path, data_dir: Path) -> None:
    runner = CliRunner()
    refused = runner.invoke(
        cli, ["--data-dir", str(data_dir), "build", str(synthetic_corpus), "--workers", "0"]
    )
    assert refused.exit_code == 1 and "--workers" in refused.output
    done = runner.invoke(cli, ["--data-dir", str(data_dir), "build", str(synthetic_corpus), "--workers", "2"])
    assert done.exit_code == 0, done.output
    assert "added 10" in done.output


def test_settings_travel_to_workers() -> None:
    settings = Settings.load({"workers": 3, "data_dir": "/tmp/x"})
    [result] = list(map_in_workers(read_workers_setting, [settings], workers=2))
    assert result.value == 3
