"""SPARQL lanes (issue #12 targets): a trivial query answers while long ones run, every 503 says
when to come back, and the home page does not recompute its counts on every request."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from test_web_support import make_app

from corpus.models import example_document
from councilkg.errors import QueryTimeout
from councilkg.settings import Settings
from kg.query_process import QueryOverCPU, QueryOverMemory
from kg.store import open_graph_store
from nlp.models import example_extraction
from web.security import Busy, ConcurrencyLimiter, QueryLanes

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


# --------------------------------------------------------------------------- the lane policy


def test_a_query_over_the_quick_limit_runs_again_in_the_main_lane_and_its_client_is_remembered() -> None:
    lanes = QueryLanes(quick_s=0.5, remember_s=60.0, quick_wall_s=2.0)
    calls: list[tuple[str, float | None, float | None]] = []

    def long_query(lane: str, timeout_s: float | None, cpu_s: float | None) -> str:
        calls.append((lane, timeout_s, cpu_s))
        if lane == "quick":
            raise QueryOverCPU("query stopped after 0.5 s of CPU time")
        return "answer"

    assert lanes.run("a", long_query, limit_s=30.0) == "answer"
    assert calls == [("quick", 2.0, 0.5), ("main", None, None)]
    assert lanes.lane_for("a") == "main" and lanes.lane_for("b") == "quick"
    calls.clear()
    assert lanes.run("a", long_query, limit_s=30.0) == "answer"
    assert calls == [("main", None, None)]  # no second try in the quick lane while remembered
    assert lanes.lane_for("a", now=time.monotonic() + 61) == "quick"  # forgotten after remember_s


def test_a_query_only_slowed_by_a_busy_machine_runs_in_the_main_lane_but_is_not_held_against_it() -> None:
    lanes = QueryLanes(quick_s=0.5)
    calls: list[str] = []

    def starved(lane: str, timeout_s: float | None, cpu_s: float | None) -> str:
        calls.append(lane)
        if lane == "quick":
            error = QueryTimeout("query stopped after the time limit of 1.5 s (setting query_timeout_s)")
            error.cpu_s = 0.01  # type: ignore[attr-defined]
            raise error
        return "answer"

    assert lanes.run("a", starved, limit_s=30.0) == "answer"
    assert calls == ["quick", "main"] and lanes.lane_for("a") == "quick"

    def slow_and_busy(lane: str, timeout_s: float | None, cpu_s: float | None) -> str:
        if lane == "quick":
            error = QueryTimeout("query stopped after the time limit of 1.5 s (setting query_timeout_s)")
            error.cpu_s = 0.3  # type: ignore[attr-defined]  # it was working, only slowly
            raise error
        return "answer"

    assert lanes.run("b", slow_and_busy, limit_s=30.0) == "answer"
    assert lanes.lane_for("b") == "main"


def test_a_query_over_the_quick_lanes_memory_also_moves_to_the_main_lane() -> None:
    lanes = QueryLanes(quick_s=0.5)

    def big(lane: str, timeout_s: float | None, cpu_s: float | None) -> str:
        if lane == "quick":
            raise QueryOverMemory("query needed more memory than the limit")
        return "answer"

    assert lanes.run("a", big, limit_s=30.0) == "answer"
    assert lanes.lane_for("a") == "main"


def test_a_short_time_limit_runs_once_in_the_main_lane() -> None:
    lanes = QueryLanes(quick_s=0.5, quick_wall_s=2.0)
    seen: list[str] = []
    lanes.run("a", lambda lane, timeout_s, cpu_s: seen.append(lane), limit_s=2.0)
    assert seen == ["main"]


def test_a_trivial_query_is_not_held_up_by_a_long_one_in_the_main_lane() -> None:
    lanes = QueryLanes(quick_s=0.2, wait_s=0.5)
    lanes.overran("heavy")
    running, release = threading.Event(), threading.Event()

    def held(lane: str, timeout_s: float | None, cpu_s: float | None) -> str:
        running.set()
        release.wait(10)
        return lane

    heavy = threading.Thread(target=lambda: lanes.run("heavy", held, limit_s=30.0))
    heavy.start()
    try:
        assert running.wait(5)
        began = time.monotonic()
        assert lanes.run("light", lambda lane, timeout_s, cpu_s: lane, limit_s=30.0) == "quick"
        assert time.monotonic() - began < 0.5
        # A second long query waits for the main lane, boundedly, and is refused with a Retry-After.
        with pytest.raises(Busy) as refused:
            lanes.run("heavy2", lambda lane, timeout_s, cpu_s: (_ for _ in ()).throw(QueryTimeout("slow"))
                      if lane == "quick" else lane, limit_s=30.0)
        assert refused.value.status == 503 and refused.value.retry_after >= 1
    finally:
        release.set()
        heavy.join(10)


def test_the_quick_lane_lets_known_light_clients_wait_ahead_of_new_ones() -> None:
    limiter = ConcurrencyLimiter("SPARQL", per_client=0, total=1, queue=4, wait_s=5.0,
                                 priority=lambda key: 0 if key.startswith("known") else 1)
    order: list[str] = []
    release = threading.Event()

    def go(key: str) -> None:
        with limiter.slot(key):
            order.append(key)
            if key == "first":
                release.wait(10)

    first = threading.Thread(target=go, args=("first",))
    first.start()
    while limiter.in_progress("first") == 0 or not order:
        time.sleep(0.01)
    newcomer = threading.Thread(target=go, args=("new",))
    newcomer.start()
    time.sleep(0.1)
    known = threading.Thread(target=go, args=("known",))
    known.start()
    time.sleep(0.1)
    release.set()
    for t in (first, newcomer, known):
        t.join(10)
    assert order == ["first", "known", "new"]


def test_a_client_whose_query_finished_quickly_is_known_light() -> None:
    lanes = QueryLanes(quick_s=0.5)
    assert lanes._quick_priority("a") == 1
    lanes.run("a", lambda lane, timeout_s, cpu_s: lane, limit_s=30.0)
    assert lanes._quick_priority("a") == 0
    lanes.overran("a")
    assert lanes._quick_priority("a") == 1


# --------------------------------------------------------------------------- through the app


@pytest.fixture(scope="module")
def real_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from web import close_app, create_app

    data = tmp_path_factory.mktemp("lanes")
    settings = Settings.load({"data_dir": str(data), "query_timeout_s": "8"}, environ={})
    with open_graph_store(settings) as store:
        store.replace_paper(example_document(), example_extraction())
    app = create_app({"TESTING": True, "SETTINGS": settings})
    yield app
    close_app(app)


def post_query(app: Any, text: str, client: str) -> Any:
    return app.test_client().post("/sparql", data=text, content_type="application/sparql-query",
                                  headers={"Accept": "application/sparql-results+json"},
                                  environ_base={"REMOTE_ADDR": client})


def test_ask_answers_while_another_clients_cross_join_runs(real_app: Any) -> None:
    assert post_query(real_app, "ASK {}", "10.0.0.1").status_code == 200  # workers started
    outcome: dict[str, Any] = {}
    heavy = threading.Thread(target=lambda: outcome.update(r=post_query(real_app, CROSS_JOIN, "10.0.0.2")))
    heavy.start()
    try:
        time.sleep(3.0)  # past the quick lane's limits: the cross join now runs in the main lane
        assert heavy.is_alive()
        for n in range(3):
            began = time.monotonic()
            response = post_query(real_app, f"ASK {{}}\n# {n}\n", "10.0.0.3")
            assert response.status_code == 200, response.get_data(as_text=True)
            # Before the lanes it waited for the cross join's time limit (8 s).
            assert time.monotonic() - began < 3.0
        assert heavy.is_alive()
    finally:
        heavy.join(30)
    response = outcome["r"]
    assert response.status_code == 503 and int(response.headers["Retry-After"]) >= 1


def test_every_503_carries_a_retry_after(tmp_path: Any) -> None:
    app = make_app(tmp_path)
    store = app.config["GRAPH_STORE"]

    def timed_out(*args: Any, **kwargs: Any) -> Any:
        raise QueryTimeout("query stopped after the time limit of 1 s (setting query_timeout_s)")

    store.execute = timed_out
    response = app.test_client().post("/sparql", data="ASK { ?s ?p ?o }",
                                      content_type="application/sparql-query")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    assert "time limit" in response.get_json()["error"]


def test_the_home_page_counts_are_computed_once_per_graph_version(real_app: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from kg import browse

    calls = []
    real = browse.overview
    monkeypatch.setattr(browse, "overview", lambda store, *a, **k: calls.append(1) or real(store, *a, **k))
    client = real_app.test_client()
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert client.get("/api/overview").status_code == 200
    assert len(calls) <= 1


def test_a_killed_query_worker_is_replaced_at_once(tmp_path: Any) -> None:
    from kg.query_process import QueryProcess

    settings = Settings.load({"data_dir": str(tmp_path)}, environ={})
    with open_graph_store(settings) as store:
        store.replace_paper(example_document(), example_extraction())
        path = store.path
    worker = QueryProcess(path, 256)
    try:
        worker.run("ASK {}", "json", 10, 10, "s")
        first = worker._process
        with pytest.raises(QueryTimeout):
            worker.run(CROSS_JOIN, "json", 0.5, 10, "s")
        assert first is not None and first.poll() is not None  # the runaway query's process is gone
        spare = worker._spare
        assert spare is not None and spare.poll() is None  # its successor already starting
        body, _ = worker.run("ASK {}", "json", 10, 10, "s")
        assert worker._process is spare and b"true" in body
        assert worker._spare is not None and worker._spare is not spare  # the next standby
        # A CPU-time limit stops a query by what it costs, however long the wall limit.
        began = time.monotonic()
        with pytest.raises(QueryOverCPU, match="CPU time"):
            worker.run(CROSS_JOIN, "json", 30, 10, "s", cpu_limit_s=0.3)
        assert time.monotonic() - began < 10
        spare = worker._spare
    finally:
        worker.close()
    assert spare.poll() is not None


def test_static_weight_of_queries() -> None:
    from kg.query import canonical_text, query_weight

    def weight(q: str) -> str:
        return query_weight(canonical_text(q))

    assert weight("ASK {}") == "light"
    assert weight("SELECT ?l WHERE { <urn:a> <urn:label> ?l }") == "light"
    assert weight("SELECT ?a ?b WHERE { ?a ?p ?o . ?b ?q ?r } ORDER BY ?a ?b LIMIT 1") == "heavy"
    assert weight("SELECT * WHERE { ?s <urn:x>+ ?o }") == "heavy"
    assert weight("SELECT ?s WHERE { ?s a <urn:C> ; <urn:l> ?l ; <urn:m> ?m }") == "normal"


def test_a_heavy_query_skips_the_quick_lane_and_a_light_one_jumps_its_queue() -> None:
    import threading
    import time as _time

    from web.security import QueryLanes

    lanes = QueryLanes(quick_s=0.5, quick_wall_s=1.0, wait_s=5.0)
    seen: list[tuple[str, str]] = []
    assert lanes.run("h", lambda lane, *_: seen.append(("h", lane)), 30.0, "heavy") is None
    assert seen == [("h", "main")] and lanes.lane_for("h") == "quick"  # not held against the client

    order: list[str] = []
    release = threading.Event()

    def hold(lane: str, *_: object) -> None:
        release.wait(5)

    first = threading.Thread(target=lambda: lanes.run("a", hold, 30.0))
    first.start()
    _time.sleep(0.1)
    normal = threading.Thread(target=lambda: lanes.run("b", lambda *_: order.append("normal"), 30.0))
    normal.start()
    _time.sleep(0.1)
    light = threading.Thread(target=lambda: lanes.run("c", lambda *_: order.append("light"), 30.0, "light"))
    light.start()
    _time.sleep(0.1)
    release.set()
    for t in (first, normal, light):
        t.join(5)
    assert order == ["light", "normal"]
