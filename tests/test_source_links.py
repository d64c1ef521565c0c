"""Where a paper came from: a catalogue's (or `councilkg fetch`'s) source and meeting addresses
reach the paper's metadata, the graph (dcterms:source, dcterms:isPartOf) and its page."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import load_document, read_catalogue
from corpus.metadata import web_address
from councilkg.settings import Settings

PAPER = """# Adult Social Care Committee

The committee agreed to extend the home care framework with four providers for one year.
"""
SOURCE = "https://democracy.example.gov.uk/documents/s123/Home%20care%20report.pdf"
MEETING = "https://democracy.example.gov.uk/ieListDocuments.aspx?CId=7&MId=42"


def _catalogue(folder: Path, source: str, meeting: str) -> Path:
    path = folder / "catalogue.csv"
    path.write_text(
        "file,authority,date,committee,title,document_type,source_url,meeting_url\n"
        f"care.txt,Example Borough Council,2024-03-05,Adult Social Care,Home care framework,committee report,"
        f"{source},{meeting}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("value", "usable"),
    [(SOURCE, True), (MEETING, True), ("javascript:alert(1)", False), ("ftp://x.example/a", False),
     ("https://a.example/with space", False), ("not an address", False), ("", False)],
)
def test_only_http_addresses_are_kept(value: str, usable: bool) -> None:
    assert web_address(value) is usable


def test_catalogue_links_reach_the_metadata_and_bad_ones_are_dropped(tmp_path: Path) -> None:
    (tmp_path / "care.txt").write_text(PAPER, encoding="utf-8")
    settings = Settings.load({"data_dir": str(tmp_path / "data")}, environ={})
    row = read_catalogue(_catalogue(tmp_path, SOURCE, MEETING))["care.txt"]
    meta = load_document(tmp_path / "care.txt", row, settings).metadata
    assert (meta.source_url, meta.meeting_url) == (SOURCE, MEETING)
    assert meta.sources["source_url"] == "catalogue"
    bad = read_catalogue(_catalogue(tmp_path, "javascript:alert(1)", "no"))["care.txt"]
    meta = load_document(tmp_path / "care.txt", bad, settings).metadata
    assert meta.source_url is None and meta.meeting_url is None


@pytest.mark.slow
def test_the_graph_and_the_paper_page_link_to_the_original(tmp_path: Path) -> None:
    from councilkg.pipeline import build
    from web import close_app, create_app

    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "care.txt").write_text(PAPER, encoding="utf-8")
    settings = Settings.load({"data_dir": str(tmp_path / "data")}, environ={})
    report = build([papers], settings, catalogue=_catalogue(tmp_path, SOURCE, MEETING))
    assert report.ok, report.failed
    app = create_app({"TESTING": True, "SETTINGS": settings})
    try:
        client = app.test_client()
        answer = client.post(
            "/sparql",
            data={"query": "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?s ?m WHERE { GRAPH ?g "
                           "{ ?p dcterms:source ?s ; dcterms:isPartOf ?m } }"},
            headers={"Accept": "application/sparql-results+json"},
        ).get_json()
        rows = answer["results"]["bindings"]
        assert [(r["s"]["value"], r["m"]["value"]) for r in rows] == [(SOURCE, MEETING)]
        assert rows[0]["s"]["type"] == "uri"
        doc_id = client.get("/api/papers").get_json()["papers"][0]["doc_id"]
        page = client.get(f"/papers/{doc_id}").get_data(as_text=True)
        assert f'href="{SOURCE}"' in page and f'href="{MEETING.replace("&", "&amp;")}"' in page
    finally:
        close_app(app)


def test_the_fetch_catalogue_carries_the_addresses(tmp_path: Path) -> None:
    from corpus.fetch import SourceCache

    cache = SourceCache(tmp_path / "sources")
    meta = {"authority": "Example Borough Council", "title": "Home care framework", "source_url": SOURCE,
            "meeting_url": MEETING}
    cache.put(SOURCE, b"%PDF-1.4 made-up", ".pdf", {}, meta)
    rows = list(read_catalogue(cache.write_catalogue()).values())
    assert [(r.source_url, r.meeting_url) for r in rows] == [(SOURCE, MEETING)]


def test_an_address_with_spaces_is_escaped_not_dropped(tmp_path: Path) -> None:
    (tmp_path / "care.txt").write_text(PAPER, encoding="utf-8")
    settings = Settings.load({"data_dir": str(tmp_path / "data")}, environ={})
    spaced = "https://democracy.example.gov.uk/documents/s9/Home care report.pdf"
    row = read_catalogue(_catalogue(tmp_path, spaced, MEETING))["care.txt"]
    meta = load_document(tmp_path / "care.txt", row, settings).metadata
    assert meta.source_url == "https://democracy.example.gov.uk/documents/s9/Home%20care%20report.pdf"
