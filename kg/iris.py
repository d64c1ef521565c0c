"""Stable IRIs: derived from canonical keys and content hashes, never from counters."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import quote

ID = "https://w3id.org/councilkg/id/"
CK = "https://w3id.org/councilkg/ontology#"
ONTOLOGY_IRI = "https://w3id.org/councilkg/ontology"
PAPER_GRAPH_PREFIX = ID + "graph/paper/"
ENTITIES_GRAPH = ID + "graph/entities"
RUNS_GRAPH = ID + "graph/runs"
ONTOLOGY_GRAPH = ID + "graph/ontology"

_SAFE = "/-._~"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "unnamed"


def content_hash(*parts: Any) -> str:
    """A short, stable hash of JSON-serialisable parts (16 hex digits)."""
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def entity_iri(key: str) -> str:
    """The IRI of a canonical entity from its nlp key, e.g. ``organisation/nhs-england``."""
    return ID + quote(key, safe=_SAFE)


def paper_iri(doc_id: str) -> str:
    """The IRI of a paper from its corpus ``doc_id``."""
    return ID + "paper/" + quote(doc_id, safe=_SAFE)


def paper_graph(doc_id: str) -> str:
    """The named graph that holds everything extracted from one paper."""
    return PAPER_GRAPH_PREFIX + quote(doc_id, safe=_SAFE)


def doc_id_of_graph(graph_iri: str) -> str | None:
    """The ``doc_id`` of a paper graph IRI, or None for other graphs."""
    from urllib.parse import unquote

    if not graph_iri.startswith(PAPER_GRAPH_PREFIX):
        return None
    return unquote(graph_iri[len(PAPER_GRAPH_PREFIX):])


def authority_key(name: str) -> str:
    """The entity key of a council named in paper metadata (same shape as nlp keys)."""
    return "organisation/" + _slug(name)


def role_iri(role: str) -> str:
    """The IRI of an org:Role from its wording."""
    return ID + "role/" + _slug(role)


def amount_iri(doc_id: str, start: int, end: int, value: float, value_max: float | None = None) -> str:
    """The IRI of a money figure of a paper: a hash of the paper, its offsets and its value."""
    return ID + "amount/" + content_hash(doc_id, start, end, value, value_max)


def period_iri(period: str) -> str:
    """The IRI of an OWL-Time interval from its ISO 8601 text."""
    return ID + "period/" + quote(period.replace("/", "--"), safe="-._~")


def instant_iri(value: str) -> str:
    """The IRI of an OWL-Time instant from an ISO date, year-month or year."""
    return ID + "instant/" + quote(value, safe="-._~")


def software_iri(name: str, version: str) -> str:
    """The IRI of one software or model at one version."""
    return ID + "software/" + _slug(name) + "/" + quote(version, safe="-._~")


def run_iri(software: dict[str, str]) -> str:
    """The IRI of an extraction run: the same software and model versions give the same run."""
    return ID + "run/" + content_hash(sorted(software.items()))
