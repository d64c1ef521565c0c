"""Keyword scores computed in numpy from postings equal FTS5's own bm25(), and follow changes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_search_index import CountingEncoder
from test_search_passages import make_document

from councilkg.settings import Settings
from search.bm25 import Postings, Stemmer
from search.index import POSTINGS_FILE, TOKENIZE, SearchIndex
from search.keyword import fts_match_expression, match_phrases

PARAGRAPHS = [
    "The Better Care Fund pools health and social care budgets between the council and the CCG.",
    "Home care providers were re-commissioned; home care hours rose and homes for older people closed.",
    "Funding for the needle exchange scheme comes from the Public Health Grant, funded annually.",
    "Carers' support: a carers hub, carer breaks and respite funded through the Better Care Fund.",
    "Reablement flats in extra care housing help people home from hospital. Care, care and more care.",
    "Naïve budgeting for children's mental health (CAMHS) ended; a joint budget under Section 75 began.",
]


def _index(tmp_path: Path, paragraphs: list[str], doc_id: str = "paper-a") -> SearchIndex:
    settings = Settings.load({"data_dir": str(tmp_path / "data")}, environ={})
    index = SearchIndex(settings, encoder=CountingEncoder())  # type: ignore[arg-type]
    index.update([make_document([("paragraph", p) for p in paragraphs], doc_id=doc_id)])
    return index


def _fts(index: SearchIndex, terms: list[str], phrases: list[str] = ()) -> dict[int, float]:  # type: ignore[assignment]
    rows = index.conn.execute(
        "SELECT rowid, -bm25(passages_fts) FROM passages_fts WHERE passages_fts MATCH ?",
        (fts_match_expression(terms, phrases),),
    ).fetchall()
    return dict(rows)


@pytest.mark.parametrize(
    ("terms", "phrases"),
    [
        (["care"], []),
        (["home", "homes", "care"], []),  # two words, one stem: FTS5 counts each phrase
        (["funding", "fund", "grant"], []),
        (["carers", "naïve", "children"], []),
        (["joint", "budget"], ["Better Care Fund", "CAMHS"]),  # expansions: a phrase and a word
        (["nowhere", "absent"], []),
    ],
)
def test_word_scores_equal_fts5_bm25(tmp_path: Path, terms: list[str], phrases: list[str]) -> None:
    index = _index(tmp_path, PARAGRAPHS)
    expected = _fts(index, terms, phrases)
    got = index._word_scores(match_phrases(terms, phrases), 100, None)
    assert set(got) == set(expected)
    for pid, score in expected.items():
        assert got[pid] == pytest.approx(score, rel=1e-9)
    assert list(got.values()) == sorted(got.values(), reverse=True)


def test_word_scores_keep_the_best_n_and_only_allowed_passages(tmp_path: Path) -> None:
    index = _index(tmp_path, PARAGRAPHS)
    full = _fts(index, ["care", "fund"])
    best_two = sorted(full, key=lambda i: -full[i])[:2]
    assert list(index._word_scores(["care", "fund"], 2, None)) == best_two
    allowed = np.array(sorted(full)[1:3], dtype=np.int64)
    assert set(index._word_scores(["care", "fund"], 100, allowed)) == set(allowed.tolist())


def test_postings_are_saved_beside_the_index_and_refreshed_when_papers_change(tmp_path: Path) -> None:
    index = _index(tmp_path, PARAGRAPHS)
    index._word_scores(["care"], 10, None)
    saved = index.folder / POSTINGS_FILE
    assert saved.exists()
    key = index._keyword_key()
    assert Postings.load(saved, key) is not None

    index.update([make_document([("paragraph", "Assistive technology and telecare for carers.")], "paper-b")])
    assert index._keyword_key() != key
    assert Postings.load(saved, index._keyword_key()) is None  # stale: read again on next search
    got = index._word_scores(["telecare"], 10, None)
    assert got == pytest.approx(_fts(index, ["telecare"]))

    index.remove(["paper-b"])
    assert index._word_scores(["telecare"], 10, None) == {}


def test_a_reopened_index_loads_the_saved_postings_instead_of_reading_fts5(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = _index(tmp_path, PARAGRAPHS)
    expected = index._word_scores(["care", "budget"], 10, None)
    index.close()
    reopened = SearchIndex(index.settings, encoder=CountingEncoder())  # type: ignore[arg-type]

    def no_reading(*args: object) -> Postings:
        raise AssertionError("postings were read from FTS5 again")

    monkeypatch.setattr(Postings, "read", no_reading)
    assert reopened._word_scores(["care", "budget"], 10, None) == expected


def test_a_damaged_postings_file_is_read_again_not_trusted(tmp_path: Path) -> None:
    index = _index(tmp_path, PARAGRAPHS)
    expected = index._word_scores(["care"], 10, None)
    index.close()
    (index.folder / POSTINGS_FILE).write_bytes(b"not a numpy file")
    reopened = SearchIndex(index.settings, encoder=CountingEncoder())  # type: ignore[arg-type]
    assert reopened._word_scores(["care"], 10, None) == expected


def test_the_stemmer_cuts_words_as_the_keyword_index_does() -> None:
    stemmer = Stemmer(TOKENIZE)
    assert stemmer.tokens("homes") == stemmer.tokens("home") == ["home"]
    assert stemmer.tokens("funding") == ["fund"]
    assert stemmer.tokens("naïve") == stemmer.tokens("naive")
    assert stemmer.tokens("") == []
