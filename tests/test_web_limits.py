"""Per-client and server-wide concurrency limits on expensive routes, and the bounded graph
view (issue #12 items 3-4: one client must not starve the server; a large entity's graph must
stay cheap)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from test_web_support import HOME_CARE, FixtureGraphStore, make_app

from kg import browse
from web.security import LIMITERS, Busy, ConcurrencyLimiter

ID = "https://w3id.org/councilkg/id/"
HUB = ID + "org/hub"


def hub_graph(facts: int, parties: int) -> str:
    """Turtle for one organisation in ``facts`` facts spread evenly over ``parties`` services,
    and ten more facts with each of services 0-4 (so those are the most connected)."""
    lines = [
        "@prefix ck: <https://w3id.org/councilkg/ontology#> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        f'<{HUB}> a ck:Organisation ; rdfs:label "Hub Council" .',
    ]
    lines += [f'<{ID}service/s{j}> a ck:Service ; rdfs:label "Service {j}" .' for j in range(parties)]
    for i in range(facts):
        j = i % parties
        lines.append(f"<{ID}fact/f{i}> a ck:Fact, ck:Commissioning ; ck:commissioner <{HUB}> ; "
                     f"ck:service <{ID}service/s{j}> ; prov:wasDerivedFrom <{ID}ev/e{i}> .")
    for j in range(5):
        for extra in range(10):
            lines.append(f"<{ID}fact/x{j}-{extra}> a ck:Fact, ck:Funding ; ck:funder <{HUB}> ; "
                         f"ck:service <{ID}service/s{j}> ; prov:wasDerivedFrom <{ID}ev/x{j}-{extra}> .")
    return "\n".join(lines)


def hub_store(facts: int = 1200, parties: int = 300) -> FixtureGraphStore:
    store = FixtureGraphStore()
    store.store = ox.Store()
    store.store.load(hub_graph(facts, parties).encode(), format=ox.RdfFormat.TURTLE)
    return store


# --------------------------------------------------------------------------- the limiter


def test_one_client_gets_429_beyond_its_share_and_others_still_get_in() -> None:
    limiter = ConcurrencyLimiter("graph", per_client=2, total=4)
    with limiter.slot("a"), limiter.slot("a"):
        with pytest.raises(Busy) as refused, limiter.slot("a"):
            pass
        assert refused.value.status == 429 and refused.value.retry_after >= 1
        with limiter.slot("b"):  # another client is not held up by a's share
            assert limiter.in_progress("b") == 1
    assert limiter.in_progress("a") == 0


def test_at_capacity_a_request_waits_then_gets_503_and_the_queue_is_bounded() -> None:
    limiter = ConcurrencyLimiter("graph", per_client=0, total=1, queue=1, wait_s=0.2)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with limiter.slot("a"):
            holding.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    holding.wait(5)
    began = time.monotonic()
    with pytest.raises(Busy) as waited, limiter.slot("b"):
        pass
    assert waited.value.status == 503 and time.monotonic() - began >= 0.15
    release.set()
    worker.join(5)
    with limiter.slot("b"):  # a freed slot is taken again
        pass


def test_a_waiting_request_gets_the_slot_when_it_frees() -> None:
    limiter = ConcurrencyLimiter("search", per_client=0, total=1, queue=1, wait_s=5)
    got: list[str] = []
    first = limiter.slot("a")
    first.__enter__()
    waiter = threading.Thread(target=lambda: limiter.slot("b").__enter__() or got.append("b"))
    waiter.start()
    time.sleep(0.1)
    assert not got
    with pytest.raises(Busy) as full, limiter.slot("c"):  # the one queue place is taken
        pass
    assert full.value.status == 503
    first.__exit__(None, None, None)
    waiter.join(5)
    assert got == ["b"]


def test_excess_concurrent_requests_get_the_json_error_with_retry_after(tmp_path: Path) -> None:
    app = make_app(tmp_path, client_concurrency=1)
    limiter: ConcurrencyLimiter = app.extensions[LIMITERS]["graph"]
    client = app.test_client()
    with limiter.slot("127.0.0.1"):  # the test client's address, as if a request were running
        response = client.get(f"/api/graph?iri={HOME_CARE}")
        assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
        assert set(response.get_json()) == {"error", "status"} and "graph" in response.get_json()["error"]
        assert client.get("/").status_code == 200  # cheap pages are not limited
        for group, path in (("search", "/api/search?q=care"), ("sparql", "/sparql?query=ASK%7B%7D")):
            with app.extensions[LIMITERS][group].slot("127.0.0.1"):
                assert client.get(path).status_code == 429, path
    assert client.get(f"/api/graph?iri={HOME_CARE}").status_code == 200


def test_the_server_gets_threads_for_the_limited_routes_on_top_of_the_others(tmp_path: Path) -> None:
    from web import limiter_threads

    app = make_app(tmp_path)
    assert limiter_threads(app) == sum(lim.total + lim.queue for lim in app.extensions[LIMITERS].values())
    assert limiter_threads(app) > 0


# --------------------------------------------------------------------------- the bounded graph


def test_a_large_neighbourhood_keeps_the_most_connected_and_says_how_many() -> None:
    view = browse.neighbourhood(hub_store(), HUB, limit=20)
    others = [n for n in view.nodes if n["id"] != HUB]
    assert len(others) == 20 and view.total == 300 and view.complete
    assert {ID + f"service/s{j}" for j in range(5)} <= {n["id"] for n in others}
    assert all(n["label"].startswith("Service ") for n in others)


def test_facts_read_for_one_view_are_bounded() -> None:
    view = browse.neighbourhood(hub_store(facts=1200, parties=300), HUB, scan=100)
    assert not view.complete and 0 < (view.total or 0) <= 100


def test_graph_page_and_json_say_showing_n_of_m(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.extensions["councilkg_resources"]._opened["graph"] = hub_store()
    client = app.test_client()
    data = client.get(f"/api/graph?iri={HUB}").get_json()
    assert len(data["nodes"]) == browse.NEIGHBOURS_SHOWN + 1
    assert data["note"].startswith(f"Showing the {browse.NEIGHBOURS_SHOWN} most connected of 300 neighbours")
    page = client.get(f"/graph?iri={HUB}").get_data(as_text=True)
    assert "most connected of 300 neighbours" in page
    small = make_app(tmp_path).test_client().get(f"/api/graph?iri={HOME_CARE}").get_json()
    assert small["note"] is None  # everything shown: no note


def test_the_neighbourhood_is_computed_once_per_graph_version(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    store: Any = hub_store()
    stamp = tmp_path / "graph.stamp"
    stamp.write_text("1", encoding="utf-8")
    store.stamp_path = stamp
    calls: list[str] = []
    select = store.select
    store.select = lambda sparql: calls.append(sparql) or select(sparql)
    app.extensions["councilkg_resources"]._opened["graph"] = store
    client = app.test_client()
    first = client.get(f"/api/graph?iri={HUB}").get_json()
    asked = len(calls)
    assert client.get(f"/api/graph?iri={HUB}").get_json() == first and len(calls) == asked
    stamp.write_text("2", encoding="utf-8")  # a build changed the graph
    client.get(f"/api/graph?iri={HUB}")
    assert len(calls) > asked
