"""Turn stage results into the ``## Suite`` section of ``BENCHMARKS.md``.

A stage's ``run(quick)`` returns a dict. The preferred shape is::

    {"metrics": [{"metric": "extraction words/s", "value": 5200.0, "unit": "words/s",
                  "baseline": 7400.0, "baseline_name": "bare spaCy nlp.pipe",
                  "ratio": 0.70, "target": ">= 0.5"}, ...],
     "notes": ["one line", ...]}

Any other dict is accepted too: its scalar entries become rows (``value`` only) and nested
dicts are flattened with dotted names, so a stage written before this convention still shows.
Only the ``## Suite`` section is replaced; every other section of the file is kept byte for byte.
"""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECTION_HEADING = "## Suite"


@dataclass
class MetricRow:
    """One line of the table: a figure, optionally beside its bare-library baseline."""

    stage: str
    metric: str
    value: Any
    unit: str = ""
    baseline: Any = None
    baseline_name: str = ""
    ratio: float | None = None
    target: str = ""


@dataclass
class StageResult:
    """What one stage produced: its rows, notes, peak memory and wall time, or why it was skipped."""

    stage: str
    module: str
    status: str  # "ok", "skipped" or "failed"
    rows: list[MetricRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    peak_rss_mb: float | None = None
    seconds: float | None = None


def rows_from_result(stage: str, result: Mapping[str, Any]) -> tuple[list[MetricRow], list[str]]:
    """The table rows and notes of one stage's ``run()`` result, whatever its shape."""
    notes = [str(n) for n in _as_list(result.get("notes", []))]
    rows: list[MetricRow] = []
    metrics = result.get("metrics")
    if isinstance(metrics, list):
        for item in metrics:
            if isinstance(item, Mapping) and "metric" in item:
                rows.append(_metric_row(stage, item))
        return rows, notes
    if isinstance(metrics, Mapping):
        result = metrics
    for name, value in _flatten(result):
        if name in {"notes", "metrics"}:
            continue
        rows.append(MetricRow(stage, name, value))
    return rows, notes


def _metric_row(stage: str, item: Mapping[str, Any]) -> MetricRow:
    value, baseline = item.get("value"), item.get("baseline")
    ratio = item.get("ratio")
    if ratio is None and _is_number(value) and _is_number(baseline) and baseline:
        ratio = float(value) / float(baseline)
    return MetricRow(
        stage,
        str(item["metric"]),
        value,
        str(item.get("unit", "")),
        baseline,
        str(item.get("baseline_name", "")),
        ratio,
        str(item.get("target", "")),
    )


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, name + ".")
        elif isinstance(value, str | int | float | bool) or value is None:
            yield name, value


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def format_number(value: Any) -> str:
    """A figure as a short human string: thousands separated, three significant decimals."""
    if value is None:
        return ""
    if isinstance(value, bool) or not _is_number(value):
        return str(value).replace("|", "\\|").replace("\n", " ")
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 0.01 or value == 0:
        return f"{value:.3g}" if isinstance(value, float) else str(value)
    return f"{value:.2e}"


def machine_info() -> dict[str, str]:
    """CPU, core count, memory and software versions of this machine, for the report header."""
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "cpus": str(os.cpu_count() or "?"),
    }
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(errors="replace"), re.M)
        if match:
            info["cpu"] = match.group(1).strip()
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"^MemTotal:\s*(\d+)\s*kB", meminfo.read_text(), re.M)
        if match:
            info["memory"] = f"{int(match.group(1)) / 1024**2:.1f} GiB"
    from importlib import metadata

    for package in ("spacy", "sentence-transformers", "torch", "pyoxigraph", "hnswlib"):
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return info


def render_section(results: list[StageResult], machine: Mapping[str, str], command: str, date: str) -> str:
    """The whole ``## Suite`` section as Markdown (heading included, ending with a newline)."""
    lines = [
        SECTION_HEADING,
        "",
        f"Produced by `{command}` on {date}.",
        "",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in machine.items()) + ".",
        "",
        "Ratios are the stage's figure divided by its bare-library baseline measured in the same run "
        "(for rates, higher is better; for latencies and memory, lower is better). Peak RSS is the "
        "whole stage process (interpreter, libraries and models included).",
        "",
        "| stage | metric | value | unit | baseline | baseline is | ratio | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for row in result.rows:
            lines.append(
                "| "
                + " | ".join(
                    [
                        row.stage,
                        row.metric,
                        format_number(row.value),
                        row.unit,
                        format_number(row.baseline),
                        row.baseline_name,
                        "" if row.ratio is None else f"{row.ratio:.2f}",
                        row.target,
                    ]
                )
                + " |"
            )
    lines += ["", "| stage | module | status | peak RSS (MB) | seconds |", "|---|---|---|---|---|"]
    for result in results:
        lines.append(
            f"| {result.stage} | `{result.module}` | {result.status} | "
            f"{format_number(result.peak_rss_mb)} | {format_number(result.seconds)} |"
        )
    notes = [(r.stage, n) for r in results for n in r.notes]
    if notes:
        lines += ["", "Notes:", ""]
        lines += [f"- {stage}: {note}" for stage, note in notes]
    return "\n".join(lines) + "\n"


def replace_section(document: str, section: str, heading: str = SECTION_HEADING) -> str:
    """``document`` with the section under ``heading`` replaced by ``section`` (appended if absent).

    The section runs from its heading line to the next level-2 heading or the end; other
    sections are left exactly as they were.
    """
    pattern = re.compile(rf"^{re.escape(heading)}[ \t]*\n.*?(?=^## |\Z)", re.M | re.S)
    body = section if section.endswith("\n") else section + "\n"
    match = pattern.search(document)
    if match:
        following = document[match.end() :]
        return document[: match.start()] + body + ("\n" if following else "") + following
    if not document.strip():
        return "# Benchmarks\n\n" + body
    return document.rstrip("\n") + "\n\n" + body


def write_section(path: Path, section: str) -> None:
    """Replace (or add) the ``## Suite`` section of the Markdown file at ``path``."""
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(replace_section(existing, section), encoding="utf-8")
