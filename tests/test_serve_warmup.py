"""`councilkg serve` warms the search models before it reports ready; a search asked while
they warm gets a quick "warming up" 503 with Retry-After (issue #17 item 5)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_search_passages import make_document

from councilkg.settings import Settings
from search.index import SearchIndex
from web import create_app
from web.resources import WARMING_RETRY_AFTER_S, warm_search, warmup_of


class StandInEncoder:
    """Hashed bag-of-words vectors (no model) that counts its warm-ups and encodes."""

    model_name = "test-stand-in-encoder"
    dimension = 64

    def __init__(self) -> None:
        self.warmed = 0
        self.texts_encoded = 0

    def warm(self) -> None:
        self.warmed += 1

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts_encoded += len(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] = 1.0
            norm = float(np.linalg.norm(out[row]))
            out[row] = out[row] / norm if norm else out[row]
        return out


@pytest.fixture
def app_and_encoder(data_dir: Path) -> tuple[Any, StandInEncoder]:
    settings = Settings.load({"data_dir": str(data_dir), "search_rate_limit": 0}, environ={})
    encoder = StandInEncoder()
    index = SearchIndex(settings, encoder=encoder)  # type: ignore[arg-type]
    index.update([make_document([("heading", "Home care"),
                                 ("paragraph", "The home care budget pays for visits to people at home.")],
                                authority="Made-up Borough Council", date="2020-01-01")])
    encoder.texts_encoded = 0
    app = create_app({"TESTING": True, "SETTINGS": settings, "SEARCH_INDEX": index})
    yield app, encoder
    index.close()


def test_warm_up_loads_the_encoder_and_runs_one_query(app_and_encoder: tuple[Any, StandInEncoder]) -> None:
    app, encoder = app_and_encoder
    assert warmup_of(app).state == "cold"  # nothing is loaded by create_app
    warmup = warm_search(app)
    assert warmup.state == "ready" and warmup.error is None and warmup.seconds is not None
    assert encoder.warmed == 1
    assert encoder.texts_encoded >= 1  # the warm-up query went through the dense side too


def test_a_search_while_warming_is_a_quick_503_with_retry_after(
    app_and_encoder: tuple[Any, StandInEncoder],
) -> None:
    app, encoder = app_and_encoder
    warmup_of(app).start()
    client = app.test_client()
    page = client.get("/search?q=home+care")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == str(WARMING_RETRY_AFTER_S)
    assert "warming up" in page.get_data(as_text=True)
    assert page.mimetype == "text/html"
    api = client.get("/api/search?q=home+care")
    assert api.status_code == 503 and api.headers["Retry-After"] == str(WARMING_RETRY_AFTER_S)
    assert "warming up" in api.get_json()["error"]
    assert encoder.texts_encoded == 0  # neither request waited on the models

    warmup_of(app).finish()
    after = client.get("/api/search?q=home+care")
    assert after.status_code == 200, after.get_data(as_text=True)


def test_a_failed_warm_up_is_kept_and_searches_go_ahead(data_dir: Path) -> None:
    class BrokenIndex:
        encoder = None

        def search(self, query: str, k: int = 10) -> list[Any]:
            raise RuntimeError("index file damaged")

    settings = Settings.load({"data_dir": str(data_dir)}, environ={})
    app = create_app({"TESTING": True, "SETTINGS": settings, "SEARCH_INDEX": BrokenIndex()})
    warmup = warm_search(app)
    assert warmup.state == "failed" and "damaged" in (warmup.error or "")
    assert not warmup.warming


def test_warm_up_leaves_an_unbuilt_data_dir_alone(data_dir: Path) -> None:
    app = create_app({"TESTING": True, "SETTINGS": Settings.load({"data_dir": str(data_dir)}, environ={})})
    assert warm_search(app).state == "ready"
    assert not (data_dir / "search").exists()  # opening the index would have created it


def test_serve_warms_before_it_says_ready_and_accepts(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import web.resources
    import web.server

    events: list[str] = []
    real_warm = web.resources.warm_search

    def warm(app: Any) -> Any:
        events.append("warm")
        return real_warm(app)

    class FakeServer:
        def run(self) -> None:
            events.append("accept")

    monkeypatch.setattr(web.resources, "warm_search", warm)
    monkeypatch.setattr(web.server, "create_server", lambda app, threads, **where: events.append("bind")
                        or FakeServer())
    settings = Settings.load({"data_dir": str(data_dir)}, environ={})
    web.server.serve(settings, port=8765, announce=lambda line: events.append(f"say: {line}"))
    assert events[0] == "bind" and events[-1] == "accept"
    ready = next(i for i, e in enumerate(events) if e.startswith("say: councilkg explorer ready"))
    assert events.index("warm") < ready < events.index("accept")


def test_the_parent_reports_ready_once_every_worker_is_warm() -> None:
    from web.server import _announce_when_warm

    lines: list[str] = []
    read, write = os.pipe()
    os.write(write, b"..")
    os.close(write)
    _announce_when_warm(read, 2, "http://127.0.0.1:8000/", lines.append)
    assert lines == ["councilkg explorer ready on http://127.0.0.1:8000/"]

    lines.clear()
    read, write = os.pipe()
    os.write(write, b".")
    os.close(write)  # the other worker died before it was warm
    _announce_when_warm(read, 2, "http://127.0.0.1:8000/", lines.append)
    assert lines == ["councilkg explorer ready on http://127.0.0.1:8000/ (1 of 2 workers warmed up)"]


def test_a_worker_tells_the_parent_even_when_its_warm_up_fails(data_dir: Path) -> None:
    from web.server import _warm_and_tell

    class BrokenIndex:
        encoder = None

        def search(self, query: str, k: int = 10) -> list[Any]:
            raise RuntimeError("no")

    settings = Settings.load({"data_dir": str(data_dir)}, environ={})
    app = create_app({"TESTING": True, "SETTINGS": settings, "SEARCH_INDEX": BrokenIndex()})
    read, write = os.pipe()
    _warm_and_tell(app, write)
    assert os.read(read, 10) == b"."
    os.close(read)
