"""The benchmark runner and its report: sections replaced in place, stages isolated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.__main__ import Stage, run_stage, select_stages
from benchmarks.report import (
    MetricRow,
    StageResult,
    format_number,
    render_section,
    replace_section,
    rows_from_result,
)

ROOT = Path(__file__).resolve().parent.parent

OTHER_SECTIONS = (
    "# Benchmarks\n\nIntro kept.\n\n## extraction\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    "## Suite\n\nold table\n\nmore old\n\n## search\n\nrecall 0.97 — kept exactly\n"
)


def test_replace_section_changes_only_the_suite() -> None:
    updated = replace_section(OTHER_SECTIONS, "## Suite\n\nnew table\n")
    assert "old table" not in updated and "more old" not in updated
    assert "new table" in updated
    assert updated.startswith(
        "# Benchmarks\n\nIntro kept.\n\n## extraction\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    )
    assert updated.endswith("## search\n\nrecall 0.97 — kept exactly\n")
    # Running the suite twice gives the same file.
    assert replace_section(updated, "## Suite\n\nnew table\n") == updated


def test_replace_section_appends_or_creates() -> None:
    assert replace_section("", "## Suite\n\nx\n").startswith("# Benchmarks\n\n## Suite\n")
    appended = replace_section("# Benchmarks\n\n## web\n\nkept\n", "## Suite\n\nx\n")
    assert appended == "# Benchmarks\n\n## web\n\nkept\n\n## Suite\n\nx\n"


def test_a_similar_heading_is_not_the_suite() -> None:
    text = "## Suites of tests\n\nkeep\n"
    assert replace_section(text, "## Suite\n\nx\n").startswith("## Suites of tests\n\nkeep\n")


def test_rows_from_the_preferred_shape_compute_the_ratio() -> None:
    rows, notes = rows_from_result(
        "extraction",
        {
            "metrics": [
                {"metric": "words/s", "value": 300.0, "baseline": 1200.0, "baseline_name": "bare nlp.pipe"},
                {"metric": "p95", "value": 40, "unit": "ms", "ratio": 1.5},
                {"no metric name": 1},
            ],
            "notes": ["quick run"],
        },
    )
    assert [r.metric for r in rows] == ["words/s", "p95"]
    assert rows[0].ratio == pytest.approx(0.25)
    assert rows[1].ratio == 1.5
    assert notes == ["quick run"]


def test_rows_from_any_other_dict_are_flattened() -> None:
    rows, notes = rows_from_result("graph", {"triples_per_s": 9000.5, "load": {"bare": 12000, "ok": True},
                                             "notes": "one note", "vectors": [1, 2]})
    assert {(r.metric, r.value) for r in rows} == {("triples_per_s", 9000.5), ("load.bare", 12000),
                                                    ("load.ok", True)}
    assert notes == ["one note"]


def test_format_number() -> None:
    assert format_number(1234567.8) == "1,234,568"
    assert format_number(12.345) == "12.3"
    assert format_number(0.95123) == "0.951"
    assert format_number(0.00012) == "1.20e-04"
    assert format_number(None) == ""
    assert format_number("a|b") == "a\\|b"


def test_render_section_lists_every_stage_and_the_run() -> None:
    results = [
        StageResult("search", "benchmarks.bench_search", "ok",
                    [MetricRow("search", "p95 latency", 12.0, "ms", 3.0, "bare hnswlib", 4.0, "<= 100 ms")],
                    peak_rss_mb=512.0, seconds=3.2),
        StageResult("web", "benchmarks.bench_web", "skipped", notes=["module not present yet"]),
    ]
    text = render_section(results, {"cpu": "test cpu", "cpus": "2"}, "python -m benchmarks", "2026-01-01")
    assert text.startswith("## Suite\n")
    assert "python -m benchmarks" in text and "2026-01-01" in text and "test cpu" in text
    assert "| search | p95 latency | 12.0 | ms | 3 | bare hnswlib | 4.00 | <= 100 ms |" in text
    assert "| web | `benchmarks.bench_web` | skipped |" in text
    assert "- web: module not present yet" in text


def test_missing_and_broken_stages_do_not_stop_the_suite() -> None:
    missing = run_stage(Stage("nothing", "benchmarks.no_such_stage"), quick=True, timeout_s=60)
    assert missing.status == "skipped"
    broken = run_stage(Stage("broken", "benchmarks.report"), quick=True, timeout_s=60)
    assert broken.status == "failed"
    assert "no run(quick)" in broken.notes[0]


def test_unknown_stage_names_are_refused() -> None:
    assert [s.name for s in select_stages("papers,build")] == ["papers", "build"]
    with pytest.raises(SystemExit):
        select_stages("papers,nonsense")


def test_quick_suite_writes_its_section_and_keeps_the_others(tmp_path: Path) -> None:
    output = tmp_path / "BENCHMARKS.md"
    output.write_text(OTHER_SECTIONS, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--stages", "papers", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    text = output.read_text(encoding="utf-8")
    assert "## extraction\n\n| a | b |" in text and "recall 0.97 — kept exactly" in text
    assert "old table" not in text
    assert "python -m benchmarks --quick --stages papers --output" in text
    assert "| papers | synthetic papers generated |" in text
    assert "| papers | `benchmarks.synth_papers` | ok |" in text


HANGING_STAGE = '''
import subprocess, sys, time
from pathlib import Path

def run(quick):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    Path(__file__).with_name("child.pid").write_text(str(child.pid))
    time.sleep(300)
'''


def test_a_stage_that_times_out_is_stopped_with_its_children(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hanging_stage_for_test.py").write_text(HANGING_STAGE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    result = run_stage(Stage("hang", "hanging_stage_for_test"), quick=True, timeout_s=8)
    assert result.status == "failed" and "timed out" in result.notes[0]
    pid = int((tmp_path / "child.pid").read_text())
    # The stage's own child (a build process, in real stages) must not outlive the timeout.
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    raise AssertionError(f"process {pid} outlived its stage")


def test_stage_timeouts_are_parsed_and_checked() -> None:
    from benchmarks.__main__ import parse_stage_timeouts

    assert parse_stage_timeouts(["build=600", "graph=90.5"]) == {"build": 600.0, "graph": 90.5}
    for bad in (["nosuchstage=10"], ["build"], ["build=-1"], ["build=soon"]):
        with pytest.raises(SystemExit):
            parse_stage_timeouts(bad)
