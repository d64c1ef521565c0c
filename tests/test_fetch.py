"""`corpus.fetch` against a Modern.gov-shaped site served on 127.0.0.1 by the test."""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest

from corpus.fetch import PoliteClient, SourceCache, fetch_site

COMMITTEES = {"1": "Planning Committee", "2": "Cabinet", "3": "Licensing Committee"}


def _site(meetings: int, docs: int) -> dict[str, bytes]:
    pages: dict[str, bytes] = {"/robots.txt": b"User-agent: *\nDisallow: /private/\n"}
    cx = "".join(
        f"<committee><committeeid>{c}</committeeid><committeetitle>{t}</committeetitle></committee>"
        for c, t in COMMITTEES.items()
    )
    pages["/mgWebService.asmx/GetCommittees"] = f"<committees>{cx}</committees>".encode()
    for c in COMMITTEES:
        ms = ""
        for m in range(meetings):
            mid = f"{c}{m:03d}"
            date = f"2024-{m % 12 + 1:02d}-{m % 28 + 1:02d}T00:00:00"
            ms += f"<meeting><meetingid>{mid}</meetingid><meetingdate>{date}</meetingdate></meeting>"
            items = ""
            for d in range(docs):
                url = f"/documents/s{mid}/doc{d}.html"
                body = (
                    f"<html><body><h1>Report {mid}-{d}</h1><p>The committee noted item {d}.</p></body></html>"
                )
                pages[url] = body.encode()
                items += (
                    f"<agendaitem><agendaitemnumber>{d + 1}</agendaitemnumber>"
                    f"<agendaitemtitle>Item {d + 1}</agendaitemtitle><linkeddocuments><linkeddocument>"
                    f"<title>Report {mid}-{d}</title><url>{url}</url></linkeddocument>"
                    "</linkeddocuments></agendaitem>"
                )
            pages[f"/mgWebService.asmx/GetMeeting?{mid}"] = (
                f"<meeting><meetingid>{mid}</meetingid><agendaitems>{items}</agendaitems></meeting>"
            ).encode()
        pages[f"/mgWebService.asmx/GetMeetings?{c}"] = f"<meetings>{ms}</meetings>".encode()
    return pages


class _Server:
    def __init__(self, pages: dict[str, bytes]) -> None:
        self.pages = pages
        self.hits: Counter[str] = Counter()
        self.inflight = 0
        self.max_inflight = 0
        self.flaky: dict[str, list[int]] = {}
        self.types: dict[str, str] = {}
        self.paths: list[str] = []
        lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with lock:
                    server.inflight += 1
                    server.max_inflight = max(server.max_inflight, server.inflight)
                self._counted = True
                time.sleep(0.001)  # a window in which an overlapping request would be seen
                try:
                    self._answer()
                finally:
                    self._leave()

            def _leave(self) -> None:
                # Counted out before the answer goes out: a client that waits for each answer
                # can then never be seen overlapping itself (the old count raced the close).
                if getattr(self, "_counted", False):
                    self._counted = False
                    with lock:
                        server.inflight -= 1

            def end_headers(self) -> None:
                self._leave()
                super().end_headers()

            def _answer(self) -> None:
                server.paths.append(self.path)
                parts = urlsplit(self.path)
                q = parse_qs(parts.query)
                key = parts.path
                if key.endswith("/GetMeetings"):
                    key += "?" + q["lCommitteeId"][0]
                elif key.endswith("/GetMeeting"):
                    key += "?" + q["lMeetingId"][0]
                elif key.endswith("/GetAttachment"):
                    key += "?" + q["lAttachmentId"][0]
                elif key.endswith(".aspx") and parts.query:
                    key += "?" + parts.query
                server.hits[key] += 1
                if server.flaky.get(key):
                    self.send_response(server.flaky[key].pop(0))
                    self.send_header("Retry-After", "0")
                    self.end_headers()
                    return
                body = server.pages.get(key)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha1(body).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", etag)
                if key in server.types:
                    self.send_header("Content-Type", server.types[key])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def site():
    server = _Server(_site(20, 5))
    yield server
    server.httpd.shutdown()


def _docs(hits: Counter[str]) -> int:
    return sum(n for k, n in hits.items() if k.startswith("/documents/"))


def test_fetch_target_3x20x5_metadata_and_rerun(site, tmp_path):
    cache = SourceCache(tmp_path / "sources")
    report = fetch_site(site.url, cache, PoliteClient(delay=0))
    assert report.fetched == 300 and not report.failures, report.failures[:3]
    assert len(set(report.paths)) == 300 and len(list(cache.files.iterdir())) == 300
    for url, entry in cache.entries.items():
        mid = url.split("/s")[1].split("/")[0]
        d = int(url.rsplit("doc", 1)[1].split(".")[0])
        meta = entry["metadata"]
        assert meta["committee"] == COMMITTEES[mid[0]]
        m = int(mid[1:])
        assert meta["date"] == f"2024-{m % 12 + 1:02d}-{m % 28 + 1:02d}"
        assert meta["item_number"] == str(d + 1) and meta["title"] == f"Report {mid}-{d}"
        assert meta["source_url"] == url and f"MId={mid}" in meta["meeting_url"]
    assert site.max_inflight == 1
    assert _docs(site.hits) == 300
    again = fetch_site(site.url, SourceCache(tmp_path / "sources"), PoliteClient(delay=0))
    assert again.fetched == 0 and again.unchanged == 300 and again.bytes == 0


def test_interrupt_resumes_without_refetching(site, tmp_path):
    def stop(report):
        if report.fetched == 7:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch_site(site.url, SourceCache(tmp_path / "s"), PoliteClient(delay=0), on_document=stop)
    again = fetch_site(site.url, SourceCache(tmp_path / "s"), PoliteClient(delay=0))
    assert again.unchanged == 7 and again.fetched == 293


def test_retries_404_and_robots(site, tmp_path):
    site.flaky["/documents/s1000/doc0.html"] = [429, 500]
    del site.pages["/documents/s1000/doc1.html"]
    site.pages["/robots.txt"] = b"User-agent: *\nDisallow: /documents/s1001/\n"
    report = fetch_site(site.url, SourceCache(tmp_path / "s"), PoliteClient(delay=0), limit=12)
    assert site.hits["/documents/s1000/doc0.html"] == 3
    assert any("doc1.html: HTTP 404" in f for f in report.failures)
    assert sum("robots.txt" in f for f in report.failures) == 5
    assert site.hits["/documents/s1001/doc0.html"] == 0


def test_not_modern_gov(tmp_path):
    server = _Server({"/mgWebService.asmx/GetCommittees": b"<html><p>hello</p>"})
    from councilkg.errors import InputError

    with pytest.raises(InputError, match="not a Modern.gov"):
        fetch_site(server.url, SourceCache(tmp_path / "s"), PoliteClient(delay=0))
    server.httpd.shutdown()


def test_cli_fetch_writes_catalogue(site, tmp_path):
    from click.testing import CliRunner

    from councilkg.cli import cli

    args = ["--data-dir", str(tmp_path), "--set", "fetch_delay=0", "fetch", site.url, "--limit", "5"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "5 fetched, 0 unchanged, 0 failed" in result.output
    lines = (tmp_path / "sources" / "catalogue.csv").read_text("utf-8").splitlines()
    assert lines[0].startswith("file,authority,gss_code,date,committee") and len(lines) == 6


def _html_site() -> dict[str, bytes]:
    """A site whose web service is off: committee, meeting and document pages only."""
    pages = {"/robots.txt": b"User-agent: *\n"}
    links = "".join(
        f'<li><a href="mgCommitteeDetails.aspx?ID={c}">{t}</a></li>' for c, t in COMMITTEES.items()
    )
    pages["/mgListCommittees.aspx"] = f"<html><body><ul>{links}</ul></body></html>".encode()
    for c in COMMITTEES:
        meetings = ""
        for m in range(2):
            when = f"Tuesday, {m + 3}rd March, 2024 7.00 pm"
            meetings += f'<a href="ieListDocuments.aspx?CId={c}&amp;MId={c}{m}">{when}</a>'
            docs = '<a href="mgIssueHistoryHome.aspx?IId=9">Issue history</a>'
            for d in range(2):
                url = f"/documents/s{c}{m}/report{d}.pdf"
                pages[url] = f"%PDF-1.4 made-up {url}".encode()
                docs += f'<a href="{url}">Report {c}{m}-{d} PDF 120 KB</a>'
            pages[f"/ieListDocuments.aspx?CId={c}&MId={c}{m}"] = f"<html><body>{docs}</body></html>".encode()
        pages[f"/ieListMeetings.aspx?CommitteeId={c}"] = f"<html><body>{meetings}</body></html>".encode()
    return pages


def test_html_fallback_when_the_web_service_is_off(tmp_path):
    server = _Server(_html_site())
    try:
        cache = SourceCache(tmp_path / "s")
        report = fetch_site(server.url, cache, PoliteClient(delay=0), committees=("Cabinet",))
    finally:
        server.httpd.shutdown()
    assert report.fetched == 4 and not report.failures, report.failures
    rows = sorted(report.rows.values(), key=lambda r: r.title)
    assert {r.committee for r in rows} == {"Cabinet"}
    assert [r.date for r in rows] == ["2024-03-03", "2024-03-03", "2024-03-04", "2024-03-04"]
    assert rows[0].title.startswith("Report 20-0")
    assert server.hits["/mgIssueHistoryHome.aspx"] == 0


def test_site_must_be_a_web_address(tmp_path):
    from councilkg.errors import InputError

    with pytest.raises(InputError, match="not a web address"):
        fetch_site("no-such-file.pdf", SourceCache(tmp_path / "s"), PoliteClient(delay=0))
