"""The JSON API's answers as typed records, so each answer and its OpenAPI schema share one model.

Views build these records (or the kg layer's own records, :class:`kg.browse.Overview`,
:class:`kg.browse.EntityPage`, :class:`kg.browse.Timeline`) and answer ``asdict`` of them;
:mod:`web.openapi` generates the response schemas from the same classes, so a field added
here shows up in ``/openapi.json`` and a mismatch fails the schemathesis test rather than
surprising a client. Building a record from a dict (``PaperSummary(**row)``) also fails at
once when the kg layer's rows gain or lose a key.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus.models import Metadata, Table


@dataclass
class ErrorAnswer:
    """Every error: a one-line message and the HTTP status."""

    error: str
    status: int


@dataclass
class SearchHit:
    """One ranked passage (the search layer's JSON form, ``search.models.SearchResult.to_json``)."""

    text: str
    score: float
    paper: str
    doc_id: str
    authority: str | None
    date: str | None
    committee: str | None
    type: str | None
    section: str
    start: int
    end: int
    highlights: list[tuple[int, int]]
    rendered: str
    """The passage as read out (a table row with its column headers, tick boxes as words);
    empty when it reads as it stands. ``text`` is always the paper's own words."""
    rendered_highlights: list[tuple[int, int]]
    """Highlights as offsets into ``rendered``."""
    more_like_this: int
    """Near-duplicate passages (the same words in another report or minute) folded into this one."""


@dataclass
class FacetCount:
    """One value of a facet and how many answering passages have it."""

    value: str
    count: int


@dataclass
class SearchAnswer:
    """One page of search results and what surrounds them."""

    query: str
    page: int
    per_page: int
    sort: str
    total: int
    """Passages that answer (near-duplicates once): those scoring at least half the best."""
    total_capped: bool
    """The candidate pool was full, so more passages may answer than ``total`` says."""
    good_match: bool
    """False when nothing answers well: the results are only the closest passages there are."""
    suggestions: list[str]
    """The query respelled with words the papers use, when it has words they never do."""
    respelled: str
    """When not empty, the results are this respelling's: the query as typed found nothing close."""
    facets: dict[str, list[FacetCount]]
    """Per ``authority``, ``year``, ``committee`` and ``type``: the values among ``total``."""
    results: list[SearchHit]


@dataclass
class PaperSummary:
    """One paper as the paper list shows it (``kg.browse.papers``)."""

    iri: str
    doc_id: str
    file_name: str
    title: str
    date: str
    committee: str
    authority: str


@dataclass
class PaperList:
    """Every paper, newest first."""

    papers: list[PaperSummary]


@dataclass
class BlockSpan:
    """One structural block of a paper by its offsets in ``text``."""

    kind: str
    start: int
    end: int
    section: str
    table_id: int | None


@dataclass
class PaperDetail:
    """One paper: metadata, clean text, blocks and tables."""

    doc_id: str
    file_name: str
    metadata: Metadata
    text: str
    blocks: list[BlockSpan]
    tables: list[Table]


@dataclass
class EntityHit:
    """An entity found by name, with its local page."""

    iri: str
    label: str
    kind: str
    url: str


@dataclass
class EntityList:
    """Entities matching a name."""

    entities: list[EntityHit]


@dataclass
class GraphNode:
    """One entity of a neighbourhood (``web.graph_view.graph_data``)."""

    id: str
    label: str
    kind: str
    url: str


@dataclass
class GraphEdge:
    """The relations between two entities of a neighbourhood, merged into one edge."""

    id: str
    source: str
    target: str
    labels: list[str]
    label: str
    years: list[int]
    """Years of the papers behind the edge's relations (empty when none is dated)."""
    years_by_label: dict[str, list[int]]
    """The same years per relation name in ``labels``."""


@dataclass
class GraphAnswer:
    """An entity's neighbourhood: its nodes, edges and a note when only some are shown."""

    center: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    note: str | None


SPARQL_JSON_RESULTS = {
    "description": "SPARQL 1.1 Query Results JSON Format (a SELECT table or an ASK answer)",
    "oneOf": [
        {
            "type": "object", "required": ["head", "results"],
            "properties": {
                "head": {"type": "object", "required": ["vars"], "properties": {
                    "vars": {"type": "array", "items": {"type": "string"}},
                    "link": {"type": "array", "items": {"type": "string"}},
                }},
                "results": {"type": "object", "required": ["bindings"], "properties": {
                    "bindings": {"type": "array", "items": {
                        "type": "object",
                        "additionalProperties": {"$ref": "#/components/schemas/SparqlTerm"},
                    }},
                }},
            },
        },
        {
            "type": "object", "required": ["boolean"],
            "properties": {"head": {"type": "object"}, "boolean": {"type": "boolean"}},
        },
    ],
}
"""The W3C results format (no Python model: the store writes it)."""

SPARQL_TERM = {
    "type": "object", "required": ["type", "value"],
    "properties": {
        "type": {"enum": ["uri", "literal", "bnode", "triple"]},
        "value": {"type": ["string", "object"]},
        "datatype": {"type": "string"},
        "xml:lang": {"type": "string"},
    },
}
"""One bound term of a SPARQL JSON result row."""
