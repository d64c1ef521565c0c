"""Fetch council papers from Modern.gov sites into a source cache (issue #16, first step).

Only the web-service path (``mgWebService.asmx``: GetCommittees, GetMeetings, GetMeeting)
is implemented so far; each document is cached under a content-hash name with a JSON
manifest, and described by a :class:`~corpus.metadata.CatalogueRow` so source metadata
wins over inference when the cache is ingested.
"""

from __future__ import annotations

from corpus.fetch.cache import SourceCache
from corpus.fetch.http import PoliteClient
from corpus.fetch.modern_gov import fetch_site

__all__ = ["PoliteClient", "SourceCache", "fetch_site"]
