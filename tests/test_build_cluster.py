"""``councilkg build --cluster``: the same build on Dask workers, failures contained, resumable.

One real LocalCluster (two worker processes, one thread each, loopback) serves the module; the
builds reach it by its ``tcp://`` address, as a build on a remote scheduler does. Its scheduler
gives a task up after two worker deaths (``allowed-failures`` 1) so that the poison paper below
costs two worker restarts, not four. The papers are short paragraphs made up for these tests.
"""

from __future__ import annotations

import dataclasses
import os
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from councilkg.cli import cli
from councilkg.errors import CouncilKGError
from councilkg.pipeline import build
from councilkg.settings import Settings

pytestmark = pytest.mark.slow

PAPERS = {
    "a-carers.txt": """Hartwell District Council
Community Wellbeing Board
9 October 2021

1. Carers support
The Hartwell Carers Hub is run by Riverside Care Partnership and funded by the Better Care Fund
(BCF): £185,000 in 2021/22, rising to £190,000 in 2022/23. The Board noted the report.
""",
    "b-libraries.txt": """Hartwell District Council
Cabinet
14 March 2022

2. Library opening hours
Cabinet agreed that Northgate Library will open on Saturdays from April 2022. The cost of
£42,000 a year will be met from the Culture Reserve. Councillor Amy Patel moved the motion.
""",
    "c-roads.txt": """Hartwell District Council
Highways Committee
3 May 2022

3. Resurfacing programme
The committee approved a contract with Kestrel Surfacing Ltd worth £1.2 million for the
resurfacing of Mill Lane and Station Road. Works start in June 2022 and end in September.
""",
    "d-housing.txt": """Hartwell District Council
Housing Panel
21 June 2022

4. Temporary accommodation
Officers reported that 64 households were in temporary accommodation at the end of May. The
panel asked the Head of Housing to bring a plan for Brook House to its next meeting.
""",
    "e-parks.txt": """Hartwell District Council
Environment Committee
5 July 2022

5. Parks and open spaces
The committee agreed a grant of £15,000 to the Friends of Elm Park for new benches and a
wildflower meadow. The Green Spaces Officer will report on progress in January 2023.
""",
}


_THREADED = {
    "n_workers": 1,
    "threads_per_worker": 1,
    "processes": False,
    "protocol": "tcp://",
    "host": "127.0.0.1",
    "dashboard_address": None,
    "scheduler_kwargs": {"dashboard": False, "dashboard_address": "127.0.0.1:0"},
}
"""A cluster whose worker is a thread of this process, reached over loopback TCP like a remote one."""


def die_marked(doc: Any, settings: Settings) -> Any:
    """The real extraction, except for papers marked to kill their worker (a test hook).

    Every call is logged (``prepare ID``) in the data directory; ``DIE-ONCE`` kills the worker the
    first time only, ``DIE-ALWAYS`` every time, as a paper that runs its worker out of memory.
    """
    from councilkg.stages import extract_paper

    log = Path(settings.data_dir) / "events.log"
    with log.open("a", encoding="utf-8") as out:
        out.write(f"prepare {doc.doc_id}\n")
    marker = Path(settings.data_dir) / f"died-{doc.doc_id}"
    if "DIE-ALWAYS" in doc.text or ("DIE-ONCE" in doc.text and not marker.exists()):
        marker.touch()
        with log.open("a", encoding="utf-8") as out:
            out.write(f"died {doc.doc_id}\n")
        os._exit(1)
    return extract_paper(doc, settings)


def logged_commit(doc: Any, extraction: Any, settings: Settings) -> None:
    """The real graph commit, logged (``commit ID``) so a test sees what was stored before a death."""
    from councilkg.stages import commit_graph

    commit_graph(doc, extraction, settings)
    with (Path(settings.data_dir) / "events.log").open("a", encoding="utf-8") as out:
        out.write(f"commit {doc.doc_id}\n")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A LocalCluster of two worker processes on loopback, and a client to look at the workers."""
    import dask
    from distributed import Client, LocalCluster

    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs=_THREADED["scheduler_kwargs"],
        ) as local,
        Client(local) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def papers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cluster-papers") / "papers"
    folder.mkdir()
    for name, text in PAPERS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _settings(data: Path, **values: Any) -> Settings:
    return Settings.load({"data_dir": str(data), **values}, environ={})


def snapshot(settings: Settings) -> dict[str, Any]:
    """The corpus, the graph's quads, the passages and their vectors of one data directory."""
    from corpus.store import CorpusStore
    from councilkg.stages import close_stores, graph_store, search_index

    graphs: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    try:
        with CorpusStore.open(settings) as store:
            corpus = {r.id: (r.file, store.content_hash(r.id), r.title, r.date) for r in store.list()}
        for quad in graph_store(settings).quads():
            graphs[quad.graph_name.value].add((str(quad.subject), str(quad.predicate), str(quad.object)))
        conn = search_index(settings).conn
        passages = sorted(
            conn.execute('SELECT doc_id, start, "end", kind, section, hash, text FROM passages')
        )
        vectors = {
            h: np.frombuffer(v, dtype=np.float32)
            for h, v in conn.execute("SELECT hash, vector FROM embeddings")
        }
        mentions = sorted(conn.execute('SELECT entity, doc_id, start, "end" FROM mentions'))
    finally:
        close_stores()
    return {
        "corpus": corpus,
        "graphs": dict(graphs),
        "passages": passages,
        "vectors": vectors,
        "mentions": mentions,
    }


@pytest.fixture(scope="module")
def plain(papers: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The papers built the ordinary way (``--workers 1``)."""
    settings = _settings(tmp_path_factory.mktemp("plain") / "data", workers=1)
    report = build([papers], settings)
    assert report.ok, report.failed
    return snapshot(settings)


def _events(data: Path) -> list[tuple[str, str]]:
    lines = (data / "events.log").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split(" ", 1)) for line in lines]  # type: ignore[misc]


def test_a_cluster_build_stores_what_a_plain_build_stores(
    cluster: Any, papers: Path, plain: dict[str, Any], tmp_path: Path
) -> None:
    settings = _settings(tmp_path / "data", cluster=cluster.scheduler.address)
    report = build([papers], settings)
    assert report.ok, report.failed
    assert len(report.added) == len(PAPERS)
    assert len(report.stages["graph"]) == len(report.stages["search"]) == len(PAPERS)
    done = snapshot(settings)
    assert done["corpus"] == plain["corpus"]
    assert done["graphs"].keys() == plain["graphs"].keys()
    for graph, triples in done["graphs"].items():
        assert triples == plain["graphs"][graph], graph
    assert done["passages"] == plain["passages"]
    assert done["mentions"] == plain["mentions"]
    assert done["vectors"].keys() == plain["vectors"].keys()
    for digest, vector in done["vectors"].items():
        np.testing.assert_allclose(vector, plain["vectors"][digest], atol=1e-5)
    # The workers did the extraction and the embedding: each holds a loaded pipeline and encoder.
    loaded = cluster.run(_models_loaded)
    assert any(extractors and encoders for extractors, encoders in loaded.values()), loaded

    # Rebuilding unchanged papers sends nothing anywhere and redoes nothing.
    again = build([papers], settings)
    assert again.ok and len(again.unchanged) == len(PAPERS) and not again.changed_ids
    assert again.stages == {"graph": [], "search": []}


def _models_loaded() -> tuple[int, int]:
    from councilkg import cluster, stages

    return len(stages._EXTRACTORS), cluster._worker_encoder.cache_info().currsize


def test_a_bad_paper_is_one_failed_line_and_the_rest_build(
    cluster: Any, papers: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    for name in ("a-carers.txt", "b-libraries.txt"):
        (folder / name).write_text(PAPERS[name], encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02" * 400)  # binary, not text
    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(tmp_path / "data"), "build", str(folder), "--cluster", cluster.scheduler.address],
    )
    assert result.exit_code == 1, result.output
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1 and "broken.txt" in failed[0], result.output
    assert "added 2, updated 0, unchanged 0, failed 1" in result.output
    assert "graph: 2 paper(s) processed" in result.output
    assert "Traceback" not in result.output


def test_a_killed_worker_costs_only_its_paper_and_a_poison_paper_fails(
    cluster: Any, papers: Path, tmp_path: Path
) -> None:
    from councilkg.stages import GRAPH_STAGE, SEARCH_STAGE

    folder = tmp_path / "papers"
    folder.mkdir()
    for name, text in PAPERS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "c-roads.txt").write_text(PAPERS["c-roads.txt"] + "\nDIE-ONCE\n", encoding="utf-8")
    (folder / "f-poison.txt").write_text(PAPERS["e-parks.txt"] + "\nDIE-ALWAYS\n", encoding="utf-8")
    data = tmp_path / "data"
    settings = _settings(data, cluster=cluster.scheduler.address)
    stages = [dataclasses.replace(GRAPH_STAGE, prepare=die_marked, commit=logged_commit), SEARCH_STAGE]

    report = build([folder], settings, stages=stages)

    failed = [(what, why) for what, why in report.failed]
    assert len(failed) == 1, failed
    assert (
        failed[0][0].startswith("f-poison") and "killed 2 Dask workers, also when run alone" in failed[0][1]
    )
    assert len(report.stages["graph"]) == len(PAPERS)  # every other paper, the once-killed one included
    assert len(report.stages["search"]) == len(PAPERS) + 1  # indexed without a graph, as today
    events = _events(data)
    died = [doc_id for kind, doc_id in events if kind == "died"]
    roads = next(d for d in died if d.startswith("c-roads"))
    assert died.count(roads) == 1, events
    # The poison paper: once or twice beside other papers (Dask also counts the deaths of a worker
    # it was only waiting on), then twice alone.
    assert set(died) == {roads, failed[0][0].split()[0]} and 3 <= len(died) - 1 <= 4, events
    # No paper stored before a worker died was prepared again.
    for at, (kind, doc_id) in enumerate(events):
        if kind == "commit":
            later = [k for k, d in events[at:] if d == doc_id and k == "prepare"]
            assert not later, (doc_id, events)
    prepared = defaultdict(int)
    for kind, doc_id in events:
        if kind == "prepare":
            prepared[doc_id] += 1
    redone = {doc_id for doc_id, n in prepared.items() if n > 1}
    # The papers that killed a worker, and at most one more per worker thread: one that finished on
    # a worker just before it died, its result not yet fetched (never stored, so not lost work).
    assert set(died) <= redone and len(redone - set(died)) <= 2, events

    # The poison paper is not retried by the next build (a note instead); nothing else is redone.
    again = build([folder], settings, stages=stages)
    assert again.ok, again.failed
    assert again.stages == {"graph": [], "search": []}
    assert any("f-poison" in note and "not retried" in note for note in again.notes), again.notes


def test_local_n_starts_its_own_workers(papers: Path, tmp_path: Path) -> None:
    from councilkg.cluster import open_cluster

    with open_cluster("local:2") as local:
        results = list(local.map(_square_and_pid, range(6)))
        assert local.threads() == 2
        assert len(local.client.nthreads()) == 2
    assert sorted(r.item for r in results) == list(range(6))
    assert all(r.ok and r.value[0] == r.item**2 for r in results)
    assert all(r.value[1] != os.getpid() for r in results)  # computed in the worker processes


def _square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("nonsense", "give tcp://HOST:PORT"),
        ("local:0", "between 1 and"),
        ("local:x", "give tcp://HOST:PORT"),
        ("tcp://host", "give tcp://HOST:PORT"),
        ("tcp://127.0.0.1:99999", "port must be between"),
        ("http://127.0.0.1:8786", "give tcp://HOST:PORT"),
    ],
)
def test_a_bad_cluster_value_is_one_error_line_and_touches_nothing(
    value: str, says: str, tmp_path: Path
) -> None:
    paper = tmp_path / "a.txt"
    paper.write_text(PAPERS["a-carers.txt"], encoding="utf-8")
    data = tmp_path / "data"
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "build", str(paper), "--cluster", value])
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and says in lines[0], result.output
    assert not data.exists()


def test_an_unreachable_scheduler_is_one_error_line_and_touches_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    from councilkg import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1.0)
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    paper = tmp_path / "a.txt"
    paper.write_text(PAPERS["a-carers.txt"], encoding="utf-8")
    data = tmp_path / "data"
    result = CliRunner().invoke(
        cli, ["--data-dir", str(data), "build", str(paper), "--cluster", f"tcp://127.0.0.1:{port}"]
    )
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "cannot reach a Dask scheduler" in lines[0]
    assert not data.exists()


def test_workers_and_cluster_together_are_refused(tmp_path: Path) -> None:
    paper = tmp_path / "a.txt"
    paper.write_text(PAPERS["b-libraries.txt"], encoding="utf-8")
    data = tmp_path / "data"
    args = ["--data-dir", str(data), "build", str(paper), "--workers", "2", "--cluster", "local:2"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0 and result.output.startswith("error:") and "not both" in result.output
    assert not data.exists()


# -- a lost scheduler -------------------------------------------------------------------------------


def _done(settings: Settings) -> list[str]:
    path = Path(settings.data_dir) / "done.log"
    return path.read_text(encoding="utf-8").split() if path.exists() else []


def _slow_prepare(doc: Any, settings: Settings) -> int:
    import time

    with (Path(settings.data_dir) / "prepared.log").open("a", encoding="utf-8") as out:
        out.write(doc.doc_id + "\n")
    time.sleep(0.3)
    return len(doc.text)


class _StopSchedulerAfterFirst:
    """A commit that stores its paper, then (once) stops the scheduler, as a crashed scheduler host."""

    def __init__(self, local: Any) -> None:
        self.local = local

    def __call__(self, doc: Any, prepared: Any, settings: Settings) -> None:
        with (Path(settings.data_dir) / "done.log").open("a", encoding="utf-8") as out:
            out.write(doc.doc_id + "\n")
        if self.local is not None:
            local, self.local = self.local, None
            local.close()


def _light_stage(commit: Any) -> Any:
    from councilkg.pipeline import Stage

    return Stage(
        "light",
        None,
        prepare=_slow_prepare,
        commit=commit,
        stale_ids=lambda hashes, settings: [d for d in hashes if d not in _done(settings)],
    )


def test_a_lost_scheduler_stops_the_build_in_one_line_and_the_next_build_resumes(tmp_path: Path) -> None:
    from distributed import LocalCluster

    folder = tmp_path / "papers"
    folder.mkdir()
    for name, text in PAPERS.items():
        (folder / name).write_text(text, encoding="utf-8")
    data = tmp_path / "data"
    # Threads in this process: the stage loads no model, so no worker processes are needed.
    local = LocalCluster(**_THREADED)
    settings = _settings(data, cluster=local.scheduler_address)
    with pytest.raises(CouncilKGError) as stopped:
        build([folder], settings, stages=[_light_stage(_StopSchedulerAfterFirst(local))])
    assert "lost the Dask scheduler at" in stopped.value.message and "rerun" in stopped.value.message
    assert "\n" not in stopped.value.message
    stored = _done(settings)
    assert 1 <= len(stored) < len(PAPERS)

    with LocalCluster(**_THREADED) as again:
        resumed = build(
            [folder],
            _settings(data, cluster=again.scheduler_address),
            stages=[_light_stage(_StopSchedulerAfterFirst(None))],
        )
    assert resumed.ok, resumed.failed
    assert len(resumed.unchanged) == len(PAPERS)  # ingestion finished before the scheduler went
    assert sorted(resumed.stages["light"]) == sorted(set(resumed.stages["light"]))
    assert set(resumed.stages["light"]).isdisjoint(stored), "a stored paper was redone"
    assert len(_done(settings)) == len(PAPERS)


def test_a_scheduler_without_workers_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import LocalCluster

    from councilkg import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1.0)
    paper = tmp_path / "a.txt"
    paper.write_text(PAPERS["d-housing.txt"], encoding="utf-8")
    data = tmp_path / "data"
    with LocalCluster(**{**_THREADED, "n_workers": 0}) as empty:
        result = CliRunner().invoke(
            cli, ["--data-dir", str(data), "build", str(paper), "--cluster", empty.scheduler_address]
        )
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "has no workers" in lines[0], result.output
    assert not data.exists()
