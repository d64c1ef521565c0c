"""The PostgreSQL keyword index scores exactly as SQLite FTS5 does (BM25 of words, phrases, NEAR),
and a search on either back end gives the same answers."""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from test_search_index import CountingEncoder, papers

from councilkg.settings import Settings
from search.bm25 import Postings
from search.index import GENERATION_TTL_S, TOKENIZE, SearchIndex
from search.models import SearchFilters
from search.pg_keywords import (
    SHIFT,
    Positions,
    Tokenizer,
    expression_scores,
    near_instances,
    parse_expression,
    vector_scores,
)

EXPRESSIONS = [
    '"w1"',
    '"w3 w4"',
    '"w0" OR "w7 w8 w9"',
    '"w2 w5" OR "w5 w1" OR "w1 w6"',
    'NEAR("w1" "w2", 6)',
    'NEAR("w0" "w3", 0) OR NEAR("w3" "w11", 6)',
    'NEAR("w4" "w4", 2)',
    'NEAR("w2" "w5", 6) OR NEAR("w5" "w1", 6) OR NEAR("w1" "w6", 6)',
    'NEAR("w1 w2" "w3", 4)',  # a shape keyword.py does not build: the general path
]


def _corpus(seed: int, n: int = 300) -> list[str]:
    """Made-up passages over a Zipf-like vocabulary (common and rare words, repeats, neighbours)."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(40)] + ["caring", "cares", "care", "homes", "home"]
    weights = [1 / (i + 1) for i in range(len(words))]
    return [" ".join(rng.choices(words, weights, k=rng.randint(1, 60))) for _ in range(n)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_expression_scores_equal_fts5_bm25(seed: int) -> None:
    texts = _corpus(seed)
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE passages_fts USING fts5(body, tokenize = '{TOKENIZE}')")
    conn.executemany("INSERT INTO passages_fts(rowid, body) VALUES(?, ?)", list(enumerate(texts, start=1)))
    postings = Postings.read(conn, "passages_fts", "k")
    tokenizer = Tokenizer(TOKENIZE)
    cut = tokenizer.postings(texts)
    assert [length for _, length in cut] == postings.lengths[1:].tolist()

    by_term: dict[str, list[int]] = {}
    for pid, (terms, _) in enumerate(cut, start=1):
        for term, offsets in terms.items():
            by_term.setdefault(term, []).extend((pid << SHIFT) | o for o in offsets)
    keys = Positions.build("k", by_term.items())

    def positions_of(token: str, ids: object) -> dict[int, list[int]]:
        return {i: cut[i - 1][0][token] for i in ids.tolist() if token in cut[i - 1][0]}  # type: ignore[attr-defined]

    for expression in [*EXPRESSIONS, '"caring homes" OR "care"']:
        sql = "SELECT rowid, -bm25(passages_fts) FROM passages_fts WHERE passages_fts MATCH ?"
        want = dict(conn.execute(sql, (expression,)).fetchall())
        groups = parse_expression(expression, tokenizer.tokens)
        for got in (expression_scores(groups, postings, positions_of), vector_scores(groups, postings, keys)):
            assert set(got) == set(want), expression
            assert all(abs(got[i] - want[i]) < 1e-9 for i in want), expression


def test_near_keeps_only_the_instances_in_a_match() -> None:
    # "a" at 0 and 20, "b" at 3: only a@0 is near b (within 1 + 6 tokens)
    assert near_instances([[0, 20], [3]], [1, 1], 6) == [[0], [3]]
    assert near_instances([[0], [30]], [1, 1], 6) is None
    assert near_instances([[0, 2], []], [1, 1], 6) is None


def test_query_phrases_are_stemmed_like_the_index() -> None:
    tokens = Tokenizer(TOKENIZE).tokens
    groups = parse_expression('"caring homes" OR NEAR("carers" "funded", 6)', tokens)
    assert [g.phrases for g in groups] == [(("carer",), ("fund",)), (("care", "home"),)]


def _answers(index: SearchIndex, query: str, mode: str, filters: SearchFilters | None = None) -> list:
    found = index.search(query, k=10, mode=mode, filters=filters)
    return [(r.doc_id, r.start, round(r.score, 9)) for r in found]


@pytest.mark.server
def test_search_answers_are_the_same_on_sqlite_and_postgresql(tmp_path: Path, postgres_url: str) -> None:
    lite = SearchIndex(Settings.load({"data_dir": str(tmp_path / "a")}), encoder=CountingEncoder())
    server = SearchIndex(
        Settings.load({"data_dir": str(tmp_path / "b"), "database": postgres_url}), encoder=CountingEncoder()
    )
    for index in (lite, server):
        index.update(papers(), aliases={"Better Care Fund": ["BCF"]})
        index.remove(["derby-2013"])  # postings deleted as well as added
        index.update(papers())
    queries = ["home care", "better care fund", "needle exchange", "care for children at home", "respite"]
    for query in queries:
        for mode in ("keyword", "hybrid", "dense"):
            assert _answers(lite, query, mode) == _answers(server, query, mode), (query, mode)
        only = SearchFilters(authority="nottingham")
        assert _answers(lite, query, "hybrid", only) == _answers(server, query, "hybrid", only)
    assert lite.search_page("home care").facets == server.search_page("home care").facets
    assert lite.spelling_suggestions("respit care") == server.spelling_suggestions("respit care")
    lite.close()
    server.close()


@pytest.mark.server
def test_an_explorer_on_another_machine_sees_what_a_builder_indexes(
    tmp_path: Path, postgres_url: str
) -> None:
    """Two indexes on one database with their own folders (two machines): what one indexes or
    removes, the other finds (its generation is re-read within half a second), and a restarted
    reader answers the same from its cached postings."""
    builder_settings = Settings.load({"data_dir": str(tmp_path / "builder"), "database": postgres_url})
    builder = SearchIndex(builder_settings, encoder=CountingEncoder())
    reader_settings = Settings.load({"data_dir": str(tmp_path / "reader"), "database": postgres_url})
    reader = SearchIndex(reader_settings, encoder=CountingEncoder())
    first, *others = papers()
    builder.update([first])
    assert {r.doc_id for r in reader.search("needle exchange", mode="keyword")} == set()
    builder.update(others)
    time.sleep(GENERATION_TTL_S + 0.1)
    found = _answers(reader, "needle exchange", "keyword")
    assert {doc for doc, _, _ in found} == {"city-2019"}
    assert (tmp_path / "reader" / "search" / "keyword-postings.npz").is_file()
    restarted = SearchIndex(reader_settings, encoder=CountingEncoder())
    assert _answers(restarted, "needle exchange", "keyword") == found
    assert _answers(restarted, "home care", "hybrid") == _answers(builder, "home care", "hybrid")
    builder.remove(["city-2019"])
    time.sleep(GENERATION_TTL_S + 0.1)
    assert _answers(reader, "needle exchange", "keyword") == []
    for index in (builder, reader, restarted):
        index.close()


@pytest.mark.server
def test_opening_an_index_does_not_wait_for_a_writing_build(tmp_path: Path, postgres_url: str) -> None:
    """A new explorer process opens the index while a build holds a write transaction open: it
    neither waits for the build nor takes locks the build then waits for (once a deadlock)."""
    settings = Settings.load({"data_dir": str(tmp_path / "w"), "database": postgres_url})
    writer = SearchIndex(settings, encoder=CountingEncoder())
    writer.update(papers())
    opened: list[list] = []

    def open_and_search() -> None:
        settings = Settings.load({"data_dir": str(tmp_path / "r"), "database": postgres_url})
        reader = SearchIndex(settings, encoder=CountingEncoder())
        opened.append(_answers(reader, "home care", "keyword"))
        reader.close()

    with writer._writing():
        writer._delete_paper("derby-2013")  # holds row locks on passages, postings, mentions
        thread = threading.Thread(target=open_and_search)
        thread.start()
        thread.join(20)
        assert not thread.is_alive() and opened, "opening the index waited for the writer"
        assert any(doc == "derby-2013" for doc, _, _ in opened[0])  # it read the committed state
    writer.close()
