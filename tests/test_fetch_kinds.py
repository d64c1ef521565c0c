"""`councilkg fetch --kinds`: documents classified by their title and address words, others not requested."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from test_fetch import _Server

from corpus.fetch import PoliteClient, SourceCache, fetch_site
from corpus.fetch.documents import classify_document, parse_kinds
from councilkg.cli import cli
from councilkg.errors import InputError


@pytest.mark.parametrize(
    ("title", "url", "kind"),
    [
        ("Agenda frontsheet", "", "agenda"),
        ("Agenda reports pack", "", "agenda pack"),
        ("Printed minutes", "", "minutes"),
        ("Minutes of the previous meeting", "", "minutes"),
        ("Record of decisions", "", "decision"),
        ("Decision notice", "", "decision"),
        ("Appendix A: fees and charges", "", "committee report"),
        ("", "https://x.gov.uk/documents/g1/Printed%20minutes%2005th-Mar-2024.pdf?T=1", "minutes"),
        ("Decision details", "https://x.gov.uk/ieDecisionDetails.aspx?ID=5", "decision"),
        ("", "https://x.gov.uk/documents/s9/Housing_Strategy.pdf", "committee report"),
    ],
)
def test_classify_document(title, url, kind):
    assert classify_document(title, url) == kind


def test_parse_kinds():
    assert parse_kinds("") is None
    assert parse_kinds("Minutes, decisions") == {"minutes", "decision"}
    assert parse_kinds("agenda") == {"agenda", "agenda pack"}
    assert parse_kinds("reports") == {"committee report"}
    with pytest.raises(InputError, match="unknown kind 'papers'"):
        parse_kinds("minutes,papers")


def _pages() -> dict[str, bytes]:
    """One committee, one meeting: meeting-level agenda and minutes, two items (a report, a decision)."""
    docs = {
        "/documents/g1/Agenda frontsheet.pdf": "Agenda frontsheet",
        "/documents/g1/Printed minutes.pdf": "Printed minutes",
        "/documents/s1/report.html": "Housing allocations report",
        "/documents/s2/decision.html": "Record of decision",
    }
    # Modern.gov addresses carry spaces; the client sends them %20-escaped.
    page = "<html><body><p>{}: made up.</p></body></html>"
    pages = {url.replace(" ", "%20"): page.format(t).encode() for url, t in docs.items()}
    link = "<linkeddocument><title>{}</title><url>{}</url></linkeddocument>"
    meeting_docs = "".join(link.format(t, u) for u, t in list(docs.items())[:2])
    items = "".join(
        f"<agendaitem><agendaitemnumber>{n}</agendaitemnumber><agendaitemtitle>Item {n}</agendaitemtitle>"
        f"<linkeddocuments>{link.format(t, u)}</linkeddocuments></agendaitem>"
        for n, (u, t) in enumerate(list(docs.items())[2:], start=1)
    )
    pages["/mgWebService.asmx/GetCommittees"] = (
        b"<committees><committee><committeeid>1</committeeid><committeetitle>Cabinet</committeetitle>"
        b"</committee></committees>"
    )
    pages["/mgWebService.asmx/GetMeetings?1"] = (
        b"<meetings><meeting><meetingid>10</meetingid><meetingdate>05/03/2024</meetingdate></meeting></meetings>"
    )
    pages["/mgWebService.asmx/GetMeeting?10"] = (
        f"<meeting><meetingid>10</meetingid><linkeddocuments>{meeting_docs}</linkeddocuments>"
        f"<agendaitems>{items}</agendaitems></meeting>"
    ).encode()
    return pages


def test_kinds_fetch_only_minutes_and_decisions(tmp_path):
    server = _Server(_pages())
    try:
        cache = SourceCache(tmp_path / "s")
        report = fetch_site(server.url, cache, PoliteClient(delay=0), kinds=parse_kinds("minutes,decisions"))
        every = fetch_site(server.url, SourceCache(tmp_path / "all"), PoliteClient(delay=0))
    finally:
        server.httpd.shutdown()
    assert report.fetched == 2 and report.skipped == 2 and not report.failures, report.failures
    types = {r.title: r.document_type for r in report.rows.values()}
    assert types == {"Printed minutes": "minutes", "Record of decision": "decision"}
    assert server.hits["/documents/s1/report.html"] == 1  # only by the second, unfiltered fetch
    kinds = {r.document_type for r in every.rows.values()}
    assert kinds == {"agenda", "minutes", "committee report", "decision"}
    assert {r.date for r in every.rows.values()} == {"2024-03-05"}
    assert server.hits["/documents/g1/Printed%20minutes.pdf"] == 2
    entries = SourceCache(tmp_path / "all").entries.values()
    items = {e["metadata"]["title"]: e["metadata"]["item_number"] for e in entries}
    assert items["Housing allocations report"] == "1" and items["Printed minutes"] == ""


def test_cli_kinds_catalogue_and_bad_kind(tmp_path):
    server = _Server(_pages())
    base = ["--data-dir", str(tmp_path), "--set", "fetch_delay=0", "fetch", server.url]
    try:
        result = CliRunner().invoke(cli, [*base, "--kinds", "agenda"])
        bad = CliRunner().invoke(cli, [*base, "--kinds", "agendas"])
    finally:
        server.httpd.shutdown()
    assert result.exit_code == 0, result.output
    assert "1 fetched, 0 unchanged, 0 failed, 3 skipped by --kinds" in result.output
    catalogue = (tmp_path / "sources" / "catalogue.csv").read_text("utf-8").splitlines()
    assert len(catalogue) == 2 and ",Agenda frontsheet,agenda," in catalogue[1]
    assert bad.exit_code == 1 and bad.output.count("\n") == 1 and "unknown kind 'agendas'" in bad.output


def test_html_fallback_reads_decision_records(tmp_path):
    from test_fetch import _html_site

    pages = _html_site()
    key = "/ieListDocuments.aspx?CId=2&MId=20"
    decision = b'<a href="ieDecisionDetails.aspx?ID=77">Approve the made-up budget</a></body>'
    pages[key] = pages[key].replace(b"</body>", decision)
    pages["/ieDecisionDetails.aspx?ID=77"] = b"<html><body><h1>Decision</h1><p>Approved.</p></body></html>"
    server = _Server(pages)
    try:
        cache = SourceCache(tmp_path / "s")
        report = fetch_site(
            server.url, cache, PoliteClient(delay=0), committees=("Cabinet",), kinds=parse_kinds("decisions")
        )
    finally:
        server.httpd.shutdown()
    assert report.fetched == 1 and report.skipped == 4, (report.failures, report.skipped)
    (row,) = report.rows.values()
    assert row.document_type == "decision" and row.file.endswith(".html") and row.date == "2024-03-03"
