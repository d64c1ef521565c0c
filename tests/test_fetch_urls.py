"""`councilkg fetch --urls FILE`: a CSV of document addresses fetched from a loopback server."""

from __future__ import annotations

import csv

from click.testing import CliRunner
from test_fetch import _Server

from corpus.fetch import PoliteClient, SourceCache, fetch_urls
from councilkg.cli import cli


def _pages() -> dict[str, bytes]:
    return {
        "/robots.txt": b"User-agent: *\nDisallow: /private/\n",
        "/papers/budget-report.html": b"<html><body><h1>Budget</h1><p>A made-up report.</p></body></html>",
        "/papers/cabinet-minutes.html": b"<html><body><h1>Minutes</h1><p>Members agreed.</p></body></html>",
        "/download/7": b"<html><body><p>Served without a suffix.</p></body></html>",
        "/private/secret.html": b"<html><body>no</body></html>",
    }


def _write(path, server, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["URL", "Authority", "gss_code", "date", "committee", "title", "document_type"])
        for row in rows:
            writer.writerow([row[0].replace("HOST/", server.url), *row[1:]])
    return path


ROWS = [
    ("HOST/papers/budget-report.html", "Leeds City Council", "", "05/03/2024", "Exec Board", "Budget", ""),
    ("HOST/papers/cabinet-minutes.html", "", "", "2024-03-06", "Cabinet", "", ""),
    ("HOST/download/7", "", "", "", "", "Planning statement", "strategy"),
    ("HOST/papers/budget-report.html", "", "", "", "", "", ""),  # a repeat: fetched once
    ("ftp://example.org/x.pdf", "", "", "", "", "", ""),
    ("", "", "", "", "", "no address", ""),
    ("HOST/papers/gone.pdf", "", "", "", "", "", ""),
    ("HOST/private/secret.html", "", "", "", "", "", ""),
]


def test_url_list_metadata_and_one_line_per_failure(tmp_path):
    server = _Server(_pages())
    server.types["/download/7"] = "text/html; charset=utf-8"
    try:
        listing = _write(tmp_path / "urls.csv", server, ROWS)
        cache = SourceCache(tmp_path / "s")
        report = fetch_urls(listing, cache, PoliteClient(delay=0))
        again = fetch_urls(listing, SourceCache(tmp_path / "s"), PoliteClient(delay=0))
    finally:
        server.httpd.shutdown()
    assert report.fetched == 3, report.failures
    assert len(report.failures) == 4
    assert f"{listing}:6: ftp://example.org/x.pdf: not a web address" in report.failures
    assert f"{listing}:7: no url" in report.failures
    assert any(f.endswith("gone.pdf: HTTP 404") for f in report.failures)
    assert any("secret.html: disallowed by robots.txt" in f for f in report.failures)
    assert server.hits["/papers/budget-report.html"] == 2  # once per run, the second conditional
    meta = {e["metadata"]["source_url"].rsplit("/", 1)[1]: e for e in cache.entries.values()}
    budget = meta["budget-report.html"]["metadata"]
    assert budget["authority"] == "Leeds City Council" and budget["gss_code"] == "E08000035"
    assert budget["date"] == "2024-03-05" and budget["document_type"] == "committee report"
    assert meta["cabinet-minutes.html"]["metadata"]["document_type"] == "minutes"
    assert meta["7"]["file"].endswith(".html") and meta["7"]["metadata"]["document_type"] == "strategy"
    assert again.fetched == 0 and again.unchanged == 3 and again.bytes == 0


def _run(tmp_path, *args):
    base = ["--data-dir", str(tmp_path / "d"), "--set", "fetch_delay=0", "fetch"]
    return CliRunner().invoke(cli, [*base, *args])


def test_cli_urls_writes_the_catalogue(tmp_path):
    server = _Server(_pages())
    try:
        listing = _write(tmp_path / "urls.csv", server, ROWS[:3])
        result = _run(tmp_path, "--urls", str(listing))
    finally:
        server.httpd.shutdown()
    assert result.exit_code == 0, result.output
    assert "3 fetched, 0 unchanged, 0 failed" in result.output
    with (tmp_path / "d" / "sources" / "catalogue.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["committee"] for r in rows) == ["", "Cabinet", "Exec Board"]


def test_cli_site_or_urls_one_line_errors(tmp_path):
    listing = tmp_path / "urls.csv"
    listing.write_text("url\nhttp://127.0.0.1:9/x.pdf\n", "utf-8")
    for args, words in [
        ((), "give either a SITE address or --urls FILE"),
        (("http://127.0.0.1:9/", "--urls", str(listing)), "not both"),
        (("--urls", str(tmp_path / "missing.csv")), "does not exist"),
        (("--urls", str(listing), "--from", "2024-01-01"), "apply to a SITE, not to --urls"),
        (("http://127.0.0.1:9/", "--from", "5 March"), "is not a date YYYY-MM-DD"),
    ]:
        result = _run(tmp_path, *args)
        assert result.exit_code == 1, (args, result.output)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:") and words in lines[0], result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("address,title\nhttp://x/y.pdf,T\n", "utf-8")
    result = _run(tmp_path, "--urls", str(bad))
    assert result.exit_code == 1 and "has no 'url' column" in result.output
