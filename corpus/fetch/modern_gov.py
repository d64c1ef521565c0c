"""Read a Modern.gov site through its web service ``mgWebService.asmx``, or its public pages.

Calls used (HTTP GET form): ``GetCommittees``, ``GetMeetings?lCommitteeId=&sFromDate=&sToDate=``
(dates day first), ``GetMeeting?lMeetingId=`` and, for a document without an inline address,
``GetAttachment?lAttachmentId=``. Element names are matched case-insensitively and without
namespaces, since sites differ in both. When the service is switched off the public pages
are read instead: ``mgListCommittees.aspx`` → ``ieListMeetings.aspx?CommitteeId=`` →
``ieListDocuments.aspx?CId=&MId=``. docs/modern_gov.md says how each shape was checked.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from corpus.fetch.cache import SourceCache
from corpus.fetch.documents import (
    DOCUMENT_SUFFIXES,
    FetchReport,
    authority_for_host,
    classify_document,
    fetch_document,
    iso_date,
)
from corpus.fetch.http import PoliteClient
from councilkg.errors import InputError

__all__ = ["FetchReport", "fetch_site"]

SERVICE = "mgWebService.asmx"


DOC_ELEMENTS = ("linkeddoc", "linkeddocument")
"""A meeting's document elements in GetMeeting answers (``linkeddoc`` on the sites seen; both read)."""


def _local(tag: object) -> str:
    # lxml gives comments and processing instructions a function as their tag.
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _children(node: ET.Element, *names: str) -> Iterator[ET.Element]:
    for child in node.iter():
        if _local(child.tag) in names:
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
        pass
    # Some sites embed agenda text as raw HTML (<div …>) inside the XML; lxml's recovering
    # parser reads the rest rather than losing the whole meeting.
    import lxml.etree

    try:
        root = lxml.etree.fromstring(resp.body, lxml.etree.XMLParser(recover=True, resolve_entities=False))
    except lxml.etree.LxmlError:
        root = None
    if root is None or _local(root.tag) == "html":
        raise InputError(f"{url}: not a Modern.gov web service answer (no XML)") from None
    return root  # type: ignore[return-value]  # same element API for what is read here


def _document_url(client: PoliteClient, service: str, base: str, doc: ET.Element) -> str:
    """A linked document's address: its ``url``, else GetAttachment's for its ``attachmentid``."""
    url = _text(doc, "url")
    attachment = _text(doc, "attachmentid")
    if not url and attachment:
        answer = _xml(client, f"{service}/GetAttachment?{urlencode({'lAttachmentId': attachment})}")
        url = next((n.text or "" for n in _children(answer, "url")), "").strip()
    return urljoin(base, url) if url else ""


def _service_date(date: str) -> str:
    """``2024-03-05`` → ``05/03/2024``, the day-first form the web service reads (else unchanged)."""
    parts = date.strip().split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        return f"{int(parts[2]):02d}/{int(parts[1]):02d}/{parts[0]}"
    return date.strip()


def _in_range(date: str, date_from: str, date_to: str) -> bool:
    """Whether ISO ``date`` lies in the range (an unreadable date is kept, not silently dropped)."""
    if len(date) != 10 or date[4] != "-":
        return True
    return (not date_from or date >= date_from[:10]) and (not date_to or date <= date_to[:10])


def fetch_site(
    base: str,
    cache: SourceCache,
    client: PoliteClient,
    committees: tuple[str, ...] = (),
    date_from: str = "",
    date_to: str = "",
    limit: int | None = None,
    on_document: Callable[[FetchReport], None] | None = None,
    kinds: frozenset[str] | None = None,
    report: FetchReport | None = None,
) -> FetchReport:
    """Fetch the documents of ``base``'s meetings into ``cache``; see :class:`FetchReport`.

    ``kinds`` keeps only documents whose :func:`classify_document` type is in it. Pass
    ``report`` to read what finished after an interrupt. Each finished document is recorded
    in the manifest before the next starts, so a ``KeyboardInterrupt`` loses nothing and a
    re-run sends conditional requests only.
    """
    if urlsplit(base).scheme not in {"http", "https"} or not urlsplit(base).hostname:
        raise InputError(f"{base}: not a web address (give the site's http:// or https:// address)")
    base = base.rstrip("/") + "/"
    service = urljoin(base, SERVICE)
    report = report if report is not None else FetchReport()
    authority, gss = authority_for_host(base)
    try:
        root = _xml(client, f"{service}/GetCommittees")
    except InputError as exc:
        dates, why = (date_from, date_to), exc.message
        return _fetch_html(base, cache, client, committees, dates, limit, on_document, kinds, report, why)
    wanted = {c.lower() for c in committees}
    for committee in _children(root, "committee"):
        cid, ctitle = _text(committee, "committeeid"), _text(committee, "committeetitle")
        if not cid or (wanted and ctitle.lower() not in wanted):
            continue
        query = urlencode(
            {"lCommitteeId": cid, "sFromDate": _service_date(date_from), "sToDate": _service_date(date_to)}
        )
        try:
            meetings = _xml(client, f"{service}/GetMeetings?{query}")
        except InputError as exc:  # one committee's list lost, the others still fetched
            report.failures.append(exc.message)
            continue
        for meeting in _children(meetings, "meeting"):
            mid = _text(meeting, "meetingid")
            if not mid or not _in_range(iso_date(_text(meeting, "meetingdate")), date_from, date_to):
                continue
            try:
                detail = _xml(client, f"{service}/GetMeeting?lMeetingId={mid}")
            except InputError as exc:
                report.failures.append(exc.message)
                continue
            date = iso_date(_text(meeting, "meetingdate") or _text(detail, "meetingdate"))
            meeting_url = urljoin(base, f"ieListDocuments.aspx?CId={cid}&MId={mid}")
            # Agenda items' documents with their item, then the meeting's own (agenda, minutes).
            found: list[tuple[ET.Element, str, str]] = []
            for item in _children(detail, "agendaitem"):
                number, title = _text(item, "agendaitemnumber"), _text(item, "agendaitemtitle")
                found += [(doc, number, title) for doc in _children(item, *DOC_ELEMENTS)]
            in_items = {id(doc) for doc, _n, _t in found}
            found += [(doc, "", "") for doc in _children(detail, *DOC_ELEMENTS) if id(doc) not in in_items]
            for doc, number, title in found:
                if limit is not None and report.done >= limit:
                    return report
                # Without an inline address the kind is read from the title alone, so that
                # --kinds does not spend a GetAttachment request on a document it will skip.
                early = kinds is not None and not _text(doc, "url")
                if early and classify_document(_text(doc, "title") or title) not in kinds:  # type: ignore[operator]
                    report.skipped += 1
                    continue
                try:
                    url = _document_url(client, service, base, doc)
                except InputError as exc:
                    report.failures.append(exc.message)
                    continue
                if not url:
                    report.failures.append(f"{meeting_url}: no address for document {_text(doc, 'title')!r}")
                    continue
                doc_title = _text(doc, "title") or title
                meta = _meta(authority, gss, ctitle, date, doc_title, url, meeting_url, number, title)
                _take(client, cache, url, meta, kinds, report, on_document)
    return report


_COMMITTEE_LINK = re.compile(
    r"(?:[?&]committeeid=|mgcommitteedetails\.aspx\?(?:.*&)?id=|ielistmeetings\.aspx\?(?:.*&)?cid=)(\d+)",
    re.I,
)
"""A committee's id in the links of mgListCommittees.aspx: its details page or its meetings list."""


def _links(client: PoliteClient, url: str) -> list[tuple[str, str]]:
    """``(absolute href, text)`` of every link on the HTML page at ``url``."""
    import lxml.html

    page = lxml.html.fromstring(client.get(url).body or b"<html/>")
    return [(urljoin(url, a.get("href", "")), " ".join(a.text_content().split())) for a in page.iter("a")]


def _html_date(text: str) -> str:
    """``5 Mar 2024 7.00 pm`` or ``Tuesday, 5th March, 2024`` → ``2024-03-05`` (else ``text``)."""
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
    dates: tuple[str, str],
    limit: int | None,
    on_document: Callable[[FetchReport], None] | None,
    kinds: frozenset[str] | None,
    report: FetchReport,
    why: str,
) -> FetchReport:
    """The HTML fallback of :func:`fetch_site`, used when the web service does not answer."""
    try:
        listing = _links(client, urljoin(base, "mgListCommittees.aspx"))
    except InputError:
        listing = []
    found = [(m.group(1), t) for h, t in listing if (m := _COMMITTEE_LINK.search(h))]
    if not found:
        raise InputError(f"{base}: not a Modern.gov site (web service: {why}; no mgListCommittees.aspx)")
    authority, gss = authority_for_host(base)
    wanted = {c.lower() for c in committees}
    seen: set[str] = set()
    for cid, ctitle in found:
        if cid in seen or (wanted and ctitle.lower() not in wanted):
            continue
        seen.add(cid)
        try:
            meetings = _links(client, urljoin(base, f"ieListMeetings.aspx?CommitteeId={cid}"))
        except InputError as exc:
            report.failures.append(exc.message)
            continue
        for meeting_url, mtext in meetings:
            date = _html_date(mtext)
            if "ielistdocuments.aspx" not in meeting_url.lower() or not _in_range(date, *dates):
                continue
            try:
                docs = _links(client, meeting_url)
            except InputError as exc:
                report.failures.append(exc.message)
                continue
            for url, title in docs:
                path = urlsplit(url).path.lower()
                # Documents by suffix, and the meeting's decision records (HTML pages).
                if Path(path).suffix not in DOCUMENT_SUFFIXES and not path.endswith("iedecisiondetails.aspx"):
                    continue
                if limit is not None and report.done >= limit:
                    return report
                meta = _meta(authority, gss, ctitle, date, title, url, meeting_url)
                _take(client, cache, url, meta, kinds, report, on_document)
    return report


def _meta(
    authority: str,
    gss: str,
    committee: str,
    date: str,
    title: str,
    url: str,
    meeting_url: str,
    item_number: str = "",
    item_title: str = "",
) -> dict[str, str]:
    """The source metadata of one linked document (both the web-service and the HTML path)."""
    return {
        "authority": authority,
        "gss_code": gss,
        "committee": committee,
        "date": date,
        "title": title,
        "document_type": classify_document(title, url),
        "item_number": item_number,
        "item_title": item_title,
        "source_url": url,
        "meeting_url": meeting_url,
    }


def _take(
    client: PoliteClient,
    cache: SourceCache,
    url: str,
    meta: dict[str, str],
    kinds: frozenset[str] | None,
    report: FetchReport,
    on_document: Callable[[FetchReport], None] | None,
) -> None:
    """Fetch one document unless ``--kinds`` leaves its kind out (then it is counted as skipped)."""
    if kinds is not None and meta["document_type"] not in kinds:
        report.skipped += 1
        return
    fetch_document(client, cache, url, meta, report, on_document)
