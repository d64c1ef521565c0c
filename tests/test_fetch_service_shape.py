"""The web service as public clients read it: ``linkeddoc`` + GetAttachment, day-first dates, stray HTML."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from test_fetch import _Server

from corpus.fetch import PoliteClient, SourceCache, fetch_site


def _pages() -> dict[str, bytes]:
    pages = {
        "/robots.txt": b"User-agent: *\n",
        "/mgWebService.asmx/GetCommittees": (
            b"<committees><committeescount>1</committeescount><committee><committeeid>4</committeeid>"
            b"<committeetitle>Planning Committee</committeetitle></committee></committees>"
        ),
        "/mgWebService.asmx/GetMeetings?4": (
            b"<getmeetings><committee><meetings>"
            b"<meeting><meetingid>40</meetingid><meetingdate>12/03/2024</meetingdate></meeting>"
            b"<meeting><meetingid>41</meetingid><meetingdate>09/07/2023</meetingdate></meeting>"
            b"</meetings></committee></getmeetings>"
        ),
        # Agenda text as raw HTML with an unclosed <br>: not well-formed XML.
        "/mgWebService.asmx/GetMeeting?40": (
            b"<meeting><meetingid>40</meetingid><agendaitems><agendaitem>"
            b"<agendaitemnumber>3</agendaitemnumber><agendaitemtitle>Land at the old depot</agendaitemtitle>"
            b"<agendatext><div class='x'>Officers recommend approval.<br></div></agendatext>"
            b"<linkeddocuments><linkeddoc><attachmentid>7</attachmentid><title>Depot report</title>"
            b"<ownertitle>Land at the old depot</ownertitle></linkeddoc></linkeddocuments>"
            b"</agendaitem></agendaitems><linkeddocuments><linkeddoc><attachmentid>8</attachmentid>"
            b"<title>Printed minutes</title></linkeddoc></linkeddocuments></meeting>"
        ),
        "/mgWebService.asmx/GetAttachment?7": b"<attachment><url>/documents/s7/Depot report.html</url>"
        b"</attachment>",
        "/mgWebService.asmx/GetAttachment?8": b"<attachment><url>/documents/g40/Printed minutes.html</url>"
        b"</attachment>",
        "/documents/s7/Depot%20report.html": b"<html><body><p>A made-up depot report.</p></body></html>",
        "/documents/g40/Printed%20minutes.html": b"<html><body><p>Made-up minutes.</p></body></html>",
    }
    return pages


def test_linkeddoc_attachment_and_day_first_dates(tmp_path):
    server = _Server(_pages())
    try:
        cache = SourceCache(tmp_path / "s")
        dates = {"date_from": "2024-01-01", "date_to": "2024-12-31"}
        report = fetch_site(server.url, cache, PoliteClient(delay=0), **dates)
    finally:
        server.httpd.shutdown()
    assert report.fetched == 2 and not report.failures, report.failures
    rows = {r.title: r for r in report.rows.values()}
    assert rows["Depot report"].date == rows["Printed minutes"].date == "2024-03-12"
    assert rows["Printed minutes"].document_type == "minutes"
    items = {e["metadata"]["title"]: e["metadata"] for e in cache.entries.values()}
    assert items["Depot report"]["item_number"] == "3"
    assert items["Depot report"]["item_title"] == "Land at the old depot"
    asked = [parse_qs(urlsplit(p).query) for p in server.paths if "/GetMeetings" in p]
    assert asked == [{"lCommitteeId": ["4"], "sFromDate": ["01/01/2024"], "sToDate": ["31/12/2024"]}]
    assert server.hits["/mgWebService.asmx/GetMeeting?41"] == 0  # 2023 is outside the range asked


def test_committee_links_of_the_public_committee_list():
    from corpus.fetch.modern_gov import _COMMITTEE_LINK

    found = {
        href: (m.group(1) if (m := _COMMITTEE_LINK.search(href)) else None)
        for href in (
            "https://x.gov.uk/mgCommitteeDetails.aspx?ID=900",
            "https://x.gov.uk/ieListMeetings.aspx?CId=1072&MD=Constitution&info=1",
            "https://x.gov.uk/ieListMeetings.aspx?CommitteeId=5",
            "https://x.gov.uk/mgIssueHistoryHome.aspx?IId=9",
            "https://x.gov.uk/mgMemberIndex.aspx?bcr=1",
        )
    }
    assert list(found.values()) == ["900", "1072", "5", None, None]


def test_kinds_skip_without_asking_for_the_attachment(tmp_path):
    from corpus.fetch.documents import parse_kinds

    server = _Server(_pages())
    try:
        cache, client = SourceCache(tmp_path / "s"), PoliteClient(delay=0)
        report = fetch_site(server.url, cache, client, kinds=parse_kinds("minutes"))
    finally:
        server.httpd.shutdown()
    assert report.fetched == 1 and report.skipped == 1
    # Meeting 41's GetMeeting answers 404: one failure line, the other meeting still fetched.
    assert report.failures == [f"{server.url}mgWebService.asmx/GetMeeting?lMeetingId=41: HTTP 404"]
    assert server.hits["/mgWebService.asmx/GetAttachment?7"] == 0  # the report was never resolved
    assert server.hits["/mgWebService.asmx/GetAttachment?8"] == 1
