"""A second build started while one runs is refused up front (issue #12 item 6).

Before the lock, the second build ran: its graph stage failed on the graph store's lock
while its search stage still marked the papers indexed, so they lost their entity filter
for good. Now the first build holds ``build.lock`` from ingestion to its last stage and the
second ends at once with one ``error:`` line, having stored nothing.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpus.store import CorpusStore
from councilkg.cli import cli
from councilkg.pipeline import Stage, build
from councilkg.settings import Settings


@pytest.fixture
def no_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    """`councilkg build` without the model-backed stages (the lock is taken before them)."""
    import councilkg.pipeline as pipeline
    import councilkg.stages as stages

    monkeypatch.setattr(stages, "default_stages", lambda: [])
    monkeypatch.setattr(pipeline, "STAGES", [])


def _paper(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_second_build_is_refused_while_the_first_holds_the_lock(tmp_path: Path, no_stages: None) -> None:
    data = tmp_path / "data"
    settings = Settings.load({"data_dir": str(data)}, environ={})
    first_papers = _paper(tmp_path / "one", "alpha.txt", "Alpha Borough Council\n\nThe panel met in May.\n")
    second_papers = _paper(tmp_path / "two", "beta.txt", "Beta District Council\n\nThe board met in June.\n")

    inside, release = threading.Event(), threading.Event()

    def hold(docs: list, _settings: Settings) -> dict[str, str]:
        inside.set()  # the first build is in its later stages, lock held
        assert release.wait(30)
        return {}

    outcome: dict[str, object] = {}
    slow = Stage("slow", lambda *_: True, run=hold)
    first = threading.Thread(
        target=lambda: outcome.update(report=build([first_papers], settings, stages=[slow]))
    )
    first.start()
    try:
        assert inside.wait(30)
        second = CliRunner().invoke(cli, ["--data-dir", str(data), "build", str(second_papers)])
    finally:
        release.set()
        first.join(30)
    assert second.exit_code == 1
    lines = second.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: another councilkg build"), second.output
    assert "build.lock" in lines[0]
    assert outcome["report"].ok  # type: ignore[attr-defined]
    with CorpusStore.open(settings) as store:
        assert [r.file for r in store.list()] == ["alpha.txt"]  # the refused build stored nothing

    # Once the first build has ended, the lock is free again.
    third = CliRunner().invoke(cli, ["--data-dir", str(data), "build", str(second_papers)])
    assert third.exit_code == 0, third.output
    assert "added 1" in third.output
