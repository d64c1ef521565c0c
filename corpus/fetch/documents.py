"""What every fetch shares: the report, one document's download, its kind, dates and authority."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from corpus.fetch.cache import SourceCache
from corpus.fetch.http import PoliteClient
from corpus.metadata import FIELDS, LINK_FIELDS, CatalogueRow
from councilkg.errors import InputError

KINDS = {"agenda": "agenda", "reports": "committee report", "minutes": "minutes", "decisions": "decision"}
"""``--kinds`` words → the ``document_type`` written to the catalogue (the words inference uses)."""

_KIND_CUES = (
    # Decisions first: "Record of decisions" and "Decision notice" are neither minutes nor agendas.
    ("decision", re.compile(r"\bdecisions?\b|\bdecision ?notice|iedecisiondetails", re.I)),
    ("minutes", re.compile(r"\bminutes?\b", re.I)),
    ("agenda", re.compile(r"\bagenda\b", re.I)),
)

DOCUMENT_SUFFIXES = {".pdf", ".docx", ".doc", ".html", ".htm"}
_TYPE_SUFFIX = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
}


@dataclass
class FetchReport:
    """What a fetch did: cached document paths with their rows, and one line per failure."""

    rows: dict[str, CatalogueRow] = field(default_factory=dict)
    paths: list[Path] = field(default_factory=list)
    fetched: int = 0
    unchanged: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)
    bytes: int = 0

    @property
    def done(self) -> int:
        """Documents finished (fetched or unchanged); failures and kind-skips not counted."""
        return self.fetched + self.unchanged


def classify_document(title: str, url: str = "") -> str:
    """The ``document_type`` of a linked document from the words of its title and address.

    "decision(s)"/"record of decision" → ``decision``, "minutes" → ``minutes``,
    "agenda" → ``agenda`` (``agenda pack`` when it says pack), anything else → ``committee report``.
    """
    stem = Path(unquote(urlsplit(url).path)).stem
    words = f"{title} {stem.replace('_', ' ').replace('-', ' ')}"
    for kind, cue in _KIND_CUES:
        if cue.search(words):
            if kind == "agenda" and re.search(r"\bpack\b", words, re.I):
                return "agenda pack"
            return kind
    return "committee report"


def parse_kinds(text: str) -> frozenset[str] | None:
    """``"agenda,minutes"`` → the document types to keep; ``""`` → None (keep all).

    Raises :class:`InputError` naming the allowed words for anything else.
    """
    if not text.strip():
        return None
    wanted: set[str] = set()
    for word in (w.strip().lower() for w in text.split(",")):
        if word not in KINDS:
            raise InputError(f"--kinds: unknown kind {word!r} (choose from {', '.join(KINDS)})")
        wanted.add(KINDS[word])
        if word == "agenda":
            wanted.add("agenda pack")
    return frozenset(wanted)


def iso_date(date: str) -> str:
    """``2024-03-05T00:00:00`` or ``05/03/2024`` → ``2024-03-05`` (anything else unchanged)."""
    date = date.strip()
    if len(date) >= 10 and date[4] == "-":
        return date[:10]
    parts = date.split(" ")[0].split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[2]}-{int(parts[1]):02d}-{int(parts[0]):02d}"
    return date


def authority_for_host(url: str) -> tuple[str, str]:
    """Authority name and GSS code matched on ``url``'s host name, or empty strings."""
    from corpus.authorities import load_authorities

    host = urlsplit(url).hostname or ""
    skip = {"www", "moderngov", "democracy", "gov", "uk", "org", "co", "cmis", "meetings", "committees"}
    index = load_authorities()
    for word in (w for w in host.split(".") if w not in skip):
        found = index.lookup(word.replace("-", " "))
        if found is not None:
            return found.name, found.gss_code or ""
    return "", ""


def _suffix(url: str, content_type: str) -> str:
    suffix = Path(urlsplit(url).path).suffix.lower()
    if suffix in DOCUMENT_SUFFIXES:
        return suffix
    # Other systems serve papers from addresses without a suffix (…/download/123) or from .aspx pages.
    kind = content_type.split(";")[0].strip().lower()
    return _TYPE_SUFFIX.get(kind, suffix if suffix and suffix != ".aspx" else ".html")


def fetch_document(
    client: PoliteClient,
    cache: SourceCache,
    url: str,
    meta: dict[str, str],
    report: FetchReport,
    on_document: Callable[[FetchReport], None] | None = None,
) -> None:
    """Fetch ``url`` (conditionally when cached) into ``cache`` and record it in ``report``.

    A failure becomes one line in ``report.failures``; ``on_document`` is called after each
    finished document (so a progress line or an interrupt sees the manifest already saved).
    """
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
        content_type = next((v for k, v in resp.headers.items() if k.lower() == "content-type"), "")
        path = cache.put(url, resp.body, _suffix(url, content_type), resp.headers, meta)
        report.fetched += 1
        report.bytes += len(resp.body)
    report.paths.append(path)
    report.rows[path.name.lower()] = CatalogueRow(
        file=path.name,
        **{k: meta.get(k, "") for k in (*FIELDS, *LINK_FIELDS)},
    )
    if on_document:
        on_document(report)
