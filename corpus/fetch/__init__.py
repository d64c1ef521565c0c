"""Fetch council papers into a source cache: Modern.gov sites, or a CSV list of URLs (issue #16).

A Modern.gov site is read through its web service (``mgWebService.asmx``: GetCommittees,
GetMeetings, GetMeeting) or, when that is off, its public pages (docs/modern_gov.md); any
other system through a URL list. Each document is cached under a content-hash name with a
JSON manifest, and described by a :class:`~corpus.metadata.CatalogueRow` so source metadata
wins over inference when the cache is ingested.
"""

from __future__ import annotations

from corpus.fetch.cache import SourceCache
from corpus.fetch.http import PoliteClient
from corpus.fetch.modern_gov import fetch_site
from corpus.fetch.url_list import fetch_urls

__all__ = ["PoliteClient", "SourceCache", "fetch_site", "fetch_urls"]
