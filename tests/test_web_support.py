"""Shared pieces of the web tests: a graph store over a small TriG fixture following the RDF
contract, two made-up papers whose offsets match that graph's evidence, a small keyword
search index, and an app built from them."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from corpus.models import Block, Cell, Document, Metadata, Table
from councilkg.errors import QueryError
from councilkg.settings import Settings
from kg.results import serialise
from kg.store import GraphStore
from search.models import SearchPage, SearchResult

GRAPH_FIXTURE = Path(__file__).parent / "data" / "web" / "graph.trig"
ID = "https://w3id.org/councilkg/id/"
HOME_CARE = ID + "service/home-care"
EXAMPLE_QUERY = """# Papers and their dates
PREFIX ck: <https://w3id.org/councilkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?paper ?date WHERE { ?paper a ck:Paper ; dcterms:date ?date } ORDER BY ?date
"""


class FixtureGraphStore(GraphStore):
    """The kg store interface over an in-memory pyoxigraph store loaded from the TriG fixture
    (queries see the union of the named graphs, as in the embedded store; no worker process)."""

    def __init__(self, settings: Settings | None = None, path: Path = GRAPH_FIXTURE) -> None:
        super().__init__(settings or Settings.load(environ={}))
        self.store = ox.Store()
        self.store.load(path=str(path), format=ox.RdfFormat.TRIG)

    def select(self, sparql: str) -> list[list[Any]]:
        result = self.store.query(sparql, use_default_graph_as_union=True)
        names = [v.value for v in result.variables]
        return [[row[v] for v in names] for row in result]

    def execute(self, sparql: str, fmt: str | None, timeout_s: float, max_results: int,
                lane: str = "main", cpu_limit_s: float | None = None) -> tuple[bytes, str]:
        from kg.query import declares_dataset

        try:  # as the embedded store's worker does: a query naming its graphs runs on those
            result = self.store.query(sparql, use_default_graph_as_union=not declares_dataset(sparql))
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {str(exc).splitlines()[0]}") from None
        return serialise(result, fmt, max_results)


def _build(doc_id: str, pieces: list[tuple[int, str, str, tuple[str, ...]]], meta: Metadata) -> Document:
    """A Document with each ``(start, kind, text, headers)`` block placed at ``start``."""
    text = ""
    blocks: list[Block] = []
    tables: list[Table] = []
    section = ""
    for start, kind, content, headers in pieces:
        assert len(text) <= start, (doc_id, start)
        text += "\n" * (start - len(text))
        if kind == "heading":
            section = content
        if kind == "table_row":
            table_id = len(tables)
            cells, pos = [], start
            for header, value in zip(headers, content.split("\t"), strict=True):
                cells.append(Cell(header, value, pos, pos + len(value)))
                pos += len(value) + 1
            blocks.append(Block("table_row", start, start + len(content), content, section=section,
                                table_id=table_id, row=0, cells=tuple(cells)))
            tables.append(Table(table_id, headers, start, start + len(content)))
        else:
            blocks.append(Block(kind, start, start + len(content), content, section=section,
                                level=1 if kind == "heading" else 0))
        text += content
    text += "\n"
    for b in blocks:
        assert text[b.start:b.end] == b.text
    return Document(doc_id, f"{doc_id}.txt", "0" * 64, text, blocks, tables, meta)


def fixture_documents() -> dict[str, Document]:
    """The two papers the graph fixture points into (its quotes sit at its offsets)."""
    headers = ("Service", "Funding Source", "Finances in Scope")
    city = _build("city-2017", [
        (0, "heading", "Summary", ()),
        (10, "paragraph", "The City Council and the CCG jointly commission Home Care.", ()),
        (70, "paragraph", "Note <script>alert(1)</script> here.", ()),
        (120, "table_row", "Home Care\tBetter Care Fund\t£1.2m <b>continuing</b>", headers),
    ], Metadata(authority="Nottingham City Council", date="2017-03-14",
                committee="Health and Wellbeing Board", title="Better Care Fund Plan 2017-19",
                document_type="committee report"))
    county = _build("county-2019", [
        (0, "heading", "Commissioning intentions", ()),
        (30, "paragraph", "Reablement will continue to be provided by the county's own team.", ()),
        (200, "paragraph", "Home Care will be re-procured with £1.5m from the BCF.", ()),
    ], Metadata(authority="Nottinghamshire County Council", date="2019-07-09",
                committee="Adult Social Care Committee", title="Adult Social Care Commissioning Intentions",
                document_type="committee report"))
    return {d.doc_id: d for d in (city, county)}


class FixtureCorpus:
    """The corpus store's read side over :func:`fixture_documents`."""

    def __init__(self) -> None:
        self.docs = fixture_documents()

    def get(self, doc_id: str) -> Document:
        return self.docs[doc_id]


class KeywordIndex:
    """A tiny stand-in for the search index: passages ranked by shared words."""

    def __init__(self, docs: dict[str, Document]) -> None:
        self.passages = [(d, b) for d in docs.values() for b in d.blocks if b.kind != "heading"]

    def search(self, query: str, k: int = 10, filters: Any = None, offset: int = 0) -> list[SearchResult]:
        words = {w.lower() for w in re.findall(r"\w+", query) if len(w) > 2}
        ranked = []
        for doc, block in self.passages:
            meta = doc.metadata
            if filters is not None:
                if filters.authority and filters.authority.lower() not in (meta.authority or "").lower():
                    continue
                if filters.from_year and (meta.year or 0) < filters.from_year:
                    continue
                if filters.to_year and (meta.year or 9999) > filters.to_year:
                    continue
            hits = [(m.start() + block.start, m.end() + block.start) for m in re.finditer(r"\w+", block.text)
                    if m.group().lower() in words]
            if hits:
                ranked.append(SearchResult(
                    block.text, float(len(hits)), doc.doc_id, doc.file_name, meta.authority, meta.date,
                    block.start, block.end, block.section, meta.committee, meta.document_type, block.kind,
                    hits,
                ))
        ranked.sort(key=lambda r: (-r.score, r.doc_id, r.start))
        return ranked[offset:offset + k]

    def search_page(self, query: str, k: int = 10, filters: Any = None, offset: int = 0,
                    sort: str = "relevance") -> SearchPage:
        """The stand-in's page: every match counts, facets by authority and year."""
        ranked = self.search(query, k=1000, filters=filters)
        if sort == "date":
            ranked.sort(key=lambda r: r.date or "", reverse=True)
        facets = {
            "authority": Counter(r.authority for r in ranked if r.authority).most_common(),
            "year": Counter(r.date[:4] for r in ranked if r.date).most_common(),
        }
        return SearchPage(query, ranked[offset:offset + k], total=len(ranked), facets=facets,
                          good_match=bool(ranked))


def make_app(tmp_path: Path, **settings: Any) -> Any:
    """The explorer over the fixtures, with one competency query as the example."""
    from web import create_app

    queries = tmp_path / "queries"
    queries.mkdir(exist_ok=True)
    (queries / "papers_by_date.rq").write_text(EXAMPLE_QUERY, encoding="utf-8")
    corpus = FixtureCorpus()
    app_settings = Settings.load({"data_dir": str(tmp_path / "data"), **settings}, environ={})
    return create_app({
        "TESTING": True,
        "SETTINGS": app_settings,
        "GRAPH_STORE": FixtureGraphStore(app_settings),
        "SEARCH_INDEX": KeywordIndex(corpus.docs),
        "CORPUS_STORE": corpus,
        "QUERIES_DIR": str(queries),
    })


def test_fixture_quotes_match_paper_text() -> None:
    """The graph fixture's evidence quotes are the papers' words at its offsets."""
    docs = fixture_documents()
    rows = FixtureGraphStore().select("""PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?src ?start ?end ?exact WHERE { ?ev oa:hasSource ?src ; oa:hasSelector ?p, ?q .
          ?p oa:start ?start ; oa:end ?end . ?q oa:exact ?exact }""")
    checked = 0
    for src, start, end, exact in rows:
        doc = docs[src.value.rsplit("/", 1)[-1]]
        assert doc.text[int(start.value):int(end.value)] == exact.value
        checked += 1
    assert checked >= 4


def built_samples(tmp_path_factory: Any) -> Path:
    """A data dir holding the bundled samples built as ``councilkg demo`` builds them, once per
    test session (the build is incremental: a second caller finds it done), or the dir named by
    ``COUNCILKG_WEB_SAMPLES_DATA`` when given."""
    import os

    given = os.environ.get("COUNCILKG_WEB_SAMPLES_DATA")
    if given:
        return Path(given)
    from web.server import build_samples

    folder = tmp_path_factory.getbasetemp() / "web-samples-build" / "data"
    lines: list[str] = []
    build_samples(Settings.load({"data_dir": str(folder)}, environ={}), announce=lines.append)
    assert not any(line.startswith("failed") for line in lines), lines
    return folder


@contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve the WSGI ``app`` with waitress on a free loopback port; yields its base URL."""
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


def samples_app(tmp_path_factory: Any) -> Iterator[Any]:
    """The explorer app over :func:`built_samples`, closed afterwards (for module-scoped fixtures)."""
    from councilkg.settings import Settings
    from web import close_app, create_app

    settings = Settings.load({"data_dir": str(built_samples(tmp_path_factory))}, environ={})
    application = create_app({"TESTING": True, "SETTINGS": settings})
    yield application
    close_app(application)
