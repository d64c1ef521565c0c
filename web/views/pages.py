"""The overview page and the ontology documentation page."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, render_template, send_file
from markupsafe import Markup

from councilkg.errors import NotFound
from kg import browse
from web.markdown_lite import markdown_to_html
from web.resources import derived
from web.search_results import MAX_QUERY_CHARS

bp = Blueprint("pages", __name__)

ONTOLOGY_DIR = Path(__file__).resolve().parents[2] / "ontology"
ONTOLOGY_FILE = "councilkg.ttl"


@bp.get("/")
def overview() -> str:
    """Papers per authority and year, entity counts and the most connected entities."""
    # Remembered until the graph changes: the home page must stay cheap whatever else the
    # server is doing (its queries took ~0.2 s idle, seconds under load).
    data = derived("overview", browse.overview)
    years = sorted({row["year"] for row in data.papers_by_authority_year})
    grid: dict[str, dict[str, int]] = {}
    for row in data.papers_by_authority_year:
        grid.setdefault(row["label"], {})[row["year"]] = row["papers"]
    return render_template("overview.html", data=data, years=years, grid=grid, max_query=MAX_QUERY_CHARS)


@bp.get("/ontology")
def ontology() -> str:
    """The vocabulary's documentation (generated from the Turtle by the kg layer)."""
    doc = ONTOLOGY_DIR / "docs.md"
    text = doc.read_text(encoding="utf-8") if doc.is_file() else "The ontology documentation is missing."
    title, text = page_title(text, "The councilkg ontology")
    html = Markup(scrolling_tables(markdown_to_html(text)))
    return render_template("ontology.html", title=title, html=html,
                           has_turtle=(ONTOLOGY_DIR / ONTOLOGY_FILE).is_file())


def scrolling_tables(html: str) -> str:
    """Each ``<table>`` of rendered HTML in a focusable box that scrolls it on a narrow screen."""
    count = 0

    def wrap(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return (f'<div class="table-wrap" role="region" aria-label="Table {count} of the reference" '
                f'tabindex="0">{match.group(0)}')

    return re.sub(r"<table>", wrap, html).replace("</table>", "</table></div>")


def page_title(markdown: str, default: str) -> tuple[str, str]:
    """The document's opening ``# `` heading (for the page's h1) and the rest of it with every
    heading one level up, so its ``##`` sections come out as h2 under that h1 (the Markdown
    renderer draws ``#`` as h2); ``default`` and the text unchanged when it opens otherwise."""
    lines = markdown.splitlines()
    first = next((i for i, line in enumerate(lines)
                  if line.strip() and not re.fullmatch(r"\s*<!--.*-->\s*", line)), None)
    if first is None or not lines[first].startswith("# "):
        return default, markdown
    rest = "\n".join(lines[:first] + lines[first + 1:])
    return lines[first][2:].strip(), re.sub(r"^#(#+\s)", r"\1", rest, flags=re.MULTILINE)


@bp.get("/ontology.ttl")
def ontology_turtle() -> Response:
    """The vocabulary itself, as Turtle."""
    path = ONTOLOGY_DIR / ONTOLOGY_FILE
    if not path.is_file():
        raise NotFound("the ontology file is missing")
    response = send_file(path, mimetype="text/turtle", max_age=3600)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
