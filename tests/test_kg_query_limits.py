"""Query worker limits (issue #12 item 2): a memory cap per worker, and a worker with no network."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from councilkg.errors import QueryError
from councilkg.settings import Settings
from kg.query import run_query
from kg.query_process import QueryProcess, isolate_network
from kg.store import open_graph_store

# The reproduction: the cross product sorted before LIMIT grows without bound.
SORTED_CROSS_PRODUCT = "SELECT ?a ?b WHERE { ?a ?p ?o . ?b ?q ?r } ORDER BY ?a ?b LIMIT 1"
GRAPH = "https://w3id.org/councilkg/id/graph/limits"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    settings = Settings.load(
        {"data_dir": str(tmp_path_factory.mktemp("data")), "query_memory_mb": "256", "query_timeout_s": "30"},
        environ={},
    )
    with open_graph_store(settings) as s:
        lines = (f"<urn:s{i}> <urn:p> <urn:o{i}> <{GRAPH}> .\n" for i in range(3000))
        s.bulk_load_nquads("".join(lines).encode())
        yield s


def test_a_query_past_the_memory_cap_fails_alone_with_a_clear_message(store: Any) -> None:
    run_query(store, "ASK { ?s ?p ?o }")
    started = time.monotonic()
    with pytest.raises(QueryError, match=r"more memory than the limit of 256 MB \(setting query_memory_mb\)"):
        run_query(store, SORTED_CROSS_PRODUCT)
    assert time.monotonic() - started < 20  # it died at its cap, not at the 30 s time limit
    body, _ = run_query(store, "ASK { ?s ?p ?o }")  # and the next query gets a fresh worker
    assert json.loads(body)["boolean"] is True


def test_the_memory_cap_is_a_setting(tmp_path: Path) -> None:
    assert Settings.load({"data_dir": str(tmp_path)}, environ={}).query_memory_mb == 1024
    overridden = Settings.load({"data_dir": str(tmp_path)}, environ={"COUNCILKG_QUERY_MEMORY_MB": "64"})
    assert overridden.query_memory_mb == 64


def test_the_worker_cannot_reach_the_network_even_for_an_unchecked_service(store: Any) -> None:
    import multiprocessing

    # Whether this kernel lets an unprivileged process have its own network namespace.
    probe = multiprocessing.get_context("fork").Process(target=_exit_with_isolation)
    probe.start()
    probe.join(10)
    if probe.exitcode != 0:
        pytest.skip("this kernel or container forbids unprivileged network namespaces")
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    hits: list[int] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            hits.append(1)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}/x"
    worker = QueryProcess(store.path, memory_mb=256)
    try:
        # Straight to the worker, past the parser check, as a bypass of the check would arrive.
        query = f"SELECT * WHERE {{ ?x ?y ?z SERVICE <{url}> {{ ?s ?p ?o }} }} LIMIT 1"
        with pytest.raises(QueryError):
            worker.run(query, "json", 10.0, 10, store._stamp())
        time.sleep(0.1)
        assert hits == []
    finally:
        worker.close()
        stop.set()
        thread.join(2)
        server.close()


def _exit_with_isolation() -> None:
    raise SystemExit(0 if isolate_network() else 1)
