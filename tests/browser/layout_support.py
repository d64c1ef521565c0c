"""Layout and accessibility checks the explorer's page tests share: the width and heading
measures of a page and an axe-core run (axe-core from ``web/node_modules``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
NEEDS_AXE = pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed: run `cd web && npm ci`")
PHONE = {"width": 400, "height": 900}
DESKTOP = {"width": 1280, "height": 900}

LAYOUT = """() => {
  const rows = [...document.querySelectorAll('tr')].map(r => r.getBoundingClientRect().height);
  const wide = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.table-wrap, table'))
    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth, innerHeight,
          tallestRow: Math.max(0, ...rows), wide, h1: document.querySelectorAll('h1').length};
}"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ` +
    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""


def layout(page: Any, url: str) -> dict[str, Any]:
    """Open ``url`` and measure it: scroll width, viewport, tallest table row, h1 count."""
    page.goto(url)
    page.wait_for_load_state("load")
    return page.evaluate(LAYOUT)


def layout_problems(name: str, measured: dict[str, Any]) -> list[str]:
    """What is wrong with a page's layout: wider than the viewport, a table row taller than the
    screen (a squeezed table), or not exactly one h1."""
    problems = []
    if measured["scrollWidth"] > measured["innerWidth"]:
        problems.append(f"{name} is {measured['scrollWidth']} px wide in {measured['innerWidth']}: "
                        f"{measured['wide']}")
    if measured["tallestRow"] > measured["innerHeight"]:
        problems.append(f"{name} has a table row {measured['tallestRow']:.0f} px tall")
    if measured["h1"] != 1:
        problems.append(f"{name} has {measured['h1']} h1 headings")
    return problems


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations on the open page, one line each (evaluated, not injected as a
    script tag, so the page's Content-Security-Policy stays on)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(AXE_RUN)
