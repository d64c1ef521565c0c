"""The overview page and the ontology documentation page."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template, send_file
from markupsafe import Markup

from councilkg.errors import NotFound
from kg import browse
from web.markdown_lite import markdown_to_html
from web.resources import derived

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
    return render_template("overview.html", data=data, years=years, grid=grid)


@bp.get("/ontology")
def ontology() -> str:
    """The vocabulary's documentation (generated from the Turtle by the kg layer)."""
    doc = ONTOLOGY_DIR / "docs.md"
    text = doc.read_text(encoding="utf-8") if doc.is_file() else "The ontology documentation is missing."
    return render_template("ontology.html", html=Markup(markdown_to_html(text)),
                           has_turtle=(ONTOLOGY_DIR / ONTOLOGY_FILE).is_file())


@bp.get("/ontology.ttl")
def ontology_turtle() -> Response:
    """The vocabulary itself, as Turtle."""
    path = ONTOLOGY_DIR / ONTOLOGY_FILE
    if not path.is_file():
        raise NotFound("the ontology file is missing")
    response = send_file(path, mimetype="text/turtle", max_age=3600)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
