"""Read-only commands write nothing, not even on an empty or missing data dir (issue #12 item 16).

`search` and `sparql` used to create the search index's and the graph's folders in a data dir
that had none (a mistyped --data-dir filled up with empty stores). Each now ends with one
`error: no papers in DIR: run ...` line, exit 1, and the data dir is as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from councilkg.cli import cli

READ_ONLY = [
    ["search", "home care"],
    ["search", "home care", "--json"],
    ["sparql", "ASK { ?s ?p ?o }"],
    ["export"],
    ["export", "--format", "turtle"],
    ["validate"],
    ["docs"],
    ["docs", "--json"],
    ["show", "minutes"],
]


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_on_a_missing_data_dir_nothing_is_created(tmp_path: Path, args: list[str]) -> None:
    data = tmp_path / "nowhere" / "data"
    result = CliRunner().invoke(cli, ["--data-dir", str(data), *args])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: no papers in {data}"), result.output
    assert "councilkg build" in lines[0]
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_on_an_empty_data_dir_nothing_is_written(tmp_path: Path, args: list[str]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    result = CliRunner().invoke(cli, ["--data-dir", str(data), *args])
    assert result.exit_code == 1 and result.output.startswith("error: no papers in "), result.output
    assert _tree(data) == []


def test_on_a_data_dir_with_papers_only_a_search_index_is_needed_for_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An ingest-only build has a corpus store but no graph and no index: reading them says so
    # and still writes nothing beside the corpus store.
    import councilkg.pipeline as pipeline
    import councilkg.stages as stages

    monkeypatch.setattr(stages, "default_stages", lambda: [])
    monkeypatch.setattr(pipeline, "STAGES", [])
    paper = tmp_path / "p.txt"
    paper.write_text("Kestrel District Council\n\nThe panel agreed the plan in May.\n", encoding="utf-8")
    data = tmp_path / "data"
    assert CliRunner().invoke(cli, ["--data-dir", str(data), "build", str(paper)]).exit_code == 0
    before = _tree(data)
    for args in (["search", "plan"], ["sparql", "ASK { ?s ?p ?o }"], ["export"]):
        result = CliRunner().invoke(cli, ["--data-dir", str(data), *args])
        assert result.exit_code == 1 and "run `councilkg build" in result.output, result.output
    assert _tree(data) == before
