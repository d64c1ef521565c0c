"""Fetch a CSV list of document addresses, for councils on other systems (CMIS, Jadu, own sites).

Columns (a header row, names case-insensitive): ``url`` (required) and optionally
``authority``, ``gss_code``, ``date``, ``committee``, ``title``, ``document_type`` and
``meeting_url``. A value given wins; a missing authority is matched on the address's host,
a missing GSS code looked up from the authority's name, a missing type read from the title
and address words (:func:`~corpus.fetch.documents.classify_document`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from corpus.fetch.cache import SourceCache
from corpus.fetch.documents import (
    FetchReport,
    authority_for_host,
    classify_document,
    fetch_document,
    iso_date,
)
from corpus.fetch.http import PoliteClient
from councilkg.errors import InputError

URL_COLUMNS = ("url", "authority", "gss_code", "date", "committee", "title", "document_type", "meeting_url")


def read_url_list(path: str | Path) -> list[tuple[int, dict[str, str]]]:
    """``(line number, row)`` for each data row of the CSV at ``path``, values stripped.

    Raises :class:`InputError` with one line when the file cannot be read or has no ``url`` column.
    """
    from corpus.loaders.text import decode_text

    path = Path(path)
    try:
        content, _encoding = decode_text(path.read_bytes())
    except InputError as exc:
        raise InputError(f"{path}: cannot read URL list ({exc.message})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read URL list ({exc.strerror or exc.__class__.__name__})") from None
    try:
        reader = csv.DictReader(io.StringIO(content, newline=""))
        columns = [(c or "").strip().lower() for c in (reader.fieldnames or [])]
        if "url" not in columns:
            raise InputError(f"{path}: URL list has no 'url' column (columns: {', '.join(URL_COLUMNS)})")
        rows = []
        for row in reader:
            clean = {
                (k or "").strip().lower(): (v if isinstance(v, str) else "").strip() for k, v in row.items()
            }
            rows.append((reader.line_num, clean))
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV ({exc})") from None
    return rows


def _gss_for(name: str) -> str:
    from corpus.authorities import load_authorities

    found = load_authorities().lookup(name)
    return (found.gss_code or "") if found is not None else ""


def fetch_urls(
    path: str | Path,
    cache: SourceCache,
    client: PoliteClient,
    limit: int | None = None,
    on_document: Callable[[FetchReport], None] | None = None,
    kinds: frozenset[str] | None = None,
    report: FetchReport | None = None,
) -> FetchReport:
    """Fetch every document listed in the CSV at ``path`` into ``cache``; see :class:`FetchReport`.

    A row without a usable address is one failure line (``FILE:LINE: reason``); the rest are
    fetched, each recorded in the manifest before the next starts.
    """
    rows = read_url_list(path)
    if not rows:
        raise InputError(f"{path}: URL list has no rows")
    report = report if report is not None else FetchReport()
    seen: set[str] = set()
    for line, row in rows:
        url = row.get("url", "")
        parts = urlsplit(url)
        if not url:
            report.failures.append(f"{path}:{line}: no url")
            continue
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            report.failures.append(f"{path}:{line}: {url}: not a web address")
            continue
        if url in seen:
            continue
        seen.add(url)
        if limit is not None and report.done >= limit:
            break
        authority, gss = row.get("authority", ""), row.get("gss_code", "")
        if not authority and not gss:
            authority, gss = authority_for_host(url)
        elif authority and not gss:
            gss = _gss_for(authority)
        title = row.get("title", "")
        meta = {
            "authority": authority,
            "gss_code": gss,
            "committee": row.get("committee", ""),
            "date": iso_date(row.get("date", "")),
            "title": title,
            "document_type": row.get("document_type", "") or classify_document(title, url),
            "item_number": "",
            "item_title": "",
            "source_url": url,
            "meeting_url": row.get("meeting_url", ""),
        }
        if kinds is not None and meta["document_type"] not in kinds:
            report.skipped += 1
            continue
        fetch_document(client, cache, url, meta, report, on_document)
    return report
