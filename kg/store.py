"""Graph stores: embedded Oxigraph on disk (default) or a remote SPARQL 1.1 endpoint.

Both backends share one write path: :meth:`GraphStore.replace_paper` builds the paper's
quads and sends ONE SPARQL update that drops the paper's graph, inserts the new one and
refreshes the canonical entities it touches. Oxigraph (embedded and server) applies an
update request in a single transaction, so a reader never sees half a paper.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import (
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    RdfFormat,
    Store,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from corpus.models import Document
from councilkg.errors import CouncilKGError, NotFound, QueryError, QueryTimeout
from councilkg.settings import Settings
from kg import iris
from kg.rdf import CK, PREFIXES, RDFS, SKOS, PaperQuads, paper_quads
from nlp.models import Extraction

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
EXPORT_FORMATS = {
    "trig": RdfFormat.TRIG,
    "nquads": RdfFormat.N_QUADS,
    "turtle": RdfFormat.TURTLE,
    "jsonld": RdfFormat.JSON_LD,
    "ntriples": RdfFormat.N_TRIPLES,
}


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of SHACL validation: ``conforms`` and pyshacl's text report."""

    conforms: bool
    text: str
    triples: int


def _ontology_turtle() -> tuple[str, str]:
    text = (ONTOLOGY_DIR / "councilkg.ttl").read_text(encoding="utf-8")
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


TRIPLES_PER_BLOCK = 1000
"""``INSERT DATA``/``DELETE DATA`` write at most this many triples per ``GRAPH`` block.

The same data in more, smaller blocks means the same to every server, and Virtuoso 7.2's
SPARQL parser runs out of stack at ~5,000 triples in one block ("SP030 ... memory exhausted");
blocks of 2,000 passed in tests, 10,000 did not."""


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _graph_blocks(lines_by_graph: dict[str, list[str]]) -> str:
    """``GRAPH g { ... }`` blocks of at most :data:`TRIPLES_PER_BLOCK` triples each."""
    return "\n".join(
        f"GRAPH {g} {{\n" + "\n".join(chunk) + "\n}"
        for g, lines in lines_by_graph.items() for chunk in _chunks(lines, TRIPLES_PER_BLOCK)
    )


def _insert_data(quads: Iterable[Quad]) -> str:
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
    if not by_graph:
        return ""
    return f"INSERT DATA {{\n{_graph_blocks(by_graph)}\n}}"


def _pairs(quads: Iterable[Quad], predicate: str) -> set[tuple[str, str]]:
    """(subject, object) of the quads with this predicate (an N-Triples IRI), as N-Triples terms."""
    return {(str(q.subject), str(q.object)) for q in quads if str(q.predicate) == predicate}


def _values(iri_values: Iterable[str]) -> str:
    return " ".join(f"<{v}>" for v in sorted(iri_values))


class GraphStore:
    """What every backend offers: write papers, read hashes, query safely, export, validate."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def exists_after_values(self) -> bool:
        """Whether ``VALUES`` rows followed by ``FILTER [NOT] EXISTS`` are evaluated per row.

        They are on Oxigraph, where that form keeps a write's cost independent of how many
        papers name an entity. Virtuoso 7.2 answers it wrongly for more than one row (no row
        passes), so there the write uses a join and MINUS instead (same result)."""
        return True

    # -- backend primitives ---------------------------------------------------
    def update(self, sparql: str) -> None:
        """Run a trusted SPARQL update (no safety checks: internal and admin use only)."""
        raise NotImplementedError

    def select(self, sparql: str) -> list[list[Any]]:
        """Run a trusted SELECT over the union of all graphs; rows of pyoxigraph terms (or None)."""
        raise NotImplementedError

    def execute(self, sparql: str, fmt: str | None, timeout_s: float, max_results: int,
                lane: str = "main", cpu_limit_s: float | None = None) -> tuple[bytes, str]:
        """Evaluate an already-checked query under a time limit and result cap; serialised bytes.

        ``lane`` names the worker to use where a backend has several (see
        :data:`QUICK_LANE_MEMORY_DIVISOR`), and ``cpu_limit_s`` limits the CPU time it may use
        where the backend can measure it; backends that cannot ignore them."""
        raise NotImplementedError

    def quads(self) -> Iterable[Quad]:
        """Every quad in the store's named graphs."""
        raise NotImplementedError

    def close(self) -> None:
        """Release files, processes and connections."""

    def release(self) -> None:
        """Drop what the store caches in memory between uses; it reopens on the next call."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- shared behaviour -----------------------------------------------------
    def ensure_ontology(self) -> None:
        """Load ``ontology/councilkg.ttl`` into its own graph when missing or changed."""
        text, digest = _ontology_turtle()
        rows = self.select(
            f"SELECT ?h WHERE {{ GRAPH <{iris.ONTOLOGY_GRAPH}> "
            f"{{ <{iris.ONTOLOGY_IRI}> <{CK}contentHash> ?h }} }}"
        )
        if rows and rows[0][0] is not None and rows[0][0].value == digest:
            return
        quads = [
            Quad(q.subject, q.predicate, q.object, NamedNode(iris.ONTOLOGY_GRAPH))
            for q in parse(text, format=RdfFormat.TURTLE)
        ]
        quads.append(
            Quad(NamedNode(iris.ONTOLOGY_IRI), NamedNode(CK + "contentHash"), Literal(digest),
                 NamedNode(iris.ONTOLOGY_GRAPH))
        )
        self.update(f"DROP SILENT GRAPH <{iris.ONTOLOGY_GRAPH}> ;\n" + _insert_data(quads))

    def _names_in_paper(self, doc_id: str) -> set[tuple[str, str]]:
        """(entity, name) pairs the paper's stored graph names, as N-Triples terms."""
        graph = iris.paper_graph(doc_id)
        rows = self.select(f"SELECT ?e ?n WHERE {{ GRAPH <{graph}> {{ ?e <{CK}nameInPaper> ?n }} }}")
        return {(str(e), str(n)) for e, n in rows if e is not None and n is not None}

    def _labels(self, entity_iris: Iterable[str]) -> set[tuple[str, str]]:
        """(entity, label) pairs of these entities in the entities graph, as N-Triples terms."""
        rows = self.select(
            f"SELECT ?e ?l WHERE {{ VALUES ?e {{ {_values(entity_iris)} }} "
            f"GRAPH <{iris.ENTITIES_GRAPH}> {{ ?e <{RDFS}label> ?l }} }}"
        )
        return {(str(e), str(label)) for e, label in rows if e is not None and label is not None}

    def replace_paper(self, doc: Document, extraction: Extraction) -> PaperQuads:
        """Replace the paper's graph and refresh the canonical entities it touches, atomically."""
        built = paper_quads(doc, extraction)
        self._write(doc.doc_id, built)
        return built

    def remove_paper(self, doc_id: str) -> None:
        """Remove a paper's graph and the entity entries no other paper supports."""
        self._write(doc_id, None)

    def _write(self, doc_id: str, built: PaperQuads | None) -> None:
        """Drop the paper's graph, insert ``built`` and bring the touched entities up to date.

        An entity's ``skos:altLabel`` set is every name some paper gives it (``ck:nameInPaper``)
        other than its label. It is maintained incrementally: only the (entity, name) pairs this
        write can change are re-decided, each by an existence check, so a write costs the same
        whether 10 or 100,000 papers name a council (re-deriving the whole set from every paper
        made each write, and the build, grow with the corpus).
        """
        graph = iris.paper_graph(doc_id)
        old_names = self._names_in_paper(doc_id)
        old = {e[1:-1] for e, _ in old_names}
        new = built.entity_iris if built else set()
        name_p, label_p = f"<{CK}nameInPaper>", f"<{RDFS}label>"
        new_names = _pairs(built.paper if built else [], name_p)
        new_labels = _pairs(built.entities if built else [], label_p)
        # The pairs whose altLabel can change: names the paper gave or gives, and the old and new
        # labels of the entities whose label it may replace. Every other pair keeps its support
        # (other papers) and its comparison with the label, so it keeps its altLabel or lack of one.
        candidates = sorted(old_names | new_names | new_labels | (self._labels(new) if new else set()))
        ent, papers = iris.ENTITIES_GRAPH, iris.PAPER_GRAPH_PREFIX
        # Long VALUES lists and DATA blocks go out as several operations of at most
        # TRIPLES_PER_BLOCK rows (one update request still): Virtuoso's parser has a stack limit.
        ops = [f"DROP SILENT GRAPH <{graph}>"]
        for chunk in _chunks(sorted(new), TRIPLES_PER_BLOCK):
            # The newest extraction's label and kind win; identifiers and types accumulate.
            ops.append(
                f"DELETE {{ GRAPH <{ent}> {{ ?e ?p ?o }} }} WHERE {{ VALUES ?e {{ {_values(chunk)} }} "
                f"VALUES ?p {{ <{RDFS}label> <http://www.w3.org/ns/org#classification> }} "
                f"GRAPH <{ent}> {{ ?e ?p ?o }} }}"
            )
        if candidates:
            alt = [f"{e} <{SKOS}altLabel> {n} ." for e, n in candidates]
            ops.append(f"DELETE DATA {{\n{_graph_blocks({f'<{ent}>': alt})}\n}}")
        # The paper's content hash goes in last: where a server keeps the operations before a
        # failing one (Virtuoso's HTTP endpoint does), a half-written paper has no hash, so the
        # next build writes it again instead of taking it as done.
        hash_p = CK + "contentHash"
        paper_node = iris.paper_iri(doc_id)
        body, marker = [], []
        for q in built.all() if built else []:
            (marker if q.predicate.value == hash_p and q.subject.value == paper_node else body).append(q)
        if body:
            ops.append(_insert_data(body))
        named = f'GRAPH ?g {{ ?e {name_p} ?n }} FILTER(STRSTARTS(STR(?g), "{papers}"))'
        labelled = f"GRAPH <{ent}> {{ ?e {label_p} ?n }}"
        for chunk in _chunks(candidates, TRIPLES_PER_BLOCK):
            pairs = "\n".join(f"({e} {n})" for e, n in chunk)
            if self.exists_after_values:
                where = f"FILTER EXISTS {{ {named} }} FILTER NOT EXISTS {{ {labelled} }}"
            else:  # the same pairs by a join (one row per paper naming the pair) and MINUS
                where = f"{named} MINUS {{ {labelled} }}"
            ops.append(
                f"INSERT {{ GRAPH <{ent}> {{ ?e <{SKOS}altLabel> ?n }} }} WHERE {{ "
                f"VALUES (?e ?n) {{\n{pairs}\n}} {where} }}"
            )
        for chunk in _chunks(sorted(old - new), TRIPLES_PER_BLOCK):
            unnamed = f"{'FILTER NOT EXISTS' if self.exists_after_values else 'MINUS'} {{ {named} }}"
            ops.append(
                f"DELETE {{ GRAPH <{ent}> {{ ?e ?p ?o }} }} WHERE {{ VALUES ?e {{ {_values(chunk)} }} "
                f"GRAPH <{ent}> {{ ?e ?p ?o }} {unnamed} }}"
            )
        if marker:
            ops.append(_insert_data(marker))
        self.ensure_ontology()
        self.update(" ;\n".join(ops))
        self._changed()

    def _changed(self) -> None:
        """Hook: the store's content changed (the embedded store stamps its folder)."""

    def paper_hash(self, doc_id: str) -> str | None:
        """The content hash the paper's graph was built from, or None when it has no graph."""
        rows = self.select(
            f"SELECT ?h WHERE {{ GRAPH <{iris.paper_graph(doc_id)}> "
            f"{{ <{iris.paper_iri(doc_id)}> <{CK}contentHash> ?h }} }} LIMIT 1"
        )
        return rows[0][0].value if rows and rows[0][0] is not None else None

    def paper_hashes(self) -> dict[str, str]:
        """``doc_id -> content hash`` of every paper in the store."""
        rows = self.select(
            f"SELECT ?g ?h WHERE {{ GRAPH ?g {{ ?p a <{CK}Paper> ; <{CK}contentHash> ?h }} }}"
        )
        out = {}
        for g, h in rows:
            doc_id = iris.doc_id_of_graph(g.value)
            if doc_id is not None:
                out[doc_id] = h.value
        return out

    def query(self, sparql: str, format: str | None = "json") -> tuple[bytes, str]:  # noqa: A002
        """Run a read-only query safely (see :func:`kg.query.run_query`)."""
        from kg.query import run_query

        return run_query(self, sparql, format, self.settings)

    def export(self, fmt: str = "trig") -> bytes:
        """A full dump: trig, nquads and jsonld keep named graphs; turtle and ntriples merge them."""
        if fmt not in EXPORT_FORMATS:
            raise CouncilKGError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
        rdf_format = EXPORT_FORMATS[fmt]
        quads = list(self.quads())
        prefixes = PREFIXES if rdf_format in (RdfFormat.TRIG, RdfFormat.TURTLE) else None
        if rdf_format.supports_datasets:
            return serialize(quads, format=rdf_format, prefixes=prefixes) or b""
        triples = list({Triple(q.subject, q.predicate, q.object) for q in quads})
        return serialize(triples, format=rdf_format, prefixes=prefixes) or b""

    def validate(self) -> ValidationReport:
        """Check every graph except the ontology against ``ontology/shapes.ttl`` with pyshacl."""
        import pyshacl
        from rdflib import Graph

        triples = {
            Triple(q.subject, q.predicate, q.object)
            for q in self.quads()
            if q.graph_name.value != iris.ONTOLOGY_GRAPH
        }
        data = Graph()
        data.parse(data=(serialize(list(triples), format=RdfFormat.N_TRIPLES) or b"").decode(), format="nt")
        count = len(data)
        data.parse(ONTOLOGY_DIR / "councilkg.ttl", format="turtle")  # concept schemes for sh:class
        shapes = Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")
        conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
        return ValidationReport(bool(conforms), str(text), count)

    def count_quads(self) -> int:
        """Number of quads in the store."""
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0][0].value)


FLUSH_EVERY_UPDATES = 8
"""The embedded store flushes its in-memory tables to disk after this many updates (papers).

A paper's quads take ~1 MB of RocksDB memory tables until flushed. Writing 64 papers into a
10,000-paper store from a fresh process: 166-168 MB RSS flushing every 32, 137-140 every 8,
no better every 2 or 4, and no slower (BENCHMARKS.md)."""
REOPEN_EVERY_UPDATES = 64
"""…and closes (to reopen on the next write) after this many, which returns RocksDB's memory.

RocksDB's block caches and table readers fill as a build writes; left open for 512 papers the
store held ~100 MB more than just after opening, and the peak rose with the database. Closing
every 64 costs one reopen (milliseconds) and keeps the peak near the floor (BENCHMARKS.md)."""

QUICK_LANE_MEMORY_DIVISOR = 4
"""The ``quick`` query lane's worker gets ``query_memory_mb`` divided by this: it only runs queries
under a short time limit, and it may be at its cap while the main lane's worker is at its own."""


def release_free_memory() -> None:
    """Hand memory freed by native code (RocksDB) back to the OS where the C library allows it.

    glibc keeps freed blocks in its arenas for reuse; after closing a store that is tens of
    MB that RSS would still count. Elsewhere (macOS, musl) this does nothing.
    """
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


class EmbeddedGraphStore(GraphStore):
    """Oxigraph (RocksDB) on disk at ``<data_dir>/graph``; queries run in a killable worker."""

    def __init__(self, settings: Settings, path: Path | None = None) -> None:
        super().__init__(settings)
        self.path = path or settings.data_path / "graph"
        self.stamp_path = self.path.with_name(self.path.name + ".stamp")
        self._rw: Store | None = None
        self._ro: tuple[str, Store] | None = None
        self._workers: dict[str, Any] = {}
        self._updates = 0
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer()
            self.ensure_ontology()
            self.release()

    def _writer(self) -> Store:
        if self._rw is None:
            self._ro = None
            try:
                self._rw = Store(str(self.path))
            except OSError as exc:
                raise CouncilKGError(
                    f"graph store {self.path} cannot be opened for writing (is another councilkg build "
                    f"running?): {str(exc).splitlines()[0]}"
                ) from None
        return self._rw

    def _reader(self) -> Store:
        if self._rw is not None:
            return self._rw
        stamp = self._stamp()
        if self._ro is None or self._ro[0] != stamp:
            self._ro = None
            try:
                self._ro = (stamp, Store.read_only(str(self.path)))
            except OSError as exc:
                reason = str(exc).splitlines()[0]
                raise CouncilKGError(f"graph store {self.path} cannot be read: {reason}") from None
        return self._ro[1]

    def _stamp(self) -> str:
        try:
            return self.stamp_path.read_text(encoding="utf-8")
        except OSError:
            return ""

    def _changed(self) -> None:
        self.stamp_path.write_text(f"{time.time_ns()}", encoding="utf-8")

    def update(self, sparql: str) -> None:
        """Run a trusted SPARQL update in one transaction."""
        writer = self._writer()
        try:
            writer.update(sparql)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL update syntax error: {str(exc).splitlines()[0]}") from None
        self._updates += 1
        if self._updates % REOPEN_EVERY_UPDATES == 0:
            # An open RocksDB also holds ~100 KB more per paper written (table and cache memory);
            # closing returns it, and the next write reopens the store.
            writer.flush()
            del writer
            self.release()
        elif self._updates % FLUSH_EVERY_UPDATES == 0:
            # RocksDB keeps written data in memory tables until it flushes them; left alone they
            # grew by ~1 MB per paper over a long build. Flushing now and then keeps memory flat,
            # and handing the freed tables back to the OS keeps RSS near what is in use (writing
            # 48 papers into a 10,000-paper store: 104 MB instead of 129).
            writer.flush()
            release_free_memory()
        self._changed()

    def select(self, sparql: str) -> list[list[Any]]:
        """Run a trusted SELECT in this process (no time limit)."""
        result = self._reader().query(sparql, use_default_graph_as_union=True)
        names = [v.value for v in result.variables]
        return [[row[v] for v in names] for row in result]

    def execute(self, sparql: str, fmt: str | None, timeout_s: float, max_results: int,
                lane: str = "main", cpu_limit_s: float | None = None) -> tuple[bytes, str]:
        """Evaluate in the lane's worker process, killed at ``timeout_s`` (or ``cpu_limit_s``).

        Lane ``main`` has the memory cap ``query_memory_mb``; lane ``quick`` (for short
        queries tried first, see ``web.security.QueryLanes``) a quarter of it, so that both
        at their caps stay within what the one cap promised plus a little."""
        from kg.query_process import QueryProcess

        if self._rw is not None:
            self._rw.flush()
        worker = self._workers.get(lane)
        if worker is None:
            memory_mb = int(self.settings.query_memory_mb)
            if lane != "main":
                memory_mb = max(1, memory_mb // QUICK_LANE_MEMORY_DIVISOR) if memory_mb > 0 else 0
            worker = self._workers[lane] = QueryProcess(self.path, memory_mb)
        return worker.run(sparql, fmt, timeout_s, max_results, self._stamp(), cpu_limit_s)

    def quads(self) -> Iterable[Quad]:
        """Every quad in named graphs."""
        quads = self._reader().quads_for_pattern(None, None, None)
        return [q for q in quads if isinstance(q.graph_name, NamedNode)]

    def bulk_load_nquads(self, data: bytes) -> None:
        """Load N-Quads with Oxigraph's bulk loader (no transaction; benchmarks and restores)."""
        self._writer().bulk_load(data, format=RdfFormat.N_QUADS)
        self._changed()

    def release(self) -> None:
        """Close the on-disk store (RocksDB's caches with it) so that another process may write it."""
        self._rw = None
        self._ro = None
        gc.collect()
        release_free_memory()

    def close(self) -> None:
        """Stop the query worker and close the store."""
        for worker in self._workers.values():
            worker.close()
        self._workers.clear()
        if self._rw is not None:
            self._rw.flush()
        self.release()


class RemoteGraphStore(GraphStore):
    """A SPARQL 1.1 endpoint with update: ``oxigraph serve --union-default-graph`` or Virtuoso.

    ``graph_store`` is either a server root (Oxigraph layout: ``/query`` and ``/update``) or
    one endpoint URL ending in ``sparql`` (or Virtuoso's ``sparql-auth``) that takes both
    queries and updates. The server should treat its default graph as the union of named
    graphs, as the embedded store does (Virtuoso does so by default). Credentials go in the
    URL (``http://user:password@host:8890/sparql-auth``); they answer the server's digest or
    basic challenge and never appear in messages.

    Virtuoso is recognised by its ``Server`` header (or forced with a ``virtuoso+http(s)://``
    URL) and gets its dialect: updates carry ``define sql:big-data-const 1`` (without it a
    paper's INSERT DATA exceeds its SQL code limits), booleans come back as ``true``/``false``
    (it answers ``1``/``0``), a result cut at its ``ResultSetMaxRows`` or its time limit is an
    error instead of a silently short answer, and a deadlocked write is retried
    (docs/virtuoso.md).

    The time limit here stops councilkg waiting (the request is dropped with a one-line
    :class:`QueryTimeout`); stopping the evaluation itself is the server's job (councilkg
    passes Virtuoso its ``timeout``). Measured with ``oxigraph serve --timeout-s`` (0.5): an
    aggregate over a cross join keeps a core busy after the server's own limit, so expose such
    a server only behind councilkg's checks.
    """

    def __init__(self, settings: Settings, url: str) -> None:
        super().__init__(settings)
        url = url.strip().rstrip("/")
        self.virtuoso: bool | None = None  # None: not known until the server answers
        if url.startswith("virtuoso+"):
            url, self.virtuoso = url[len("virtuoso+"):], True
        parts = urllib.parse.urlsplit(url)
        self._user = urllib.parse.unquote(parts.username or "")
        password = urllib.parse.unquote(parts.password or "")
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        self.url = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
        if self.url.endswith("/query"):
            self.query_url, self.update_url = self.url, self.url[: -len("/query")] + "/update"
        elif self.url.endswith(("sparql", "sparql-auth")):
            self.query_url = self.update_url = self.url
        else:
            self.query_url, self.update_url = self.url + "/query", self.url + "/update"
        handlers: list[urllib.request.BaseHandler] = []
        if self._user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, self.url, self._user, password)
            handlers += [urllib.request.HTTPDigestAuthHandler(passwords),
                         urllib.request.HTTPBasicAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    @property
    def exists_after_values(self) -> bool:
        """False on Virtuoso (see :attr:`GraphStore.exists_after_values`)."""
        return not self.virtuoso

    def _where(self) -> str:
        """How messages name the store: its URL (no password) and the setting it came from."""
        return f"graph store {self.url} (setting graph_store)"

    def _post(
        self, url: str, body: bytes, content_type: str, accept: str, timeout_s: float
    ) -> tuple[bytes, str, Any]:
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": content_type, "Accept": accept},
        )
        try:
            with self._opener.open(request, timeout=timeout_s) as response:
                if self.virtuoso is None:
                    self.virtuoso = response.headers.get("Server", "").startswith("Virtuoso")
                return response.read(), response.headers.get("Content-Type", ""), response.headers
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip().splitlines()
            first = detail[0] if detail else exc.reason
            if exc.code == 401:
                who = f"the credentials of user {self._user!r}" if self._user else "a request without a user"
                raise QueryError(f"{self._where()} refused {who} (401)", status=502) from None
            if "SR186" in str(first) or "No permission" in str(first):
                first = (f"{first} (give the user the SPARQL_UPDATE role, or use /sparql-auth with a "
                         "user that has it: docs/virtuoso.md)")
            if "40001" in str(first):
                raise _Deadlock(str(first)) from None
            raise QueryError(f"{self._where()} answered {exc.code}: {first}") from None
        except TimeoutError:
            raise QueryTimeout(f"{self._where()} gave no answer within {timeout_s:g} s") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise QueryTimeout(f"{self._where()} gave no answer within {timeout_s:g} s") from None
            raise CouncilKGError(f"{self._where()} is unreachable: {reason}", status=502) from None

    def _query_result(self, sparql: str, timeout_s: float) -> Any:
        # A URL-encoded form, not a raw application/sparql-query body: Virtuoso 7.2 never
        # answers the latter (the request hangs), and every SPARQL 1.1 server takes the former.
        fields = {"query": sparql}
        if self.virtuoso is None and sparql != PROBE_QUERY:
            self._query_result(PROBE_QUERY, timeout_s)  # learn the dialect from the answer's Server header
        wait_s = timeout_s
        if self.virtuoso:
            # The server stops the query at the limit and councilkg waits a little longer for
            # its flagged answer (it overran the limit by 0.5-1 s on a busy box), so the server
            # is not left evaluating a query nobody waits for.
            fields["timeout"] = str(max(1, int(timeout_s * 1000)))
            wait_s = timeout_s * 1.5 + 2
        body, content_type, headers = self._post(
            self.query_url, urllib.parse.urlencode(fields).encode("utf-8"),
            "application/x-www-form-urlencoded",
            "application/sparql-results+json, application/n-triples;q=0.9", wait_s,
        )
        self._check_complete(headers, timeout_s)
        media = content_type.split(";")[0].strip()
        if media == "application/n-triples":
            return [Triple(q.subject, q.predicate, _canonical(q.object))
                    for q in parse(body, format=RdfFormat.N_TRIPLES)]
        if media in {"application/sparql-results+json", "application/json"}:
            if self.virtuoso:
                body = _canonical_json(body)
            return parse_query_results(body, format=QueryResultsFormat.JSON)
        raise QueryError(f"{self._where()} answered with unexpected media type {media!r}")

    def _check_complete(self, headers: Any, timeout_s: float) -> None:
        """Refuse an answer Virtuoso cut short: it says so in headers, not in the status."""
        state = headers.get("X-SQL-State", "")
        if state == "S1TAT":  # its "anytime" answer: what it found before the time limit
            raise QueryTimeout(f"{self._where()} stopped the query at its time limit "
                               f"({timeout_s:g} s or the server's MaxQueryExecutionTime)")
        cap = headers.get("X-SPARQL-MaxRows")
        if cap:
            raise QueryError(f"{self._where()} cut the answer at {cap} rows (its ResultSetMaxRows): "
                             "raise that setting in virtuoso.ini (docs/virtuoso.md)")

    def update(self, sparql: str) -> None:
        """POST a SPARQL update to the endpoint (retried where Virtuoso reports a deadlock)."""
        timeout_s = max(60.0, float(self.settings.query_timeout_s))
        if self.virtuoso is None:
            self.select(PROBE_QUERY)  # learn the dialect before the first write
        text = f"define sql:big-data-const 1\n{sparql}" if self.virtuoso else sparql
        for attempt in range(DEADLOCK_RETRIES + 1):
            try:
                self._post(self.update_url, text.encode("utf-8"), "application/sparql-update; charset=utf-8",
                           "*/*", timeout_s)
                return
            except _Deadlock as exc:
                # Virtuoso rolled the whole request back; another writer held the rows.
                if attempt == DEADLOCK_RETRIES:
                    raise QueryError(f"{self._where()} answered: {exc}") from None
                time.sleep(0.2 * (attempt + 1))
            except QueryError as exc:
                if not (self.virtuoso and "not translated to an accurate SQL text" in str(exc)):
                    raise
                # With big-data-const, any failure while executing reads like this; a no-op
                # update without it says what failed where it is the usual one (no permission).
                probe = f"DROP SILENT GRAPH <{GRAPH_PREFIX}councilkg-write-probe>"
                self._post(self.update_url, probe.encode("utf-8"), "application/sparql-update; charset=utf-8",
                           "*/*", timeout_s)
                raise QueryError(f"{self._where()} failed while running the update (Virtuoso does not say "
                                 "which operation; see its virtuoso.log)") from None

    def select(self, sparql: str) -> list[list[Any]]:
        """Run a trusted SELECT on the endpoint."""
        result = self._query_result(sparql, max(60.0, self.settings.query_timeout_s))
        if isinstance(result, QueryBoolean):
            return [[result]]
        names = [v.value for v in result.variables]
        return [[row[v] for v in names] for row in result]

    def execute(self, sparql: str, fmt: str | None, timeout_s: float, max_results: int,
                lane: str = "main", cpu_limit_s: float | None = None) -> tuple[bytes, str]:
        """Evaluate on the server (its own timeout applies too) and re-serialise under the cap."""
        from kg.results import serialise

        return serialise(self._query_result(sparql, timeout_s), fmt, max_results)

    def quads(self) -> Iterable[Quad]:
        """Every quad in councilkg's named graphs, read with one SELECT.

        Only councilkg's graphs: a Virtuoso database also holds the server's own (``virtrdf#``)."""
        rows = self.select(
            "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{GRAPH_PREFIX}")) }}'
        )
        return [Quad(s, p, o, g) for s, p, o, g in rows]

    def count_quads(self) -> int:
        """Number of quads in councilkg's named graphs."""
        rows = self.select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{GRAPH_PREFIX}")) }}'
        )
        return int(rows[0][0].value)


PROBE_QUERY = "ASK {}"
GRAPH_PREFIX = iris.ID + "graph/"
"""Every graph councilkg writes (papers, entities, runs, ontology) has an IRI under this."""
DEADLOCK_RETRIES = 3
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


class _Deadlock(Exception):
    """Virtuoso's 40001: the transaction was rolled back to break a deadlock; retry it."""


def _canonical(term: Any) -> Any:
    """A boolean literal in its canonical form (Virtuoso writes ``1``/``0``)."""
    if isinstance(term, Literal) and term.datatype.value == XSD_BOOLEAN and term.value in {"1", "0"}:
        return Literal("true" if term.value == "1" else "false", datatype=term.datatype)
    return term


def _canonical_json(body: bytes) -> bytes:
    """SPARQL JSON results with booleans written ``true``/``false`` (see :func:`_canonical`)."""
    import json

    data = json.loads(body)
    for binding in data.get("results", {}).get("bindings", []):
        for term in binding.values():
            if term.get("datatype") == XSD_BOOLEAN and term.get("value") in {"1", "0"}:
                term["value"] = "true" if term["value"] == "1" else "false"
    return json.dumps(data).encode("utf-8")


def open_graph_store(settings: Settings) -> GraphStore:
    """The store the settings choose: remote when ``graph_store`` is a URL, else embedded on disk."""
    url = (settings.graph_store or "").strip()
    if url:
        if not url.startswith(("http://", "https://", "virtuoso+http://", "virtuoso+https://")):
            shown = re.sub(r"//[^/@]*@", "//", url)  # never echo a password
            raise CouncilKGError(f"setting graph_store: {shown!r} is not an http(s) URL")
        return RemoteGraphStore(settings, url)
    return EmbeddedGraphStore(settings)


def open_existing_graph_store(settings: Settings) -> GraphStore:
    """The store, for reading only: a data directory without an embedded graph is a one-line
    :class:`NotFound` (nothing is created, unlike :func:`open_graph_store`, which builds use)."""
    if not (settings.graph_store or "").strip() and not (settings.data_path / "graph").exists():
        raise NotFound(f"no papers in {settings.data_path}: run `councilkg build PATH` first")
    return open_graph_store(settings)


__all__ = [
    "EXPORT_FORMATS", "EmbeddedGraphStore", "GraphStore", "RemoteGraphStore", "ValidationReport",
    "open_existing_graph_store", "open_graph_store",
]
