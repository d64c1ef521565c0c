"""The search index: incremental updates, filters, paging, odd queries (a counting stand-in encoder)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from pg_server import BACKENDS, backend_settings
from test_search_passages import make_document

from corpus.models import Metadata, example_document
from councilkg.errors import QueryError
from councilkg.settings import Settings
from search.index import SearchIndex
from search.models import SearchFilters


class CountingEncoder:
    """Hashed bag-of-words vectors (deterministic, no model) that counts the texts it encodes."""

    model_name = "test-hashing-encoder"
    dimension = 128

    def __init__(self) -> None:
        self.texts_encoded = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts_encoded += len(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
            norm = float(np.linalg.norm(out[row]))
            out[row] = out[row] / norm if norm else out[row]
        return out


PAPERS = {
    "notts-2015": (
        dict(
            authority="Nottinghamshire County Council",
            date="2015-03-30",
            committee="Adult Social Care",
            document_type="committee report",
        ),
        [
            ("heading", "Home care"),
            ("paragraph", "The home care framework supports people to live at home."),
            ("paragraph", "Carers receive respite breaks funded by the Better Care Fund (BCF)."),
        ],
    ),
    "derby-2013": (
        dict(
            authority="Derby City Council",
            date="2013-09",
            committee="Health and Well-being Board",
            document_type="progress report",
        ),
        [
            ("heading", "Children"),
            ("paragraph", "The home care service for disabled children is reviewed."),
            ("paragraph", "School nursing supports the emotional health of young people."),
        ],
    ),
    "city-2019": (
        dict(
            authority="Nottingham City Council",
            date="2019-07-09",
            committee="Commissioning Sub-Committee",
            document_type="agenda pack",
        ),
        [
            ("heading", "Drugs"),
            ("paragraph", "The BCF pays for home care and the needle exchange scheme."),
            ("paragraph", "Libraries open later on Thursdays."),
        ],
    ),
}


def papers(**changes: list[tuple[str, str]]) -> list:
    docs = []
    for doc_id, (meta, parts) in PAPERS.items():
        docs.append(make_document(changes.get(doc_id.replace("-", "_"), parts), doc_id=doc_id, **meta))
    return docs


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, data_dir: Path) -> Settings:
    """Settings of an index on each back end: SQLite in the data dir, then a PostgreSQL database."""
    return Settings.load(backend_settings(request, data_dir))


@pytest.fixture
def index(backend: Settings) -> SearchIndex:
    idx = SearchIndex(backend, encoder=CountingEncoder())
    idx.update(papers())
    yield idx
    idx.close()


def test_results_quote_papers_exactly_with_metadata(index: SearchIndex) -> None:
    docs = {d.doc_id: d for d in papers()}
    results = index.search("home care", k=10)
    assert results
    for r in results:
        assert docs[r.doc_id].text[r.start : r.end] == r.text
        assert r.file_name == f"{r.doc_id}.txt"
        for start, end in r.highlights:
            assert r.start <= start < end <= r.end
    assert any(
        "home care" in docs[r.doc_id].text[s:e].lower() + " care" for r in results for s, e in r.highlights
    )


def test_index_lives_under_the_data_dir(index: SearchIndex, data_dir: Path) -> None:
    if index.conn.dialect == "postgres":  # on a server: nothing but caches in the folder
        assert not (data_dir / "search" / "index.sqlite").exists()
        assert index.conn.table_exists("councilkg_search.passages")
    else:
        assert (data_dir / "search" / "index.sqlite").is_file()


@pytest.mark.parametrize(
    ("filters", "allowed_docs"),
    [
        (SearchFilters(authority="derby"), {"derby-2013"}),
        (SearchFilters(authority="Nottingham"), {"notts-2015", "city-2019"}),
        (SearchFilters(from_year=2014), {"notts-2015", "city-2019"}),
        (SearchFilters(to_year=2015), {"notts-2015", "derby-2013"}),
        (SearchFilters(from_year=2014, to_year=2016), {"notts-2015"}),
        (SearchFilters(committee="well-being board"), {"derby-2013"}),
        (SearchFilters(document_type="agenda"), {"city-2019"}),
        (SearchFilters(authority="Kent"), set()),
    ],
)
def test_each_filter_narrows_the_results(
    index: SearchIndex, filters: SearchFilters, allowed_docs: set
) -> None:
    for mode in ("hybrid", "dense", "keyword"):
        found = {r.doc_id for r in index.search("home care", k=10, filters=filters, mode=mode)}
        assert found <= allowed_docs
        if mode != "keyword":  # dense search ranks every allowed passage
            assert found == allowed_docs


def test_entity_filter_keeps_passages_containing_a_mention(index: SearchIndex) -> None:
    doc = papers()[2]
    start = doc.text.index("needle exchange")
    index.set_mentions({"service/needle-exchange": [(doc.doc_id, start, start + len("needle exchange"))]})
    results = index.search("home care", k=10, filters=SearchFilters(entity="service/needle-exchange"))
    assert [r.doc_id for r in results] == [doc.doc_id]
    assert "needle exchange" in results[0].text
    assert index.search("home care", filters=SearchFilters(entity="service/unknown")) == []


def test_update_skips_unchanged_papers_and_embeds_only_changed_passages(backend: Settings) -> None:
    encoder = CountingEncoder()
    idx = SearchIndex(backend, encoder=encoder)
    first = idx.update(papers())
    total = encoder.texts_encoded
    assert total == first.passages_embedded + first.fields_embedded and first.passages_embedded > 0

    again = idx.update(papers())
    assert again.papers_indexed == [] and again.papers_unchanged == 3
    assert encoder.texts_encoded == total

    changed = [
        ("heading", "Drugs"),
        ("paragraph", "The BCF pays for home care and the needle exchange scheme."),
        ("paragraph", "Libraries now open on Sundays too."),
    ]
    report = idx.update(papers(city_2019=changed))
    assert report.papers_indexed == ["city-2019"]
    assert encoder.texts_encoded == total + 1  # only the merged passage holding the edit is new
    texts = [r.text for r in idx.search("libraries", k=20, mode="keyword")]
    assert any("Libraries now open on Sundays too." in t for t in texts)
    assert not any("Libraries open later on Thursdays." in t for t in texts)
    idx.close()



def _vector_hashes(idx: SearchIndex) -> set[str]:
    rows = idx.conn.execute("SELECT hash FROM embeddings WHERE model = ?", (idx.encoder.model_name,))
    return {h for (h,) in rows}


def _passage_hashes(idx: SearchIndex) -> set[str]:
    return {h for (h,) in idx.conn.execute("SELECT hash FROM passages")}


def test_vectors_follow_the_passages_through_changes_and_removals(backend: Settings) -> None:
    """Only dropped passages lose their vectors, and only when no other paper shares the text."""
    idx = SearchIndex(backend, encoder=CountingEncoder())
    shared = ("paragraph", "Libraries open later on Thursdays.")  # also in city-2019
    extra = make_document([("heading", "Libraries"), shared], doc_id="copy", authority="Derby City Council")
    idx.update([*papers(), extra])
    assert _vector_hashes(idx) == _passage_hashes(idx)
    idx.update(papers(city_2019=[("heading", "Drugs"), ("paragraph", "Needle exchange hours change.")]))
    assert _vector_hashes(idx) == _passage_hashes(idx)
    assert idx.remove(["copy", "derby-2013"]) == ["copy", "derby-2013"]
    assert _vector_hashes(idx) == _passage_hashes(idx)
    idx.close()



def test_removing_a_paper_removes_its_entity_mentions(index: SearchIndex) -> None:
    index.set_paper_mentions("derby-2013", [("organisation/derby-city-council", 0, 5)])
    index.set_paper_mentions("city-2019", [("organisation/derby-city-council", 3, 9)])
    index.remove(["derby-2013"])
    rows = index.conn.execute("SELECT doc_id FROM mentions WHERE entity = 'organisation/derby-city-council'")
    assert [r[0] for r in rows] == ["city-2019"]
    if index.conn.dialect == "postgres":
        return  # the index on mentions(doc_id) is the same DDL; the plan check below is SQLite's
    plan = index.conn.execute("EXPLAIN QUERY PLAN DELETE FROM mentions WHERE doc_id = 'x'").fetchall()
    plan = " ".join(str(row) for row in plan)
    assert "mentions_doc" in plan  # one paper's mentions are found without reading everyone's

def test_a_new_process_embeds_passages_an_interrupted_one_left_without_vectors(backend: Settings) -> None:
    settings = backend
    first = SearchIndex(settings, encoder=CountingEncoder())
    first.update(papers())
    first.conn.execute(
        "DELETE FROM embeddings WHERE hash IN (SELECT hash FROM embeddings ORDER BY hash LIMIT 2)"
    )
    first.conn.commit()
    first.close()
    encoder = CountingEncoder()
    reopened = SearchIndex(settings, encoder=encoder)
    report = reopened.update(papers())  # nothing to re-index, but two vectors are missing
    assert report.papers_indexed == [] and report.passages_embedded == encoder.texts_encoded == 2
    assert _vector_hashes(reopened) == _passage_hashes(reopened)
    reopened.close()

def test_reopened_index_needs_no_encoding_for_unchanged_papers(backend: Settings) -> None:
    settings = backend
    SearchIndex(settings, encoder=CountingEncoder()).update(papers())
    encoder = CountingEncoder()
    reopened = SearchIndex(settings, encoder=encoder)
    reopened.update(papers())
    assert encoder.texts_encoded == 0
    assert reopened.search("respite for carers", k=1, mode="keyword")[0].doc_id == "notts-2015"


def test_removed_paper_leaves_the_results(index: SearchIndex) -> None:
    assert index.remove(["derby-2013", "never-indexed"]) == ["derby-2013"]
    assert "derby-2013" not in {r.doc_id for r in index.search("home care", k=20)}
    assert index.paper_ids() == ["city-2019", "notts-2015"]


def test_changed_metadata_reindexes_the_paper(index: SearchIndex) -> None:
    docs = papers()
    docs[1].metadata = Metadata(authority="Derbyshire County Council", date="2014-01")
    report = index.update(docs)
    assert report.papers_indexed == ["derby-2013"]
    assert {r.authority for r in index.search("children", filters=SearchFilters(authority="derbyshire"))} == {
        "Derbyshire County Council"
    }


def test_acronyms_defined_in_a_paper_expand_queries(index: SearchIndex) -> None:
    assert "Better Care Fund" in index.expand_query("what does the BCF pay for")
    assert "BCF" in index.expand_query("what does the better care fund pay for")


def test_aliases_from_the_graph_expand_queries(index: SearchIndex) -> None:
    index.update([], aliases=[("Pharmacy Needle Exchange Scheme", ["needle exchange", "PNES"])])
    assert "Pharmacy Needle Exchange Scheme" in index.expand_query("PNES contracts")
    index.update([], aliases={})
    assert "Pharmacy Needle Exchange Scheme" not in index.expand_query("PNES contracts")



def test_passing_the_same_aliases_again_starts_no_new_generation(index: SearchIndex) -> None:
    aliases = {"Better Care Fund": ["BCF", "the fund"], "Care Quality Commission": ["CQC"]}
    index.update([], aliases=aliases)
    generation = index._generation()
    index.update([], aliases=dict(reversed(aliases.items())))  # same pairs, another order
    assert index._generation() == generation
    index.update([], aliases={"Better Care Fund": ["BCF"]})
    assert index._generation() != generation
    assert "Care Quality Commission" not in index.expand_query("CQC inspections")
    assert "Better Care Fund" in index.expand_query("BCF plans")

@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_is_a_clear_error(index: SearchIndex, query: str) -> None:
    with pytest.raises(QueryError, match="empty"):
        index.search(query)


@pytest.mark.parametrize(
    "query",
    [
        "home care " * 5000,
        "soins à domicile pour les personnes âgées",
        "家庭护理",
        '"NEAR(* OR',
        "💷💷",
        "-- ;DROP",
    ],
)
def test_odd_queries_are_answered_without_crashing(index: SearchIndex, query: str) -> None:
    results = index.search(query, k=5)
    assert len(results) <= 5
    assert all(np.isfinite(r.score) for r in results)


def test_paging_returns_the_next_results(index: SearchIndex) -> None:
    everything = index.search("home care", k=6)
    assert [r.start for r in index.search("home care", k=2, offset=2)] == [r.start for r in everything[2:4]]
    assert index.search("home care", k=3, offset=1000) == []


def test_unknown_mode_is_a_clear_error(index: SearchIndex) -> None:
    with pytest.raises(QueryError, match="mode"):
        index.search("home care", mode="sparql")


def test_an_empty_index_answers_nothing(backend: Settings) -> None:
    idx = SearchIndex(backend, encoder=CountingEncoder())
    assert idx.search("home care") == []


def test_example_document_is_indexed(backend: Settings) -> None:
    idx = SearchIndex(backend, encoder=CountingEncoder())
    idx.update([example_document()])
    (row,) = [r for r in idx.search("better care fund", k=5, mode="keyword") if r.kind == "table_row"]
    assert row.text == "Home Care\tBetter Care Fund\t£1.2m"


def test_only_the_edited_passage_of_a_changed_paper_is_re_embedded(backend: Settings) -> None:
    long_paragraphs = [
        "The council commissions domiciliary care from a framework of accredited providers across the city.",
        "Day opportunities for adults with learning disabilities will be re-tendered after consultation.",
        "Extra care housing schemes offer self-contained flats with care staff on site day and night.",
    ]
    long_paragraphs = [p + " " + p for p in long_paragraphs]  # well over the merge threshold
    encoder = CountingEncoder()
    idx = SearchIndex(backend, encoder=encoder)
    first = idx.update([make_document([("paragraph", p) for p in long_paragraphs], doc_id="plan")])
    assert first.passages_embedded == 3 and first.fields_embedded == 1
    assert encoder.texts_encoded == 4  # three passages and the paper's title fields
    edited = [*long_paragraphs[:2], long_paragraphs[2].replace("night", "evening")]
    report = idx.update([make_document([("paragraph", p) for p in edited], doc_id="plan")])
    assert report.papers_indexed == ["plan"] and report.passages_embedded == 1
    assert report.fields_embedded == 0  # same title: its vector is kept
    assert encoder.texts_encoded == 5
    assert len(idx) == 3
