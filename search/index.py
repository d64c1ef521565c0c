"""The search index: passages, keyword index, embedding cache and vectors under ``<data_dir>/search/``.

:class:`SearchIndex` ``update()`` re-cuts only papers whose text or metadata changed and
embeds only passages whose ranking text it has never embedded (the cache is keyed by a
hash of that text), so a rebuild after editing one paper costs one paper. ``search()``
pools dense and keyword candidates, fuses their normalised scores and returns
:class:`~search.models.SearchResult` records that quote the paper's own words.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from corpus.models import Document
from councilkg.database import POSTGRES, Database, database_url, postgres_ddl
from councilkg.errors import CouncilKGError, NotFound, QueryError
from councilkg.settings import Settings
from search.bm25 import Postings, Stemmer
from search.encoder import Encoder
from search.expansion import ExpansionTable, alias_pairs, mine_acronyms
from search.fusion import fuse_scores
from search.keyword import (
    fts_match_expression,
    has_search_words,
    highlight_spans,
    idf,
    match_phrases,
    passage_terms,
    phrase_spans,
    proximity_expressions,
    query_coverage,
    query_terms,
)
from search.models import Passage, SearchFilters, SearchPage, SearchResult, embedding_text, ranking_text
from search.passages import build_passages, report_titles
from search.pg_keywords import PG_KEYWORD_SCHEMA, PgKeywords
from search.vectors import VectorBackend, open_vector_backend

PASSAGE_VERSION = "4"
"""Bump when the way passages are cut or rendered changes: every paper is then re-cut."""

CANDIDATES = 100
"""Candidates each retriever contributes to fusion."""

KEYWORD_CONFIDENCE_DEPTH = 5
"""Keyword hits whose query coverage decides how far the keyword side is trusted."""

SDM_WEIGHTS = (0.85, 0.10, 0.05)
"""Weights of single words, exact neighbouring pairs and pairs within a window in the keyword
score of hybrid search: the published defaults of the sequential dependence model (Metzler and
Croft, 2005), not fitted to any question set."""

COMMON_TERMS_FROM = 20_000
"""Index size (passages) from which very common words are left out of the keyword match."""

COMMON_TERM_SHARE = 0.05
"""A word in more than this share of passages is "very common" (see ``_discriminative``)."""

PAPER_PRIOR_WEIGHT = 0.0
"""Weight of the paper-level prior (how much the passage's paper is about the query) beside the
fused passage score, which lies in [0, 1]. Off: measured on both question sets (BENCHMARKS.md),
0.15 lowered success@1 (samples 0.536 → 0.507, held-out 0.653 → 0.633) and 0.05 changed nothing
beyond noise. Section headings already count through the passage's ranking text, and the
paper's title fields stay indexed (``paper_fields``) for the day a prior earns its place."""

NEAR_DUPLICATE = 0.7
"""Word-trigram Jaccard similarity from which two passages are shown as one."""

DUPLICATE_WINDOW = 25
"""How many of the latest result groups a passage is compared with when folding near-duplicates."""

SHINGLE_CACHE = 50_000
"""Passages whose word trigrams are kept between queries for near-duplicate folding."""

RELEVANT_SHARE = 0.5
"""Passages scoring at least this share of the best one count as answering (total, facets)."""

GOOD_DENSE = 0.35
"""Best cosine of the query with a passage below which the encoder found nothing close ...

Calibrated on the samples' index with MiniLM: the 17 answerable questions tried had a best
cosine of 0.48 to 0.83, eight off-topic or nonsense queries 0.16 to 0.29 (BENCHMARKS.md)."""

GOOD_KEYWORD = 0.4
"""... and best keyword coverage below which the words were not found: together, no good match.
(Off-topic queries reached at most 0.22; answerable ones 0.19 to 1.0, and a query with one of
its two rare words in the papers, "reablement flats", 0.42: worth showing as a match.)"""

SPELLING_CUTOFF = 0.85
"""Edit similarity a known word needs to be offered for an unknown one: 'reablment' →
'reablement' (0.95) is offered, 'bread' → 'break' (0.8) and 'propulsion' → 'population' are not."""

FACETS = {"authority": "authority", "year": "year", "committee": "committee", "type": "document_type"}
"""Facets of a results page and the passage columns they count."""
_ROW_COLUMNS = (
    "id", "text", "doc_id", "file_name", "authority", "date", "start", "end", "section", "committee",
    "document_type", "kind", "rendered", "year",
)  # fmt: skip
"""The columns of :meth:`SearchIndex._passage_rows`."""

MAX_QUERY_CHARS = 2000
"""Longer queries are cut (the encoder reads 256 tokens anyway)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS papers(
    doc_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, file_name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS passages(
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, file_name TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, kind TEXT NOT NULL,
    section TEXT, context TEXT, rendered TEXT, text TEXT NOT NULL, hash TEXT NOT NULL,
    authority TEXT, date TEXT, year INTEGER, committee TEXT, document_type TEXT);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
CREATE INDEX IF NOT EXISTS passages_hash ON passages(hash);
CREATE TABLE IF NOT EXISTS embeddings(
    hash TEXT NOT NULL, model TEXT NOT NULL, vector BLOB NOT NULL, PRIMARY KEY(hash, model));
CREATE TABLE IF NOT EXISTS acronyms(doc_id TEXT NOT NULL, short TEXT NOT NULL, long TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS acronyms_doc ON acronyms(doc_id);
CREATE TABLE IF NOT EXISTS aliases(label TEXT NOT NULL, alternative TEXT NOT NULL,
    PRIMARY KEY(label, alternative));
CREATE TABLE IF NOT EXISTS mentions(entity TEXT NOT NULL, doc_id TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity);
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions(doc_id);
CREATE TABLE IF NOT EXISTS term_df(term TEXT PRIMARY KEY, df INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS paper_fields(id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE,
    fields TEXT NOT NULL, model TEXT, vector BLOB);
"""
_FTS_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(body, tokenize = '{tokenize}');
CREATE VIRTUAL TABLE IF NOT EXISTS papers_fts USING fts5(body, tokenize = '{tokenize}');
"""
"""The keyword index on SQLite (on PostgreSQL: :data:`search.pg_keywords.PG_KEYWORD_SCHEMA`)."""
TOKENIZE = "porter unicode61 remove_diacritics 2"
"""The FTS5 tokenizer of the keyword index (query words are stemmed by the same one)."""
_FTS_SCHEMA = _FTS_SCHEMA.replace("{tokenize}", TOKENIZE)
POSTINGS_FILE = "keyword-postings.npz"
POSITIONS_FILE = "keyword-positions.npz"
"""On PostgreSQL, the keyword index's word positions, cached beside the postings."""
PG_SCHEMA = "councilkg_search"
"""The PostgreSQL schema of the search index's tables (the corpus has its own)."""
GENERATION_TTL_S = 0.5
"""On PostgreSQL, how long a search trusts the index generation it read (see ``_meta``)."""
WRITE_LOCK = "councilkg:search-index"
"""Advisory lock a write transaction takes on PostgreSQL: writers of one index take turns."""


@dataclass
class _Ranking:
    """Every candidate of one query, scored and ordered, with what the page needs to judge it."""

    query: str
    order: list[int]
    scores: dict[int, float]
    terms: list[str]
    phrases: list[str]
    best_dense: float
    keyword_confidence: float


@dataclass
class UpdateReport:
    """What one :meth:`SearchIndex.update` changed."""

    papers_indexed: list[str] = field(default_factory=list)
    papers_unchanged: int = 0
    papers_removed: list[str] = field(default_factory=list)
    passages_added: int = 0
    passages_embedded: int = 0
    fields_embedded: int = 0  # papers' title fields (one short text per new or retitled paper)


@dataclass
class _State:
    """What a search needs in memory, loaded once per index generation."""

    generation: str
    ids: np.ndarray
    doc_ids: np.ndarray
    years: np.ndarray
    authority: tuple[np.ndarray, np.ndarray]
    committee: tuple[np.ndarray, np.ndarray]
    document_type: tuple[np.ndarray, np.ndarray]
    labels: dict[str, list[str]]
    expansions: ExpansionTable


def paper_fingerprint(doc: Document) -> str:
    """A hash of everything about a paper that shapes its passages."""
    meta = doc.metadata
    h = hashlib.sha256()
    for part in (
        PASSAGE_VERSION,
        doc.content_hash,
        doc.file_name,
        meta.authority,
        meta.date,
        meta.committee,
        meta.document_type,
        meta.title,
        doc.text,
    ):
        h.update((part or "").encode("utf-8"))
        h.update(b"\x00")
    for block in doc.blocks:
        h.update(f"{block.kind}:{block.start}:{block.end}:{block.section}:{block.group};".encode())
        for cell in block.cells:
            h.update(f"{cell.header}:{cell.start}:{cell.end},".encode())
    return h.hexdigest()


class SearchIndex:
    """Hybrid passage search over the papers of one data directory."""

    def __init__(self, settings: Settings, encoder: Encoder | None = None) -> None:
        self.settings = settings
        self.folder = settings.data_path / "search"
        self.encoder = encoder or Encoder(settings.embedding_model)
        self._conn: Database | None = None
        self._pg_keywords: PgKeywords | None = None
        self._meta_cache: tuple[float, tuple[str, str]] | None = None
        self._state: _State | None = None
        self._backend: VectorBackend | None = None
        self._backend_generation: str | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._postings: Postings | None = None
        self._postings_lock = threading.Lock()
        self._shingle_cache: dict[tuple[int, int], frozenset[int]] = {}
        self._stemmer: Stemmer | None = None
        self._vocab: tuple[str, dict[str, list[str]]] | None = None
        self._embedded_all: set[str] = set()
        """Models for which this process has seen every passage embedded (later updates then
        look for missing vectors only among the papers they indexed, not the whole index)."""

    # -- storage -------------------------------------------------------------------------
    @property
    def conn(self) -> Database:
        """The database: ``index.sqlite`` in the folder, or the ``database`` server's schema
        :data:`PG_SCHEMA` (tables are created on first use)."""
        if self._conn is None:
            url = database_url(self.settings)
            if url:
                conn = Database.postgres(url, schema=PG_SCHEMA)
                if not conn.table_exists("keyword_docs"):  # the last table made: all are there
                    # Under the writers' lock: CREATE INDEX IF NOT EXISTS locks its table even
                    # when the index exists, which deadlocked against a writing build.
                    with conn.transaction(lock=WRITE_LOCK):
                        conn.executescript(postgres_ddl(_SCHEMA) + ";" + PG_KEYWORD_SCHEMA)
                self._pg_keywords = PgKeywords(conn, TOKENIZE)
                with contextlib.suppress(OSError):  # the folder only caches (postings, ANN graph)
                    self.folder.mkdir(parents=True, exist_ok=True)
            else:
                self.folder.mkdir(parents=True, exist_ok=True)
                conn = Database.sqlite(self.folder / "index.sqlite")
                conn.executescript(_SCHEMA + ";" + _FTS_SCHEMA)
            self._conn = conn
        return self._conn

    def _writing(self) -> contextlib.AbstractContextManager[Database]:
        """One write transaction (writers on several machines take turns on PostgreSQL)."""
        return self.conn.transaction(lock=WRITE_LOCK)

    def _worker(self) -> ThreadPoolExecutor:
        """One background thread for the keyword side of hybrid queries."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="councilkg-keyword")
        return self._pool

    def close(self) -> None:
        """Close the database connection (the index reopens on next use)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._state = None
        self._backend = None
        self._postings = None
        self._meta_cache = None

    def __len__(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM passages").fetchone()[0])

    def _passage_count(self) -> int:
        """Passages in the loaded state (no table scan per query)."""
        return int(self._load_state().ids.shape[0])

    def _generation(self) -> str:
        return self._meta()[0]

    def _meta(self) -> tuple[str, str]:
        """``(generation, keyword generation)``. On PostgreSQL read at most every
        :data:`GENERATION_TTL_S` (a query asks several times; another machine's change shows
        within that), and at once after this process wrote."""
        now = time.monotonic()
        cached = self._meta_cache
        if cached is not None and now - cached[0] < GENERATION_TTL_S and self.conn.dialect == POSTGRES:
            return cached[1]
        rows = dict(
            self.conn.execute(
                "SELECT key, value FROM meta WHERE key IN ('generation', 'keyword_generation')"
            ).fetchall()
        )
        found = (rows.get("generation") or "0", rows.get("keyword_generation") or "0")
        self._meta_cache = (now, found)
        return found

    def _bump_generation(self, key: str = "generation") -> None:
        # One statement, so two writers never both write the same next number.
        self._meta_cache = None
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES(?, '1') ON CONFLICT(key) DO UPDATE "
            "SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)",
            (key,),
        )

    def _keyword_key(self) -> str:
        """Names the keyword index's content: changes whenever passages are added or removed."""
        return f"{self._meta()[1]}:{self._passage_count()}"

    # -- building ------------------------------------------------------------------------
    def update(
        self,
        documents: Iterable[Document],
        aliases: Iterable[tuple[str, list[str]]] | Mapping[str, list[str]] | None = None,
        mentions: Mapping[str, Iterable[tuple[str, int, int]]] | None = None,
    ) -> UpdateReport:
        """Index new and changed papers (unchanged ones are skipped), then embed what is new.

        ``aliases`` (canonical label → alt labels/acronyms, e.g. from the graph) replaces the
        stored alias table when given; ``mentions`` (entity key → (doc_id, start, end)) is
        passed to :meth:`set_mentions`.
        """
        report = UpdateReport()
        conn = self.conn
        dropped: set[str] = set()
        for doc in documents:
            fingerprint = paper_fingerprint(doc)
            row = conn.execute("SELECT fingerprint FROM papers WHERE doc_id=?", (doc.doc_id,)).fetchone()
            if row and row[0] == fingerprint:
                report.papers_unchanged += 1
                continue
            passages = build_passages(doc)
            fields = paper_fields(doc)
            kept = conn.execute(
                "SELECT model, vector FROM paper_fields WHERE doc_id=? AND fields=?", (doc.doc_id, fields)
            ).fetchone()
            with self._writing():
                again = conn.execute("SELECT fingerprint FROM papers WHERE doc_id=?", (doc.doc_id,))
                if (row := again.fetchone()) and row[0] == fingerprint:  # another writer indexed it meanwhile
                    report.papers_unchanged += 1
                    continue
                dropped |= self._delete_paper(doc.doc_id)
                self._insert_passages(passages)
                conn.executemany(
                    "INSERT INTO acronyms(doc_id, short, long) VALUES(?, ?, ?)",
                    [(doc.doc_id, s, long) for s, long in _acronyms_of(passages)],
                )
                conn.execute(
                    "INSERT INTO papers(doc_id, fingerprint, file_name) VALUES(?, ?, ?)",
                    (doc.doc_id, fingerprint, doc.file_name),
                )
                (field_id,) = conn.insert_ids(  # an unchanged title keeps its vector: nothing to re-embed
                    "INSERT INTO paper_fields(doc_id, fields, model, vector) VALUES(?, ?, ?, ?) RETURNING id",
                    [(doc.doc_id, fields, *(kept or (None, None)))],
                )
                if conn.dialect != POSTGRES:  # the paper prior's keyword part (off) is SQLite's
                    conn.execute("INSERT INTO papers_fts(rowid, body) VALUES(?, ?)", (field_id, fields))
                self._bump_generation()
                self._bump_generation("keyword_generation")
            report.papers_indexed.append(doc.doc_id)
            report.passages_added += len(passages)
        if aliases is not None:
            self._set_aliases(alias_pairs(aliases))
        if mentions is not None:
            self.set_mentions(mentions)
        report.passages_embedded = self._embed_missing(report.papers_indexed)
        report.fields_embedded = self._embed_paper_fields()
        self._prune_embeddings(dropped)
        return report

    def _set_aliases(self, pairs: list[tuple[str, str]]) -> None:
        """Replace the alias table, unless it already holds exactly these pairs.

        A build passes the graph's aliases with every batch of papers; rewriting an unchanged
        table would cost a pass over every entity per batch and needlessly start a new
        index generation (reloading the in-memory search state).
        """
        pairs = sorted(set(pairs))
        digest = hashlib.sha256(repr(pairs).encode("utf-8")).hexdigest()
        row = self.conn.execute("SELECT value FROM meta WHERE key='aliases_digest'").fetchone()
        if row and row[0] == digest:
            return
        with self._writing():
            self.conn.execute("DELETE FROM aliases")
            self.conn.executemany("INSERT INTO aliases(label, alternative) VALUES(?, ?)", pairs)
            self.conn.execute(
                "INSERT INTO meta(key, value) VALUES('aliases_digest', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (digest,),
            )
            self._bump_generation()

    def remove(self, doc_ids: Iterable[str]) -> list[str]:
        """Drop papers (and their passages) from the index; returns the ids that were there."""
        removed = []
        dropped: set[str] = set()
        with self._writing():
            for doc_id in doc_ids:
                if self.conn.execute("SELECT 1 FROM papers WHERE doc_id=?", (doc_id,)).fetchone():
                    dropped |= self._delete_paper(doc_id)
                    removed.append(doc_id)
            if removed:
                self._bump_generation()
                self._bump_generation("keyword_generation")
        self._prune_embeddings(dropped)
        return removed

    def set_mentions(self, mentions: Mapping[str, Iterable[tuple[str, int, int]]]) -> None:
        """Replace the entity mentions used by the ``entity`` filter (entity key → spans)."""
        rows = [(key, d, s, e) for key, spans in mentions.items() for d, s, e in spans]
        with self._writing():
            self.conn.execute("DELETE FROM mentions")
            self.conn.executemany('INSERT INTO mentions(entity, doc_id, start, "end") VALUES(?,?,?,?)', rows)

    def set_paper_mentions(self, doc_id: str, mentions: Iterable[tuple[str, int, int]]) -> None:
        """Replace one paper's entity mentions (``(entity key, start, end)``) for the ``entity`` filter."""
        rows = [(key, doc_id, start, end) for key, start, end in mentions]
        with self._writing():
            self.conn.execute("DELETE FROM mentions WHERE doc_id = ?", (doc_id,))
            self.conn.executemany('INSERT INTO mentions(entity, doc_id, start, "end") VALUES(?,?,?,?)', rows)

    def paper_ids(self) -> list[str]:
        """Ids of the indexed papers."""
        return [r[0] for r in self.conn.execute("SELECT doc_id FROM papers ORDER BY doc_id")]

    def _delete_paper(self, doc_id: str) -> set[str]:
        """Delete the paper's rows; returns the hashes of the passages it had."""
        conn = self.conn
        counts: Counter[str] = Counter()
        hashes: set[str] = set()
        for digest, *row in conn.execute(
            "SELECT hash, section, context, coalesce(nullif(rendered, ''), text) "
            "FROM passages WHERE doc_id=?",
            (doc_id,),
        ):
            counts.update(passage_terms(ranking_text(*row)))
            hashes.add(digest)
        conn.executemany(
            "UPDATE term_df SET df = df - ? WHERE term = ?", [(n, t) for t, n in sorted(counts.items())]
        )
        conn.execute("DELETE FROM term_df WHERE df <= 0")
        if self._pg_keywords is not None:
            self._pg_keywords.delete_paper(doc_id)
        else:
            conn.execute(
                "DELETE FROM passages_fts WHERE rowid IN (SELECT id FROM passages WHERE doc_id=?)", (doc_id,)
            )
        conn.execute("DELETE FROM passages WHERE doc_id=?", (doc_id,))
        conn.execute("DELETE FROM acronyms WHERE doc_id=?", (doc_id,))
        conn.execute("DELETE FROM mentions WHERE doc_id=?", (doc_id,))
        conn.execute("DELETE FROM papers WHERE doc_id=?", (doc_id,))
        if self._pg_keywords is None:
            conn.execute(
                "DELETE FROM papers_fts WHERE rowid IN (SELECT id FROM paper_fields WHERE doc_id=?)",
                (doc_id,),
            )
        conn.execute("DELETE FROM paper_fields WHERE doc_id=?", (doc_id,))
        return hashes

    def _embed_paper_fields(self) -> int:
        """Embed the title fields of papers that have no vector for this model; returns how many."""
        model = self.encoder.model_name
        rows = self.conn.execute(
            "SELECT id, fields FROM paper_fields WHERE model IS NULL OR model != ?", (model,)
        ).fetchall()
        if not rows:
            return 0
        vectors = self.encoder.encode([fields for _, fields in rows])
        with self._writing():
            self.conn.executemany(
                "UPDATE paper_fields SET model = ?, vector = ? WHERE id = ?",
                [(model, v.tobytes(), pid) for (pid, _), v in zip(rows, vectors, strict=True)],
            )
            self._bump_generation()
        return len(rows)

    def _paper_prior(
        self, query: str, terms: list[str], qvec: np.ndarray | None, doc_ids: set[str]
    ) -> dict[str, float]:
        """How much each paper is *about* the query (0..1): its title, committee, type and the
        titles of the reports it holds, by keyword (BM25) and by meaning (the query's cosine with
        the fields' vector), each relative to the best paper among ``doc_ids``."""
        if not doc_ids:
            return {}
        marks = ",".join("?" * len(doc_ids))
        rows = self.conn.execute(
            f"SELECT id, doc_id, model, vector FROM paper_fields WHERE doc_id IN ({marks})", sorted(doc_ids)
        ).fetchall()
        if not rows:
            return {}
        by_row = {r[0]: r[1] for r in rows}
        keyword: dict[str, float] = {}
        expression = fts_match_expression(terms) if self.conn.dialect != POSTGRES else ""
        if expression:
            with contextlib.suppress(*self.conn.errors()):
                for rowid, score in self.conn.execute(
                    f"SELECT rowid, -bm25(papers_fts) FROM papers_fts WHERE papers_fts MATCH ? "
                    f"AND rowid IN ({','.join('?' * len(by_row))})",
                    [expression, *by_row],
                ):
                    keyword[by_row[rowid]] = max(0.0, float(score))
        dense: dict[str, float] = {}
        if qvec is not None:
            model = self.encoder.model_name
            for _, doc_id, vmodel, blob in rows:
                if vmodel == model and blob:
                    dense[doc_id] = max(0.0, float(np.frombuffer(blob, dtype=np.float32) @ qvec))
        prior: dict[str, float] = {}
        for part in (keyword, dense):
            best = max(part.values(), default=0.0)
            if best > 1e-9:
                for doc_id, value in part.items():
                    prior[doc_id] = prior.get(doc_id, 0.0) + 0.5 * value / best
        return prior

    def _insert_passages(self, passages: list[Passage]) -> None:
        counts: Counter[str] = Counter()
        for p in passages:
            counts.update(passage_terms(p.ranking_text))
        ids = self.conn.insert_ids(
            'INSERT INTO passages(doc_id, file_name, start, "end", kind, section, context, rendered, '
            "text, hash, authority, date, year, committee, document_type) "
            "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
            [
                (
                    p.doc_id,
                    p.file_name,
                    p.start,
                    p.end,
                    p.kind,
                    p.section,
                    p.context,
                    p.rendered,
                    p.text,
                    p.content_hash,
                    p.authority,
                    p.date,
                    p.year,
                    p.committee,
                    p.document_type,
                )
                for p in passages
            ],
        )
        keyword_rows = [(pid, p.ranking_text) for pid, p in zip(ids, passages, strict=True)]
        if self._pg_keywords is not None:
            self._pg_keywords.add(keyword_rows)
        else:
            self.conn.executemany("INSERT INTO passages_fts(rowid, body) VALUES(?, ?)", keyword_rows)
        self.conn.executemany(
            "INSERT INTO term_df(term, df) VALUES(?, ?) "
            "ON CONFLICT(term) DO UPDATE SET df = term_df.df + excluded.df",
            sorted(counts.items()),
        )

    def _embed_missing(self, doc_ids: Iterable[str] | None = None, chunk: int = 2048) -> int:
        """Embed every passage whose ranking text has no cached vector for this model.

        With ``doc_ids``, once this process has seen the whole index embedded for the model,
        only those papers' passages are looked at: scanning every passage after each batch of a
        build made the build quadratic (0.6 s per batch at 122,000 passages).
        """
        model = self.encoder.model_name
        scope, params = "", [model]
        if doc_ids is not None and model in self._embedded_all:
            wanted = sorted(set(doc_ids))
            if not wanted:
                return 0
            scope = f"AND p.doc_id IN ({self.conn.json_values()}) "
            params.append(json.dumps(wanted))
        rows = self.conn.execute(
            "SELECT p.hash, min(p.section), min(p.context), min(coalesce(nullif(p.rendered, ''), p.text)) "
            "FROM passages p LEFT JOIN embeddings e ON e.hash = p.hash AND e.model = ? "
            f"WHERE e.hash IS NULL {scope}GROUP BY p.hash",
            params,
        ).fetchall()
        done = 0
        self._embedded_all.discard(model)  # until this pass has finished
        for i in range(0, len(rows), chunk):
            batch = rows[i : i + chunk]
            texts = [embedding_text(section, context, body) for _, section, context, body in batch]
            vectors = self.encoder.encode(texts)
            with self._writing():
                self.conn.executemany(
                    "INSERT INTO embeddings(hash, model, vector) VALUES(?, ?, ?) "
                    "ON CONFLICT(hash, model) DO UPDATE SET vector = excluded.vector",
                    [(h, model, v.tobytes()) for (h, *_), v in zip(batch, vectors, strict=True)],
                )
                self._bump_generation()
            done += len(batch)
        self._embedded_all.add(model)
        return done

    def _prune_embeddings(self, hashes: Iterable[str] | None = None) -> None:
        """Delete this model's vectors no passage uses: among ``hashes`` (dropped passages), or all."""
        model = self.encoder.model_name
        with self._writing():
            if hashes is None:
                self.conn.execute(
                    "DELETE FROM embeddings WHERE model = ? AND hash NOT IN (SELECT hash FROM passages)",
                    (model,),
                )
                return
            dropped = sorted(set(hashes))
            if dropped:
                self.conn.execute(
                    f"DELETE FROM embeddings WHERE model = ? AND hash IN ({self.conn.json_values()}) "
                    "AND NOT EXISTS (SELECT 1 FROM passages p WHERE p.hash = embeddings.hash)",
                    (model, json.dumps(dropped)),
                )

    # -- loading -------------------------------------------------------------------------
    def _load_state(self) -> _State:
        generation = self._generation()
        if self._state is not None and self._state.generation == generation:
            return self._state
        rows = self.conn.execute(
            "SELECT id, doc_id, coalesce(year, -1), lower(coalesce(authority, '')), "
            "lower(coalesce(committee, '')), lower(coalesce(document_type, '')) FROM passages ORDER BY id"
        ).fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [[]] * 6
        table = ExpansionTable(self.conn.execute("SELECT long, short FROM acronyms"))
        for label, alternative in self.conn.execute("SELECT label, alternative FROM aliases"):
            table.add(label, alternative)
        self._state = _State(
            generation=generation,
            ids=np.asarray(columns[0], dtype=np.int64),
            doc_ids=np.asarray(columns[1], dtype=object),
            years=np.asarray(columns[2], dtype=np.int32),
            authority=_factorize(columns[3]),
            committee=_factorize(columns[4]),
            document_type=_factorize(columns[5]),
            labels={},
            expansions=table,
        )
        self._sync_backend(generation)
        return self._state

    def _sync_backend(self, generation: str) -> None:
        if self._backend is not None and self._backend_generation == generation:
            return
        if self._backend is None:
            self._backend = open_vector_backend(
                self.settings.vector_store, self.folder, int(self.settings.ann_threshold)
            )
        ids, vectors = self._vectors_for(None)
        self._backend.load(ids, vectors)
        self._backend_generation = generation

    def _vectors_for(self, ids: list[int] | None) -> tuple[np.ndarray, np.ndarray]:
        sql = "SELECT p.id, e.vector FROM passages p JOIN embeddings e ON e.hash = p.hash AND e.model = ?"
        params: list[object] = [self.encoder.model_name]
        if ids is not None:
            where, values = self.conn.in_list("p.id", ids)
            sql += f" WHERE {where}"
            params += values
        rows = self.conn.execute(sql + " ORDER BY p.id", params).fetchall()
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        id_array = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        return id_array, matrix

    # -- searching -----------------------------------------------------------------------
    def allowed_ids(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Sorted ids of passages that pass ``filters`` (``None`` when nothing is filtered)."""
        if filters is None or filters.is_empty():
            return None
        state = self._load_state()
        mask = np.ones(state.ids.shape[0], dtype=bool)
        for value, column in (
            (filters.authority, state.authority),
            (filters.committee, state.committee),
            (filters.document_type, state.document_type),
        ):
            if value:
                mask &= _contains(column, value.lower().strip())
        if filters.from_year is not None:
            mask &= state.years >= filters.from_year
        if filters.to_year is not None:
            mask &= (state.years <= filters.to_year) & (state.years >= 0)
        if filters.doc_ids is not None:
            mask &= np.isin(state.doc_ids, list(filters.doc_ids))
        ids = state.ids[mask]
        if filters.entity is not None:
            rows = self.conn.execute(
                "SELECT DISTINCT p.id FROM passages p JOIN mentions m ON m.doc_id = p.doc_id "
                'AND m.start >= p.start AND m."end" <= p."end" WHERE m.entity IN (?, ?)',
                (filters.entity, " ".join(filters.entity.lower().split())),
            ).fetchall()
            ids = np.intersect1d(ids, np.asarray([r[0] for r in rows], dtype=np.int64))
        return np.sort(ids)

    def expand_query(self, query: str) -> list[str]:
        """Alternative names (aliases, acronym long forms) of labels found in ``query``."""
        return self._load_state().expansions.expansions(query)

    def search(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        offset: int = 0,
        mode: str = "hybrid",
    ) -> list[SearchResult]:
        """The ``k`` best passages for ``query`` from rank ``offset`` on.

        ``mode`` is ``"hybrid"`` (the project's search), or ``"dense"``/``"keyword"`` (the
        single-retriever baselines used by evaluation). Raises :class:`QueryError` for an
        empty query; a query with no searchable words (punctuation or stopwords only) matches
        nothing (:func:`search.keyword.has_search_words`). Near-duplicate passages are collapsed
        into the best of them, which counts the others in ``more_like_this``.
        """
        return self.search_page(query, k=k, filters=filters, offset=offset, mode=mode).results

    def search_page(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        offset: int = 0,
        mode: str = "hybrid",
        sort: str = "relevance",
        respell: bool = True,
    ) -> SearchPage:
        """One page of results with what a results page shows around them: how many passages
        answer, facet counts per authority, year, committee and document type, whether any
        passage answers well at all (``good_match``) and spelling suggestions for unknown words.

        ``sort`` is ``"relevance"`` or ``"date"`` (newest first among the passages that answer).
        When nothing answers well but a respelling of the query does (``reablment``), the page
        is the respelling's, with ``respelled`` set (unless ``respell`` is false).
        """
        if sort not in ("relevance", "date"):
            raise QueryError(f"unknown sort {sort!r} (relevance or date)")
        ranking = self._rank(query, max(CANDIDATES, k + offset), filters, mode)
        if ranking is None:
            return SearchPage(query=" ".join(query.split())[:MAX_QUERY_CHARS])
        rows = self._passage_rows(ranking.order)  # one read for collapsing, facets and results
        groups = self._collapse(ranking.order, ranking.scores, rows)
        best = ranking.scores[groups[0][0]] if groups else 0.0
        relevant = [g for g in groups if ranking.scores[g[0]] >= RELEVANT_SHARE * best]
        chosen = relevant if sort == "date" else groups
        facets = self._facets([g[0] for g in relevant], rows)
        if sort == "date":
            dates = self._dates([g[0] for g in chosen], rows)
            chosen = sorted(chosen, key=lambda g: (dates.get(g[0]) or "", ranking.scores[g[0]]), reverse=True)
        page = chosen[offset : offset + k]
        results = self._results(
            [g[0] for g in page],
            ranking.scores,
            ranking.terms,
            ranking.phrases,
            {g[0]: len(g) - 1 for g in page},
            rows,
        )
        good = (
            mode != "hybrid" or ranking.best_dense >= GOOD_DENSE or ranking.keyword_confidence >= GOOD_KEYWORD
        )
        found = SearchPage(
            query=ranking.query,
            results=results,
            total=len(relevant),
            # More may answer only when every candidate of a full pool answered.
            total_capped=len(ranking.order) >= CANDIDATES and len(relevant) == len(groups),
            facets=facets,
            good_match=good,
            suggestions=self.spelling_suggestions(ranking.query) if not good else [],
            best_dense=ranking.best_dense,
            keyword_confidence=ranking.keyword_confidence,
        )
        if respell and found.suggestions:
            # A misspelt word finds nothing close; its respelling may. Then the page shows what
            # the respelling finds and says so, as a search engine does ("showing results for").
            other = self.search_page(found.suggestions[0], k, filters, offset, mode, sort, respell=False)
            if other.good_match:
                return replace(other, query=found.query, respelled=other.query)
        return found

    def _rank(self, query: str, want: int, filters: SearchFilters | None, mode: str) -> _Ranking | None:
        """Every candidate of ``query`` scored and ordered (None when nothing can match)."""
        query = " ".join(query.split())[:MAX_QUERY_CHARS]
        if not query:
            raise QueryError("the search query is empty")
        if mode not in ("hybrid", "dense", "keyword"):
            raise QueryError(f"unknown search mode {mode!r}")
        if want <= 0 or not has_search_words(query):
            return None
        state = self._load_state()
        if not state.ids.shape[0]:
            return None
        allowed = self.allowed_ids(filters)
        if allowed is not None and not allowed.shape[0]:
            return None
        expansions = state.expansions.expansions(query) if mode == "hybrid" else []
        terms = query_terms(query)

        keyword: dict[int, float] = {}
        keyword_job: Future[dict[int, float]] | None = None
        if mode == "keyword":
            keyword = self._keyword_scores(terms, expansions, want, allowed)
        elif mode == "hybrid":
            # FTS5 and the encoder both release the GIL: the keyword side runs while the query
            # is encoded, so a hybrid query costs about the slower of the two, not their sum.
            keyword_job = self._worker().submit(self._keyword_scores, terms, expansions, want, allowed, True)
        dense: dict[int, float] = {}
        qvec: np.ndarray | None = None
        if mode in ("hybrid", "dense"):
            dense_query = query if not expansions else f"{query} ({'; '.join(expansions)})"
            qvec = self.encoder.encode([dense_query])[0]
            assert self._backend is not None
            ids, scores = self._backend.search(qvec, want, allowed)
            dense = dict(zip(ids.tolist(), scores.tolist(), strict=True))
            if keyword_job is not None:
                keyword = keyword_job.result()
                missing = [i for i in keyword if i not in dense]
                if missing:
                    m_ids, m_vectors = self._vectors_for(missing)
                    dense.update(zip(m_ids.tolist(), (m_vectors @ qvec).tolist(), strict=True))
        confidence = 0.0
        if mode == "keyword":
            ranked = keyword
        elif mode == "dense":
            ranked = dense
        else:
            confidence = self._keyword_confidence(terms, expansions, keyword)
            ranked = fuse_scores(dense, keyword, confidence)
            all_terms = terms + [t for e in expansions for t in query_terms(e)]
            ranked = self._with_paper_prior(ranked, query, all_terms, qvec)
        order = sorted(ranked, key=lambda i: (-ranked[i], i))
        return _Ranking(
            query=query,
            order=order,
            scores=ranked,
            terms=terms,
            phrases=expansions,
            best_dense=max(dense.values(), default=0.0),
            keyword_confidence=confidence,
        )

    def _with_paper_prior(
        self, ranked: dict[int, float], query: str, terms: list[str], qvec: np.ndarray | None
    ) -> dict[int, float]:
        """Fused scores plus ``PAPER_PRIOR_WEIGHT`` × how much the passage's paper is about the
        query, so the paper whose subject is the question outranks a stray sentence elsewhere."""
        if not ranked or PAPER_PRIOR_WEIGHT <= 0:
            return ranked
        state = self._load_state()
        positions = np.searchsorted(state.ids, np.fromiter(ranked, dtype=np.int64))
        doc_of = dict(zip(ranked, state.doc_ids[positions].tolist(), strict=True))
        prior = self._paper_prior(query, terms, qvec, set(doc_of.values()))
        if not prior:
            return ranked
        return {i: s + PAPER_PRIOR_WEIGHT * prior.get(doc_of[i], 0.0) for i, s in ranked.items()}

    def _passage_rows(self, ids: list[int]) -> dict[int, tuple]:
        """Passage ``id`` -> (id, text, doc_id, file_name, authority, date, start, end, section,
        committee, document_type, kind, rendered, year): what a results page shows of it."""
        if not ids:
            return {}
        where, values = self.conn.in_list("id", ids)
        rows = self.conn.execute(
            'SELECT id, text, doc_id, file_name, authority, date, start, "end", section, committee, '
            f"document_type, kind, rendered, year FROM passages WHERE {where}",
            values,
        ).fetchall()
        return {r[0]: tuple(r) for r in rows}

    def _collapse(
        self, order: list[int], scores: Mapping[int, float], rows: Mapping[int, tuple] | None = None
    ) -> list[list[int]]:
        """``order`` grouped into near-duplicates (the same words, give or take a few), best first.

        Agenda packs and plans repeat paragraphs (a report and its appendix, a recommendation and
        the minute adopting it); a reader wants one of them and a note that others exist.
        """
        if not order:
            return []
        rows = self._passage_rows(order) if rows is None else rows
        texts = {pid: r[12] or r[1] for pid, r in rows.items()}  # the rendered text, else the text
        groups: list[list[int]] = []
        shingles: list[frozenset[int]] = []
        sizes = np.zeros(len(order), dtype=np.float64)  # of each group's first passage
        for pid in order:
            mine = self._shingles_of(pid, texts.get(pid, ""))
            size = len(mine)
            joined = False
            if size and groups:
                # Jaccard >= t needs the smaller set to be >= t of the larger: most pairs stop here.
                # Near-duplicates score almost alike, so they sit close together in ``order``:
                # only the groups opened last are compared (linear, not quadratic, in the pool).
                first = max(0, len(groups) - DUPLICATE_WINDOW)
                known = sizes[first : len(groups)]
                near = np.flatnonzero((known >= NEAR_DUPLICATE * size) & (size >= NEAR_DUPLICATE * known))
                for g in (near + first).tolist():
                    common = len(mine & shingles[g])
                    if common >= NEAR_DUPLICATE * (size + sizes[g] - common):
                        groups[g].append(pid)
                        joined = True
                        break
            if not joined:
                sizes[len(groups)] = size
                groups.append([pid])
                shingles.append(mine)
        return groups

    def _shingles_of(self, pid: int, text: str) -> frozenset[int]:
        """Passage ``pid``'s shingles, kept for the next queries (a bounded cache per index,
        keyed by the text itself, so a rebuilt passage that reuses an id is never mistaken)."""
        cache = self._shingle_cache
        key = (pid, hash(text))
        found = cache.get(key)
        if found is None:
            if len(cache) >= SHINGLE_CACHE:
                cache.clear()
            found = cache[key] = _shingles(text)
        return found

    def _facets(
        self, ids: list[int], rows: Mapping[int, tuple] | None = None
    ) -> dict[str, list[tuple[str, int]]]:
        """Counts of ``ids`` per authority, year, committee and document type, commonest first."""
        facets: dict[str, list[tuple[str, int]]] = {}
        if not ids:
            return {name: [] for name in FACETS}
        rows = self._passage_rows(ids) if rows is None else rows
        for name, column in FACETS.items():
            i = _ROW_COLUMNS.index(column)
            counts = Counter("" if rows[pid][i] is None else str(rows[pid][i]) for pid in ids)
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))  # code-point order
            facets[name] = [(value, n) for value, n in ranked if value not in ("", "-1")]
        return facets

    def _dates(self, ids: list[int], rows: Mapping[int, tuple] | None = None) -> dict[int, str]:
        if not ids:
            return {}
        rows = self._passage_rows(ids) if rows is None else rows
        return {pid: rows[pid][5] or "" for pid in ids}

    def spelling_suggestions(self, query: str, limit: int = 3) -> list[str]:
        """The query with each word the index has never seen replaced by the closest word it has
        (by edit similarity, among words of the index), best first; empty when none is close."""
        terms = query_terms(query)
        known = self._dfs([t for t in terms if t.isalpha()])
        unknown = [t for t in terms if t.isalpha() and t not in known]
        if not unknown:
            return []
        vocabulary = self._vocabulary()
        fixed = query
        changed = False
        for term in unknown:
            close = difflib.get_close_matches(term, vocabulary.get(term[:1], []), n=1, cutoff=SPELLING_CUTOFF)
            if close:
                fixed = re.sub(rf"\b{re.escape(term)}\b", close[0], fixed, flags=re.IGNORECASE)
                changed = True
        return [fixed][:limit] if changed else []

    def _vocabulary(self) -> dict[str, list[str]]:
        """The index's words (seen in two passages or more), by first letter, for suggestions."""
        key = self._keyword_key()
        if self._vocab is None or self._vocab[0] != key:
            by_letter: dict[str, list[str]] = {}
            for (term,) in self.conn.execute("SELECT term FROM term_df WHERE df >= 2 AND length(term) > 2"):
                if term.isalpha():
                    by_letter.setdefault(term[:1], []).append(term)
            self._vocab = (key, by_letter)
        return self._vocab[1]

    def _keyword_confidence(
        self, terms: list[str], expansions: list[str], keyword: Mapping[int, float]
    ) -> float:
        """How much of the query the best keyword hits cover, weighted by IDF (0..1).

        A keyword list whose best passage matches only a common word ("use", "people") should
        not outvote the encoder, however the BM25 scores normalise.
        """
        if not keyword or not terms:
            return 0.0
        top = sorted(keyword, key=lambda i: -keyword[i])[:KEYWORD_CONFIDENCE_DEPTH]
        n = self._passage_count()
        dfs = self._dfs(terms)
        weights = {term: idf(dfs.get(term, 0), n) for term in terms}
        alternatives = " ".join(expansions)
        best = 0.0
        where, values = self.conn.in_list("id", top)
        sql = f"SELECT section, context, coalesce(nullif(rendered, ''), text) FROM passages WHERE {where}"
        for section, context, body in self.conn.execute(sql, values).fetchall():
            text = ranking_text(section, context, body)
            coverage = query_coverage(terms, weights, text)
            if alternatives and any(a.lower() in text.lower() for a in expansions):
                coverage = max(coverage, query_coverage(terms, weights, text + " " + " ".join(terms)))
            best = max(best, coverage)
        return best

    def _keyword_scores(
        self,
        terms: list[str],
        expansions: list[str],
        n: int,
        allowed: np.ndarray | None,
        proximity: bool = False,
    ) -> dict[int, float]:
        """BM25 scores of the best ``n`` keyword hits; with ``proximity``, scored by the
        sequential dependence model (words, then neighbouring pairs of query words)."""
        discriminative = self._discriminative(terms)
        if not fts_match_expression(discriminative, expansions):
            return {}
        scores = self._word_scores(match_phrases(discriminative, expansions), n, allowed)
        if not proximity:
            return scores
        keep = set(discriminative) if len(discriminative) < len(terms) else None
        ordered, unordered = proximity_expressions(terms, keep=keep)
        w_word, w_ordered, w_unordered = SDM_WEIGHTS
        fused = {i: w_word * s for i, s in scores.items()}
        for expr, weight in ((ordered, w_ordered), (unordered, w_unordered)):
            if expr:
                for i, s in self._bm25(expr, n, allowed).items():
                    fused[i] = fused.get(i, 0.0) + weight * s
        return dict(sorted(fused.items(), key=lambda kv: -kv[1])[:n])

    def _discriminative(self, terms: list[str]) -> list[str]:
        """``terms`` less the very common ones, on a large index that still has rarer ones.

        Scoring a word found in a tenth of 100,000 passages costs FTS5 a walk over 10,000
        postings for an IDF near 2: on large indexes such words are left out of the match
        (as search engines treat stopwords) as long as the query keeps a rarer word.
        """
        n = self._passage_count()
        if n < COMMON_TERMS_FROM or len(terms) < 2:
            return terms
        limit = COMMON_TERM_SHARE * n
        dfs = self._dfs(terms)
        rare = [term for term in terms if dfs.get(term, 0) <= limit]
        return rare or terms

    def _dfs(self, terms: list[str]) -> dict[str, int]:
        """How many passages hold each of ``terms`` (absent: none)."""
        if not terms:
            return {}
        where, values = self.conn.in_list("term", terms)
        rows = self.conn.execute(f"SELECT term, df FROM term_df WHERE {where}", values).fetchall()
        return {term: int(df) for term, df in rows}

    def _word_scores(self, phrases: list[str], n: int, allowed: np.ndarray | None) -> dict[int, float]:
        """FTS5's BM25 of the OR of ``phrases`` for the best ``n`` passages.

        Single words are scored in numpy from the index's postings (:mod:`search.bm25`); only
        multi-word phrases (expansions such as "better care fund") are asked of FTS5, whose
        per-phrase BM25 parts add up to the score of the whole OR.
        """
        postings = self._keyword_postings()
        if postings is None:
            return self._bm25(" OR ".join(f'"{p}"' for p in phrases), n, allowed)
        if self._stemmer is None:
            self._stemmer = Stemmer(TOKENIZE)
        tokens: list[str] = []
        extra: dict[int, float] = {}
        for phrase in phrases:
            cut = self._stemmer.tokens(phrase) if " " not in phrase else []
            if len(cut) == 1:
                tokens.append(cut[0])
                continue
            for i, score in self._bm25(f'"{phrase}"', 0, allowed).items():
                extra[i] = extra.get(i, 0.0) + score
        return postings.top(tokens, n, allowed, extra)

    def _keyword_postings(self) -> Postings | None:
        """The keyword index's postings, read (or loaded from beside it) once per change."""
        key = self._keyword_key()
        postings = self._postings
        if postings is not None and postings.key == key:
            return postings
        with self._postings_lock:
            if self._postings is not None and self._postings.key == key:
                return self._postings
            path = self.folder / POSTINGS_FILE
            postings = Postings.load(path, key)
            if postings is None:
                if self._pg_keywords is not None:
                    postings = self._pg_keywords.read_postings(key)
                else:
                    try:
                        postings = Postings.read(self.conn.raw, "passages_fts", key)
                    except self.conn.operational_errors():  # an SQLite without fts5vocab: FTS5 ranks alone
                        return None
                with contextlib.suppress(OSError):  # read-only: it searches, and reads them again
                    postings.save(path)
            self._postings = postings
            return postings

    def _bm25(self, expression: str, n: int, allowed: np.ndarray | None) -> dict[int, float]:
        """FTS5's BM25 of ``expression`` for the best ``n`` matches (every match when ``n`` is 0)."""
        fetch = -1 if n == 0 else n if allowed is None else n * 20
        if self._pg_keywords is not None:
            postings = self._keyword_postings()
            assert postings is not None
            # the same cut as FTS5's LIMIT, then the same filter
            limit = fetch if fetch >= 0 else None
            ids, scores = self._pg_keywords.bm25(expression, postings, self.folder / POSITIONS_FILE, limit)
            if allowed is not None:
                keep = np.isin(ids, allowed)
                ids, scores = ids[keep], scores[keep]
            if n:
                ids, scores = ids[:n], scores[:n]
            return dict(zip(ids.tolist(), scores.tolist(), strict=True))
        try:
            rows = self.conn.execute(
                "SELECT rowid, -bm25(passages_fts) FROM passages_fts WHERE passages_fts MATCH ? "
                "ORDER BY rank LIMIT ?",
                (expression, fetch),
            ).fetchall()
        except self.conn.operational_errors() as exc:  # a query FTS5 cannot parse: dense still answers
            raise QueryError(f"keyword search failed: {exc}") from None
        if allowed is not None:
            rows = [r for r in rows if _sorted_contains(allowed, r[0])]
        return {r[0]: float(r[1]) for r in (rows[:n] if n else rows)}

    def _results(
        self,
        order: list[int],
        scores: Mapping[int, float],
        terms: list[str],
        phrases: list[str] = (),  # type: ignore[assignment]
        more: Mapping[int, int] | None = None,
        rows: Mapping[int, tuple] | None = None,
    ) -> list[SearchResult]:
        """Result records for ``order``; highlights mark the query's words and the alternative
        names (``phrases``) actually found, never the single words of an alias."""
        if not order:
            return []
        by_id = self._passage_rows(order) if rows is None else rows
        results = []
        for pid in order:
            r = by_id[pid]
            results.append(
                SearchResult(
                    text=r[1],
                    score=float(scores[pid]),
                    doc_id=r[2],
                    file_name=r[3],
                    authority=r[4],
                    date=r[5],
                    start=r[6],
                    end=r[7],
                    section=r[8] or "",
                    committee=r[9],
                    document_type=r[10],
                    kind=r[11],
                    highlights=_highlights(r[1], terms, phrases, r[6]),
                    rendered=r[12] or "",
                    rendered_highlights=_highlights(r[12], terms, phrases, 0) if r[12] else [],
                    more_like_this=(more or {}).get(pid, 0),
                )
            )
        return results


def _highlights(text: str, terms: list[str], phrases: list[str], base: int) -> list[tuple[int, int]]:
    spans = set(highlight_spans(text, terms, base=base)) | set(phrase_spans(text, phrases, base=base))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _shingles(text: str, n: int = 3) -> frozenset[int]:
    """The hashed word ``n``-grams of ``text`` (hashes: set operations on ints are cheap)."""
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return frozenset({hash(tuple(words))}) if words else frozenset()
    return frozenset(hash(tuple(words[i : i + n])) for i in range(len(words) - n + 1))


_WORD = re.compile(r"\w+")


def paper_fields(doc: Document) -> str:
    """What a paper is about in a few words: its title, committee, type and the titles of the
    reports it holds (an agenda pack's front sheets), for the paper-level prior of a search."""
    meta = doc.metadata
    parts = [meta.title, meta.committee, meta.document_type, *report_titles(doc)]
    seen: dict[str, None] = {}
    for part in parts:
        if part and part.strip():
            seen.setdefault(" ".join(part.split()), None)
    return " | ".join(seen) or doc.file_name


def _acronyms_of(passages: list[Passage]) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for p in passages:
        for short, long in mine_acronyms(p.rendered or p.text):
            found.setdefault(short, long)
    return sorted(found.items())


def _factorize(values: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """A text column as (distinct values, code of each row): filters then test each value once."""
    distinct, codes = np.unique(np.asarray(list(values), dtype=object).astype(str), return_inverse=True)
    return distinct.astype(object), codes.astype(np.int32)


def _contains(column: tuple[np.ndarray, np.ndarray], needle: str) -> np.ndarray:
    """Row mask: values of a factorized column containing ``needle``."""
    values, codes = column
    hits = np.fromiter((needle in v for v in values), dtype=bool, count=values.shape[0])
    return hits[codes] if codes.shape[0] else np.zeros(0, dtype=bool)


def _sorted_contains(sorted_ids: np.ndarray, value: int) -> bool:
    pos = int(np.searchsorted(sorted_ids, value))
    return pos < sorted_ids.shape[0] and int(sorted_ids[pos]) == value


def open_search_index(settings: Settings) -> SearchIndex:
    """The data directory's search index (a getter the web app and CLI share)."""
    if not isinstance(settings, Settings):
        raise CouncilKGError("open_search_index needs Settings")
    return SearchIndex(settings)


def open_existing_search_index(settings: Settings) -> SearchIndex:
    """The index, for reading only: a data directory without one is a one-line :class:`NotFound`.

    :class:`SearchIndex` creates its folder and tables on first use, which a build wants and a
    search on an empty or mistyped data directory must not do.
    """
    if not index_exists(settings):
        raise NotFound(f"no papers in {settings.data_path}: run `councilkg build PATH` first")
    return open_search_index(settings)


def index_exists(settings: Settings) -> bool:
    """Whether ``settings`` name a search index that has been created (nothing is created here);
    a ``database`` URL that does not connect is a one-line :class:`CouncilKGError` naming it."""
    url = database_url(settings)
    if not url:
        return (index_folder(settings) / "index.sqlite").exists()
    db = Database.postgres(url)
    try:
        return db.table_exists(f"{PG_SCHEMA}.passages")
    finally:
        db.close()


def index_folder(settings: Settings) -> Path:
    """Where the search index lives."""
    return settings.data_path / "search"
