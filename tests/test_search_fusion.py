"""Fusion and keyword proximity: the parts of ranking that need no model."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from test_search_index import CountingEncoder
from test_search_passages import make_document

from councilkg.settings import Settings
from search.fusion import fuse_scores, relative_to_best
from search.index import SearchIndex
from search.keyword import _TOKEN, _same_stem, highlight_spans, proximity_expressions, query_terms


def test_scores_relative_to_the_best_keep_their_proportions() -> None:
    assert relative_to_best({1: 0.6, 2: 0.3, 3: -0.1}) == {1: 1.0, 2: 0.5, 3: 0.0}
    assert relative_to_best({1: -0.2, 2: -0.3}) == {1: 1.0, 2: 1.0}
    assert relative_to_best({}) == {}


def test_a_confident_keyword_hit_can_overtake_the_dense_winner_but_a_weak_one_cannot() -> None:
    dense = {1: 0.60, 2: 0.55, 3: 0.20}
    keyword = {2: 12.0, 3: 3.0}
    assert max(fuse_scores(dense, keyword, keyword_confidence=1.0).items(), key=lambda kv: kv[1])[0] == 2
    assert max(fuse_scores(dense, keyword, keyword_confidence=0.05).items(), key=lambda kv: kv[1])[0] == 1


def test_proximity_expressions_pair_neighbouring_query_words() -> None:
    ordered, unordered = proximity_expressions(["joint", "budget", "children"])
    assert ordered == '"joint budget" OR "budget children"'
    assert unordered.count("NEAR(") == 2 and '"joint" "budget"' in unordered
    assert proximity_expressions(["alone"]) == ("", "")


def test_a_passage_using_the_question_words_together_outranks_one_scattering_them(tmp_path: Path) -> None:
    # Both passages hold every query word once; only one says "joint budget" and "mental health".
    together = "A joint budget pays for the mental health service for children in the city."
    scattered = "The joint board reviewed the budget; health visitors and mental wards for children."
    docs = [
        make_document([("paragraph", together)], doc_id="together"),
        make_document([("paragraph", scattered)], doc_id="scattered"),
        make_document([("paragraph", "Libraries open later on Thursdays.")], doc_id="other"),
    ]
    index = SearchIndex(Settings.load({"data_dir": str(tmp_path)}), encoder=CountingEncoder())
    index.update(docs)
    terms = query_terms("joint budget for children's mental health")
    doc_of = dict(index.conn.execute("SELECT id, doc_id FROM passages"))
    plain = index._keyword_scores(terms, [], 10, None)
    near = index._keyword_scores(terms, [], 10, None, proximity=True)
    ratio = {doc_of[i]: near[i] / plain[i] for i in plain}
    assert ratio["together"] > ratio["scattered"]
    ranked = index.search("joint budget for children's mental health", k=2, mode="hybrid")
    assert ranked[0].doc_id == "together"


def test_highlights_mark_whole_words_sharing_a_query_words_stem() -> None:
    text = "Carers' care homes, the city's CCG, healthcare and 20/21; scare, ccgs, homeless"
    spans = highlight_spans(text, ["care", "homes", "ccg", "20"], base=100)
    marked = [text[s - 100 : e - 100] for s, e in spans]
    # a stem of four letters or more begins a word ("care" -> "Carers", "homes" -> "home" ->
    # "homeless"); a shorter one is the whole word ("ccg" is not "ccgs"); none is found mid-word
    assert marked == ["Carers", "care", "homes", "CCG", "20", "homeless"]
    assert highlight_spans(text, []) == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["care", "Care", "homes", "city's", "CCG", "x_care", "ab", "naïve", "20", " ",
                              "\n", "-", "'", "’s", "healthcare", "Carers"]), max_size=25).map("".join),
    st.lists(st.sampled_from(["care", "homes", "city", "ccg", "20", "health", "ab", "naïve"]), min_size=1),
)
def test_highlights_agree_with_the_stem_rule_word_by_word(text: str, terms: list[str]) -> None:
    expected = [
        (m.start(), m.end())
        for m in _TOKEN.finditer(text)
        if any(_same_stem(t, m.group(0).lower()) for t in terms)
    ]
    assert highlight_spans(text, terms) == expected
