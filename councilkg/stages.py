"""The stages ``councilkg build`` runs after ingestion: extraction into the graph, then search.

* **graph** — each stale paper is extracted with spaCy (:class:`nlp.extractor.Extractor`) in
  ``settings.workers`` processes and its named graph replaced in the graph store
  (:meth:`kg.store.GraphStore.replace_paper`). A paper is stale when its graph is missing or
  was built from another content hash, so re-runs redo only changed papers and a build killed
  half-way resumes where it stopped.
* **search** — each stale paper's passages are (re)indexed and embedded
  (:meth:`search.index.SearchIndex.update`, which embeds only passages whose text is new); the
  graph's labels and aliases feed query expansion, and the paper's entity mentions feed the
  search "mentions entity" filter. A paper is stale when the index has not seen this content
  hash with its current graph.

This module is glue between layers (it sits beside the CLI, above nlp, kg and search); the
layers themselves never import each other upward.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from corpus.models import Document
from councilkg.pipeline import STAGES, Stage
from councilkg.settings import Settings

# -- shared per-process resources -----------------------------------------------------------

_EXTRACTORS: dict[tuple[tuple[str, str], ...], Any] = {}
_GRAPH_STORES: dict[tuple[str, str], Any] = {}
_SEARCH_INDEXES: dict[str, Any] = {}
_ALIASES: dict[tuple[str, str], dict[str, list[str]]] = {}
"""The graph's aliases, read once per search stage (the graph does not change during it)."""


def _settings_key(settings: Settings) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, str(v)) for k, v in settings.values.items()))


def extractor(settings: Settings) -> Any:
    """This process's :class:`nlp.extractor.Extractor` for ``settings`` (the model loads once)."""
    key = _settings_key(settings)
    if key not in _EXTRACTORS:
        from nlp.extractor import Extractor

        _EXTRACTORS.clear()  # one pipeline per process is enough
        _EXTRACTORS[key] = Extractor(settings)
    return _EXTRACTORS[key]


def graph_store(settings: Settings) -> Any:
    """The graph store of this build, opened once and kept until :func:`close_stores`."""
    key = (str(settings.data_path), str(settings.graph_store or ""))
    if key not in _GRAPH_STORES:
        from kg.store import open_graph_store

        _GRAPH_STORES[key] = open_graph_store(settings)
    return _GRAPH_STORES[key]


def search_index(settings: Settings) -> Any:
    """The search index of this build, opened once and kept until :func:`close_stores`."""
    key = str(settings.data_path)
    if key not in _SEARCH_INDEXES:
        from councilkg.cluster import on_cluster
        from search.index import open_search_index

        index = open_search_index(settings)
        index.encoder = on_cluster(index.encoder)  # a build on a Dask cluster embeds on its workers
        _SEARCH_INDEXES[key] = index
    return _SEARCH_INDEXES[key]


def close_stores(settings: Settings | None = None) -> None:
    """Close the graph stores and search indexes this process opened (releasing file locks)."""
    _ALIASES.clear()
    for cache in (_GRAPH_STORES, _SEARCH_INDEXES):
        while cache:
            _, resource = cache.popitem()
            resource.close()


# -- graph stage ---------------------------------------------------------------------------


def graph_stale(hashes: Mapping[str, str], settings: Settings) -> list[str]:
    """Papers whose graph is missing or was built from another content hash."""
    from kg.build import stale_papers

    return stale_papers(graph_store(settings), hashes)


def extract_paper(doc: Document, settings: Settings) -> Any:
    """Extract one paper (runs in a build worker process; the spaCy pipeline is cached there)."""
    return extractor(settings).extract(doc)


def commit_graph(doc: Document, extraction: Any, settings: Settings) -> None:
    """Replace the paper's named graph with what was extracted (atomically; the old graph stays on error)."""
    graph_store(settings).replace_paper(doc, extraction)


def graph_prune(present: set[str], settings: Settings) -> list[str]:
    """Drop the graphs of papers the corpus no longer has (removed, or renamed by an id migration).

    The graph store belongs to this data directory: a remote ``graph_store`` shared by two data
    directories would lose the other one's papers here, so give each its own endpoint.
    """
    from kg.build import remove_missing

    return remove_missing(graph_store(settings), present)


GRAPH_STAGE = Stage(
    "graph",
    None,
    prepare=extract_paper,
    commit=commit_graph,
    stale_ids=graph_stale,
    finish=close_stores,
    prune=graph_prune,
    held=lambda settings: set(graph_store(settings).paper_hashes()),
)


# -- search stage --------------------------------------------------------------------------

_BUILT_SCHEMA = "CREATE TABLE IF NOT EXISTS built_from(doc_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL)"


def _built_from(index: Any) -> dict[str, str]:
    """doc_id -> what the index last indexed it from (only papers still in the index)."""
    conn: sqlite3.Connection = index.conn
    conn.execute(_BUILT_SCHEMA)
    rows = conn.execute(
        "SELECT b.doc_id, b.content_hash FROM built_from b JOIN papers p ON p.doc_id = b.doc_id"
    )
    return dict(rows.fetchall())


def _built_key(content_hash: str, graph_hash: str | None) -> str:
    """What a paper's search entry was built from: its text's hash, its graph's (none when
    missing) and the version of the passage cutter, so a new way of cutting re-indexes on build."""
    from search.index import PASSAGE_VERSION

    return f"{content_hash} graph:{graph_hash or '-'} passages:{PASSAGE_VERSION}"


def search_stale(hashes: Mapping[str, str], settings: Settings) -> list[str]:
    """Papers the index has not indexed, or indexed from another content hash or another graph.

    A paper whose graph stage failed is indexed without its entity mentions and recorded so;
    it becomes stale again here once its graph is built, so the mentions are never lost.
    """
    built = _built_from(search_index(settings))
    graphs = graph_store(settings).paper_hashes()
    return [d for d, digest in hashes.items() if built.get(d) != _built_key(digest, graphs.get(d))]


_PREFIXES = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX ck: <https://w3id.org/councilkg/ontology#> "
)


def graph_aliases(store: Any) -> dict[str, list[str]]:
    """Canonical label -> alternative labels (aliases, acronyms) of every entity in the graph."""
    from kg import iris

    rows = store.select(
        _PREFIXES + f"SELECT ?label ?alt WHERE {{ GRAPH <{iris.ENTITIES_GRAPH}> "
        "{ ?e rdfs:label ?label ; skos:altLabel ?alt } }"
    )
    aliases: dict[str, list[str]] = defaultdict(list)
    for label, alt in rows:
        if label is not None and alt is not None and alt.value != label.value:
            aliases[label.value].append(alt.value)
    return dict(aliases)


def paper_mentions(store: Any, doc_id: str) -> list[tuple[str, int, int]]:
    """``(entity key, start, end)`` for every entity mention in one paper's graph.

    Each mention is listed under the entity's IRI and under each of its names in lower case
    (label, aliases, the words used in this paper), so the search filter accepts either.
    """
    from kg import iris

    graph, entities = iris.paper_graph(doc_id), iris.ENTITIES_GRAPH
    rows = store.select(
        _PREFIXES + f"SELECT ?e ?start ?end WHERE {{ GRAPH <{graph}> {{ ?m oa:hasBody ?e ; oa:hasTarget ?t . "
        "?t oa:hasSelector ?s . ?s oa:start ?start ; oa:end ?end } }"
    )
    names = store.select(
        _PREFIXES + f"SELECT ?e ?n WHERE {{ {{ GRAPH <{graph}> {{ ?e ck:nameInPaper ?n }} }} UNION "
        f"{{ GRAPH <{graph}> {{ ?e ck:mentionedIn ?p }} "
        f"GRAPH <{entities}> {{ ?e rdfs:label|skos:altLabel ?n }} }} }}"
    )
    keys: dict[str, set[str]] = defaultdict(set)
    for entity, name in names:
        if entity is not None and name is not None:
            keys[entity.value].add(" ".join(name.value.lower().split()))
    out: set[tuple[str, int, int]] = set()
    for entity, start, end in rows:
        if entity is None or start is None or end is None:
            continue
        span = (int(start.value), int(end.value))
        for key in {entity.value, *keys.get(entity.value, ())}:
            out.add((key, *span))
    return sorted(out)


def index_papers(documents: list[Document], settings: Settings) -> dict[str, str]:
    """Index a batch of papers with the graph's aliases and mentions; returns failures by id."""
    index = search_index(settings)
    store = graph_store(settings)
    key = (str(settings.data_path), str(settings.graph_store or ""))
    if key not in _ALIASES:
        _ALIASES[key] = graph_aliases(store)
    index.update(documents, aliases=_ALIASES[key])
    conn: sqlite3.Connection = index.conn
    with conn:
        for doc in documents:
            index.set_paper_mentions(doc.doc_id, paper_mentions(store, doc.doc_id))
            # Recorded with the graph it read: a paper whose graph stage failed (no graph, or
            # one from an older version) is indexed again once its graph is built.
            conn.execute(
                "INSERT INTO built_from(doc_id, content_hash) VALUES(?, ?) "
                "ON CONFLICT(doc_id) DO UPDATE SET content_hash = excluded.content_hash",
                (doc.doc_id, _built_key(doc.content_hash, store.paper_hash(doc.doc_id))),
            )
    # Reading each paper's mentions fills the graph store's block caches (RocksDB's, up to
    # ~160 MB); releasing the store after each batch keeps the stage's memory flat, for the
    # price of reopening it (~30 ms on a 10,000-paper store) once per batch.
    store.release()
    return {}


def search_prune(present: set[str], settings: Settings) -> list[str]:
    """Drop the passages, mentions and build records of papers the corpus no longer has."""
    index = search_index(settings)
    gone = [doc_id for doc_id in index.paper_ids() if doc_id not in present]
    removed = index.remove(gone) if gone else []
    forget_built(index, present)
    return removed


def forget_built(index: Any, present: set[str] | None = None, doc_ids: list[str] | None = None) -> None:
    """Delete build records: of ``doc_ids``, or of every paper not in ``present``."""
    conn: sqlite3.Connection = index.conn
    conn.execute(_BUILT_SCHEMA)
    with conn:
        if doc_ids is not None:
            conn.executemany("DELETE FROM built_from WHERE doc_id = ?", [(d,) for d in doc_ids])
        elif present is not None:
            stale = [r[0] for r in conn.execute("SELECT doc_id FROM built_from") if r[0] not in present]
            conn.executemany("DELETE FROM built_from WHERE doc_id = ?", [(d,) for d in stale])


SEARCH_STAGE = Stage(
    "search",
    None,
    run=index_papers,
    stale_ids=search_stale,
    finish=close_stores,
    prune=search_prune,
    held=lambda settings: set(search_index(settings).paper_ids()),
)


def default_stages() -> list[Stage]:
    """The stages of a full build, in order: graph (extraction included), then search."""
    return [GRAPH_STAGE, SEARCH_STAGE]


if not STAGES:
    STAGES.extend(default_stages())
