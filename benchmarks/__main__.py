"""``python -m benchmarks [--quick]``: run every stage benchmark and update ``BENCHMARKS.md``.

Each stage runs in its own subprocess (``python -m benchmarks --run-stage MODULE``) so that its
peak memory (``ru_maxrss``) is its own, a crash in one stage cannot stop the others, and heavy
models loaded by one stage do not weigh on the next. A stage whose module does not exist yet is
listed as skipped. The table, machine, date and command are written into the ``## Suite``
section of ``BENCHMARKS.md``; other sections are left alone.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import os
import resource
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.report import StageResult, machine_info, render_section, rows_from_result, write_section

ROOT = Path(__file__).resolve().parent.parent
RESULT_MARKER = "BENCH-RESULT "


@dataclass(frozen=True)
class Stage:
    """A named stage and the module whose ``run(quick: bool) -> dict`` measures it."""

    name: str
    module: str


STAGES: tuple[Stage, ...] = (
    Stage("papers", "benchmarks.synth_papers"),
    Stage("corpus", "benchmarks.bench_corpus"),
    Stage("extraction", "benchmarks.bench_extraction"),
    Stage("graph", "benchmarks.bench_graph"),
    Stage("search", "benchmarks.bench_search"),
    Stage("web", "benchmarks.bench_web"),
    Stage("build", "benchmarks.bench_build"),
    Stage("cluster", "benchmarks.bench_cluster"),
    Stage("load", "benchmarks.bench_load"),
    Stage("longpaper", "benchmarks.bench_longpaper"),
)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_stage_here(module_name: str, quick: bool) -> dict:
    """Import ``module_name``, call its ``run(quick)`` and add wall time and peak memory."""
    began = time.perf_counter()
    module = importlib.import_module(module_name)
    run = getattr(module, "run", None)
    if run is None:
        raise SystemExit(f"{module_name} has no run(quick) function")
    result = run(quick)
    if not isinstance(result, dict):
        result = {"value": result}
    return {"result": result, "seconds": time.perf_counter() - began, "peak_rss_mb": peak_rss_mb()}


def stop_group(process: subprocess.Popen[str], grace_s: float = 15.0) -> None:
    """Stop a stage's process group: SIGTERM (it cleans its temporary files), then SIGKILL."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, None)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.communicate(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def run_stage(stage: Stage, quick: bool, timeout_s: float) -> StageResult:
    """Run one stage in a subprocess and collect its result, or say why it has none."""
    if importlib.util.find_spec(stage.module) is None:
        return StageResult(stage.name, stage.module, "skipped", notes=["module not present yet"])
    command = [sys.executable, "-m", "benchmarks", "--run-stage", stage.module]
    if quick:
        command.append("--quick")
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    began = time.perf_counter()
    # Its own process group, so that a stage timing out takes its build processes and workers
    # down with it (they would otherwise keep the CPU busy under the next stage).
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        stop_group(process)
        return StageResult(stage.name, stage.module, "failed", notes=[f"timed out after {timeout_s:.0f} s"])
    except BaseException:
        stop_group(process)
        raise
    seconds = time.perf_counter() - began
    payload = None
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            payload = json.loads(line[len(RESULT_MARKER) :])
            break
    if process.returncode != 0 or payload is None:
        reason = (stderr.strip().splitlines() or [f"exit status {process.returncode}"])[-1]
        return StageResult(stage.name, stage.module, "failed", notes=[reason[:300]], seconds=seconds)
    rows, notes = rows_from_result(stage.name, payload["result"])
    return StageResult(
        stage.name, stage.module, "ok", rows, notes, payload.get("peak_rss_mb"), payload.get("seconds")
    )


def parse_stage_timeouts(items: list[str]) -> dict[str, float]:
    """``["build=600", …]`` as ``{"build": 600.0}``; a malformed item or unknown stage is an error."""
    known = {s.name for s in STAGES}
    out: dict[str, float] = {}
    for item in items:
        name, _, seconds = item.partition("=")
        try:
            value = float(seconds)
        except ValueError:
            value = -1.0
        if name.strip() not in known or not value > 0:
            raise SystemExit(f"error: --stage-timeout {item!r}: expected STAGE=SECONDS with STAGE one of "
                             f"{', '.join(sorted(known))}")
        out[name.strip()] = value
    return out


def run_suite(
    stages: list[Stage],
    quick: bool,
    timeout_s: float,
    progress: bool = True,
    overrides: dict[str, float] | None = None,
) -> list[StageResult]:
    """Run ``stages`` one after another (never in parallel, so timings do not disturb each other)."""
    results = []
    for stage in stages:
        if progress:
            print(f"[bench] {stage.name} ({stage.module}) …", file=sys.stderr, flush=True)
        result = run_stage(stage, quick, (overrides or {}).get(stage.name, timeout_s))
        if progress:
            print(f"[bench] {stage.name}: {result.status} {'; '.join(result.notes)[:200]}", file=sys.stderr)
        results.append(result)
    return results


def select_stages(names: str | None) -> list[Stage]:
    """The stages named in a comma-separated list (all when ``None``); unknown names are an error."""
    if not names:
        return list(STAGES)
    by_name = {s.name: s for s in STAGES}
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        raise SystemExit(f"error: unknown stage(s) {', '.join(unknown)}; known: {', '.join(by_name)}")
    return [by_name[n] for n in wanted]


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the suite (or, internally, one stage)."""
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for tests and smoke runs")
    parser.add_argument("--stages", help=f"comma-separated subset of: {', '.join(s.name for s in STAGES)}")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "BENCHMARKS.md", help="Markdown file whose ## Suite is replaced"
    )
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing it")
    parser.add_argument("--timeout", type=float, default=None, help="seconds allowed per stage")
    parser.add_argument(
        "--stage-timeout",
        action="append",
        default=[],
        metavar="STAGE=SECONDS",
        help="seconds allowed to one stage, overriding --timeout (repeatable)",
    )
    parser.add_argument("--run-stage", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.run_stage:
        payload = run_stage_here(args.run_stage, args.quick)
        print(RESULT_MARKER + json.dumps(payload, default=str), flush=True)
        return 0

    timeout_s = args.timeout or (600.0 if args.quick else 3600.0)
    stages = select_stages(args.stages)
    results = run_suite(stages, args.quick, timeout_s, overrides=parse_stage_timeouts(args.stage_timeout))
    command = "python -m benchmarks" + ("" if not argv else " " + shlex.join(argv))
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = render_section(results, machine_info(), command, date)
    if args.no_write:
        print(section)
    else:
        write_section(args.output, section)
        print(f"[bench] wrote the ## Suite section of {args.output}", file=sys.stderr)
    return 1 if any(r.status == "failed" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
