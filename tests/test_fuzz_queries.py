"""Fuzzing the query entry points: search strings and SPARQL end in results or clean errors.

Search runs over a small index built from synthetic papers with a hashing encoder (so the
fuzzing exercises query cleaning, keyword expressions, filters and paging without loading
a model), plus a slow run through the real encoder. SPARQL strings (random text and
hostile templates: updates, LOAD/SERVICE, cross products, runaway regexes) go through the
graph store's guarded ``query``; each ends in a result or a :class:`CouncilKGError`, and the
graph is unchanged afterwards. Examples are bounded and a hard alarm turns a hang into a
failure.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fuzz_support import hard_time_limit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.synth_papers import write_corpus
from corpus.models import example_document
from councilkg.errors import CouncilKGError
from councilkg.settings import Settings
from nlp.models import example_extraction

HARD_LIMIT_S = 30

FUZZ = settings(
    max_examples=60,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _documents(folder: Path, count: int) -> list[Any]:
    """The example document plus synthetic papers loaded by the corpus layer (when it exists)."""
    docs = [example_document()]
    load_document = getattr(importlib.import_module("corpus"), "load_document", None)
    if load_document is not None:
        docs += [load_document(path) for path in write_corpus(folder, count, seed=31)]
    return docs


QUERY_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from(
            [
                '"',
                "'",
                "*",
                "(",
                ")",
                "AND",
                "OR",
                "NOT",
                "NEAR",
                ":",
                "^",
                "-",
                "+",
                "{",
                "}",
                "%",
                "_",
                "\\",
                "\x00",
                "\u202e",
                "💷",
                "£1.2m",
                "home care",
                "BCF",
                "Better Care Fund",
                "2019/20",
                "SELECT",
                "<script>",
                "' OR 1=1 --",
                "col:term",
                "a" * 500,
                " ",
                "\t",
                "\n",
            ]
        ),
        max_size=20,
    ).map(" ".join),
)


# ----------------------------------------------------------------------------- search


class HashingEncoder:
    """A deterministic stand-in for the sentence encoder: hashed word counts, unit length."""

    model_name = "fuzz-hashing-encoder"
    dimension = 64

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[
                    row, int(hashlib.md5(word.encode("utf-8", "replace")).hexdigest(), 16) % self.dimension
                ] += 1
            norm = float(np.linalg.norm(out[row]))
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0
        return out


@pytest.fixture(scope="module")
def search_index(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not _has("search.index"):
        pytest.skip("search.index has not landed yet")
    from search.index import SearchIndex

    folder = tmp_path_factory.mktemp("fuzz-search")
    index = SearchIndex(Settings.load({"data_dir": str(folder / "data")}), encoder=HashingEncoder())
    documents = _documents(folder / "papers", 6)
    index.update(documents)
    index.fuzz_documents = {doc.doc_id: doc for doc in documents}
    yield index
    index.close()


def _search_or_clean_error(index: Any, query: str, **kwargs: Any) -> list[Any] | None:
    try:
        with hard_time_limit(HARD_LIMIT_S):
            results = index.search(query, **kwargs)
    except CouncilKGError as exc:
        assert exc.message and "\n" not in exc.message
        return None
    assert isinstance(results, list)
    return results


@FUZZ
@given(query=QUERY_TEXT)
def test_search_any_query_string(search_index: Any, query: str) -> None:
    results = _search_or_clean_error(search_index, query)
    for result in results or []:
        # Whatever the query, a result quotes its paper exactly and scores a real number.
        doc = search_index.fuzz_documents[result.doc_id]
        assert doc.text[result.start : result.end] == result.text
        assert np.isfinite(result.score)
        for start, end in result.highlights:
            assert result.start <= start <= end <= result.end


@FUZZ
@given(
    query=QUERY_TEXT,
    k=st.integers(-5, 10**6),
    offset=st.integers(-5, 10**6),
    mode=st.sampled_from(["hybrid", "dense", "keyword", "", "HYBRID", "sparql", "\x00"]),
)
def test_search_any_paging_and_mode(search_index: Any, query: str, k: int, offset: int, mode: str) -> None:
    results = _search_or_clean_error(search_index, query, k=k, offset=offset, mode=mode)
    if results is not None:
        assert len(results) <= max(k, 0)


@FUZZ
@given(
    query=QUERY_TEXT,
    authority=st.one_of(st.none(), st.text(max_size=40)),
    from_year=st.one_of(st.none(), st.integers(-(10**9), 10**9)),
    to_year=st.one_of(st.none(), st.integers(-(10**9), 10**9)),
    committee=st.one_of(st.none(), st.text(max_size=40)),
    entity=st.one_of(st.none(), st.text(max_size=60)),
)
def test_search_any_filters(
    search_index: Any,
    query: str,
    authority: str | None,
    from_year: int | None,
    to_year: int | None,
    committee: str | None,
    entity: str | None,
) -> None:
    from search.models import SearchFilters

    filters = SearchFilters(
        authority=authority, from_year=from_year, to_year=to_year, committee=committee, entity=entity
    )
    _search_or_clean_error(search_index, query, filters=filters)


@pytest.mark.slow
def test_search_with_the_real_encoder_survives_hostile_queries(tmp_path: Path) -> None:
    if not _has("search.index"):
        pytest.skip("search.index has not landed yet")
    from search.index import SearchIndex

    index = SearchIndex(Settings.load({"data_dir": str(tmp_path / "data")}))
    index.update(_documents(tmp_path / "papers", 2))
    hostile = [
        "💷" * 3000,
        "\x00\x01\x02",
        '"unbalanced',
        "NEAR(home care",
        "*",
        " \t\n ",
        "a" * 100_000,
        "\u202etxet desrever",
        "' OR 1=1 --",
        "home care funded by the better care fund",
    ]
    for query in hostile:
        _search_or_clean_error(index, query)
    assert _search_or_clean_error(index, "home care funded by the better care fund")
    index.close()


# ----------------------------------------------------------------------------- SPARQL

SPARQL_TEMPLATES = st.sampled_from(
    [
        "SELECT * WHERE {{ ?s ?p ?o }} LIMIT {n}",
        'SELECT * WHERE {{ ?s ?p ?o . FILTER(regex(str(?o), "{text}")) }}',
        "SELECT * WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }}",
        "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        'ASK {{ ?s ?p "{text}" }}',
        "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }} OFFSET {n}",
        "DESCRIBE <{text}>",
        'INSERT DATA {{ <urn:fuzz:s> <urn:fuzz:p> "{text}" }}',
        "DELETE WHERE {{ ?s ?p ?o }}",
        "CLEAR ALL",
        "DROP ALL",
        "LOAD <http://127.0.0.1:9/{text}>",
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:9/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?s ?p ?o }} ORDER BY {text}",
        "PREFIX x: <{text}> SELECT * {{ ?s x:p ?o }}",
        "SELECT * WHERE {{ ?s (<urn:p>|!<urn:q>)* ?o }}",
        "{text}",
    ]
)

SPARQL_TEXT = st.one_of(
    st.text(max_size=400),
    st.builds(
        lambda template, n, text: template.format(n=n, text=text),
        SPARQL_TEMPLATES,
        st.integers(-(10**12), 10**12),
        st.text(max_size=60),
    ),
)


@pytest.fixture(scope="module")
def graph_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not _has("kg.store"):
        pytest.skip("kg.store has not landed yet")
    from kg.store import open_graph_store

    folder = tmp_path_factory.mktemp("fuzz-graph")
    store = open_graph_store(
        Settings.load({"data_dir": str(folder / "data"), "query_timeout_s": 2.0, "query_max_results": 2000})
    )
    store.replace_paper(example_document(), example_extraction())
    yield store
    close = getattr(store, "close", None)
    if close is not None:
        close()


def _graph_size(store: Any) -> int:
    if hasattr(store, "count_quads"):
        return int(store.count_quads())
    from kg.browse import select

    rows = select(store, "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
    return int(rows[0]["n"])


@FUZZ
@given(sparql=SPARQL_TEXT)
def test_sparql_any_string(graph_store: Any, sparql: str) -> None:
    before = _graph_size(graph_store)
    try:
        with hard_time_limit(HARD_LIMIT_S):
            graph_store.query(sparql)
    except CouncilKGError as exc:
        assert exc.message and "\n" not in exc.message
    assert _graph_size(graph_store) == before, "a query changed the graph"


def test_sparql_updates_are_refused(graph_store: Any) -> None:
    before = _graph_size(graph_store)
    for update in ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "DELETE WHERE { ?s ?p ?o }", "DROP ALL"):
        with pytest.raises(CouncilKGError):
            graph_store.query(update)
    assert _graph_size(graph_store) == before > 0
