"""Read a Modern.gov site through its web service ``mgWebService.asmx``.

Calls used (HTTP GET form): ``GetCommittees``, ``GetMeetings?lCommitteeId=&sFromDate=&sToDate=``
and ``GetMeeting?lMeetingId=``. Element names are matched case-insensitively and without
namespaces, since sites differ in both. When the service is switched off the public pages
are read instead: ``mgListCommittees.aspx`` → ``ieListMeetings.aspx?CommitteeId=`` →
``ieListDocuments.aspx?CId=&MId=`` (see docs/modern_gov.md when written).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from corpus.fetch.cache import SourceCache
from corpus.fetch.http import PoliteClient
from corpus.metadata import CatalogueRow
from councilkg.errors import InputError

SERVICE = "mgWebService.asmx"


@dataclass
class FetchReport:
    """What a fetch did: cached document paths with their rows, and one line per failure."""

    rows: dict[str, CatalogueRow] = field(default_factory=dict)
    paths: list[Path] = field(default_factory=list)
    fetched: int = 0
    unchanged: int = 0
    failures: list[str] = field(default_factory=list)
    bytes: int = 0


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _children(node: ET.Element, name: str) -> Iterator[ET.Element]:
    for child in node.iter():
        if _local(child.tag) == name:
            yield child


def _text(node: ET.Element, name: str) -> str:
    for child in node:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _xml(client: PoliteClient, url: str) -> ET.Element:
    resp = client.get(url)
    try:
        return ET.fromstring(resp.body)
    except ET.ParseError:
        raise InputError(f"{url}: not a Modern.gov web service answer (no XML)") from None


def _iso(date: str) -> str:
    """``2024-03-05T00:00:00`` or ``05/03/2024`` → ``2024-03-05``."""
    date = date.strip()
    if len(date) >= 10 and date[4] == "-":
        return date[:10]
    parts = date.split(" ")[0].split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[2]}-{int(parts[1]):02d}-{int(parts[0]):02d}"
    return date


def _authority(base: str) -> tuple[str, str]:
    """Authority name and GSS code matched on the site's host name, or empty strings."""
    from corpus.authorities import load_authorities

    host = urlsplit(base).hostname or ""
    words = [w for w in host.split(".") if w not in {"www", "moderngov", "democracy", "gov", "uk", "org"}]
    index = load_authorities()
    for word in words:
        found = index.lookup(word.replace("-", " "))
        if found is not None:
            return found.name, found.gss_code or ""
    return "", ""


def fetch_site(
    base: str,
    cache: SourceCache,
    client: PoliteClient,
    committees: tuple[str, ...] = (),
    date_from: str = "",
    date_to: str = "",
    limit: int | None = None,
    on_document: Callable[[FetchReport], None] | None = None,
) -> FetchReport:
    """Fetch the documents of ``base``'s meetings into ``cache``; see :class:`FetchReport`.

    Each finished document is recorded in the manifest before the next starts, so a
    ``KeyboardInterrupt`` loses nothing and a re-run sends conditional requests only.
    """
    if urlsplit(base).scheme not in {"http", "https"} or not urlsplit(base).hostname:
        raise InputError(f"{base}: not a web address (give the site's http:// or https:// address)")
    base = base.rstrip("/") + "/"
    service = urljoin(base, SERVICE)
    report = FetchReport()
    authority, gss = _authority(base)
    try:
        root = _xml(client, f"{service}/GetCommittees")
    except InputError as exc:
        return _fetch_html(base, cache, client, committees, limit, on_document, report, exc.message)
    wanted = {c.lower() for c in committees}
    for committee in _children(root, "committee"):
        cid, ctitle = _text(committee, "committeeid"), _text(committee, "committeetitle")
        if not cid or (wanted and ctitle.lower() not in wanted):
            continue
        query = urlencode({"lCommitteeId": cid, "sFromDate": date_from, "sToDate": date_to})
        meetings = _xml(client, f"{service}/GetMeetings?{query}")
        for meeting in _children(meetings, "meeting"):
            mid = _text(meeting, "meetingid")
            if not mid:
                continue
            detail = _xml(client, f"{service}/GetMeeting?lMeetingId={mid}")
            date = _iso(_text(meeting, "meetingdate") or _text(detail, "meetingdate"))
            meeting_url = urljoin(base, f"ieListDocuments.aspx?CId={cid}&MId={mid}")
            for item in _children(detail, "agendaitem"):
                number, title = _text(item, "agendaitemnumber"), _text(item, "agendaitemtitle")
                for doc in _children(item, "linkeddocument"):
                    url = urljoin(base, _text(doc, "url"))
                    if limit is not None and report.fetched + report.unchanged >= limit:
                        return report
                    meta = {
                        "authority": authority,
                        "gss_code": gss,
                        "committee": ctitle,
                        "date": date,
                        "title": _text(doc, "title") or title,
                        "document_type": "report",
                        "item_number": number,
                        "item_title": title,
                        "source_url": url,
                        "meeting_url": meeting_url,
                    }
                    _fetch_document(client, cache, url, meta, report)
                    if on_document:
                        on_document(report)
    return report


def _fetch_document(
    client: PoliteClient, cache: SourceCache, url: str, meta: dict[str, str], report: FetchReport
) -> None:
    old = cache.get(url)
    try:
        resp = client.get(url, old and old.get("etag"), old and old.get("last_modified"))
    except InputError as exc:
        report.failures.append(exc.message)
        return
    if resp.status == 304 and old:
        path = cache.files / old["file"]
        report.unchanged += 1
    else:
        ext = Path(urlsplit(url).path).suffix.lower() or ".html"
        path = cache.put(url, resp.body, ext, resp.headers, meta)
        report.fetched += 1
        report.bytes += len(resp.body)
    report.paths.append(path)
    report.rows[path.name.lower()] = CatalogueRow(
        file=path.name,
        **{k: meta[k] for k in ("authority", "gss_code", "date", "committee", "title", "document_type")},
    )


def _links(client: PoliteClient, url: str) -> list[tuple[str, str]]:
    """``(absolute href, text)`` of every link on the HTML page at ``url``."""
    import lxml.html

    page = lxml.html.fromstring(client.get(url).body or b"<html/>")
    return [(urljoin(url, a.get("href", "")), " ".join(a.text_content().split())) for a in page.iter("a")]


def _html_date(text: str) -> str:
    """``5 Mar 2024 7.00 pm`` or ``Tuesday, 5th March, 2024`` → ``2024-03-05`` (else ``text``)."""
    import re
    from datetime import datetime

    words = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.replace(",", " ")).split()
    for start in range(len(words) - 2):
        chunk = " ".join(words[start : start + 3])
        for fmt in ("%d %b %Y", "%d %B %Y"):
            try:
                return datetime.strptime(chunk, fmt).date().isoformat()
            except ValueError:
                continue
    return text


def _fetch_html(
    base: str,
    cache: SourceCache,
    client: PoliteClient,
    committees: tuple[str, ...],
    limit: int | None,
    on_document: Callable[[FetchReport], None] | None,
    report: FetchReport,
    why: str,
) -> FetchReport:
    """The HTML fallback of :func:`fetch_site`, used when the web service does not answer."""
    try:
        listing = _links(client, urljoin(base, "mgListCommittees.aspx"))
    except InputError:
        listing = []
    found = [
        (h, t)
        for h, t in listing
        if "committeeid=" in h.lower() or "mgcommitteedetails.aspx?id=" in h.lower()
    ]
    if not found:
        raise InputError(f"{base}: not a Modern.gov site (web service: {why}; no mgListCommittees.aspx)")
    authority, gss = _authority(base)
    wanted = {c.lower() for c in committees}
    seen: set[str] = set()
    for href, ctitle in found:
        cid = href.lower().rsplit("id=", 1)[1].split("&")[0]
        if cid in seen or (wanted and ctitle.lower() not in wanted):
            continue
        seen.add(cid)
        try:
            meetings = _links(client, urljoin(base, f"ieListMeetings.aspx?CommitteeId={cid}"))
        except InputError as exc:
            report.failures.append(exc.message)
            continue
        for meeting_url, mtext in meetings:
            if "ielistdocuments.aspx" not in meeting_url.lower():
                continue
            try:
                docs = _links(client, meeting_url)
            except InputError as exc:
                report.failures.append(exc.message)
                continue
            for url, title in docs:
                if Path(urlsplit(url).path).suffix.lower() not in {".pdf", ".docx", ".doc", ".html", ".htm"}:
                    continue
                if limit is not None and report.fetched + report.unchanged >= limit:
                    return report
                meta = {
                    "authority": authority,
                    "gss_code": gss,
                    "committee": ctitle,
                    "date": _html_date(mtext),
                    "title": title,
                    "document_type": "report",
                    "item_number": "",
                    "item_title": "",
                    "source_url": url,
                    "meeting_url": meeting_url,
                }
                _fetch_document(client, cache, url, meta, report)
                if on_document:
                    on_document(report)
    return report
