"""Ranking with the real encoder: answers found when they share no keywords with the question."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_search_passages import make_document

from councilkg.cli import cli
from councilkg.settings import Settings
from search.index import SearchIndex
from search.keyword import query_terms
from search.models import SearchFilters

pytestmark = pytest.mark.slow

# Made-up paragraphs in the style of council papers; each question below is answered by one
# of them without sharing a content word with it.
PARAGRAPHS = {
    "needles": "The Pharmacy Needle Exchange Scheme provides sterile injecting equipment through "
    "community pharmacies and is funded from the Public Health Grant.",
    "reablement": "Six reablement apartments within the extra care scheme will offer short stays "
    "after discharge from hospital, helping residents regain independence.",
    "gritting": "Winter maintenance: the highways team treats priority routes with rock salt when "
    "road surface temperatures are forecast to fall below freezing.",
    "meals": "Free school meals take-up has risen; the catering contract with the academy trust "
    "is extended until the end of the academic year.",
    "library": "Branch libraries will open later on Thursdays, and the mobile library timetable "
    "is published on the council website.",
    "stroke": "The Stroke Strategy funds an early supported discharge service and information "
    "prescriptions for survivors and their relatives.",
    "copd": "Patients with Chronic Obstructive Pulmonary Disease will use telehealth kits to "
    "send oxygen saturation readings to their community matron.",
    "bcf": "The Better Care Fund (BCF) pools £32m of NHS and council money for integrated care.",
}

QUESTIONS = [
    ("clean syringes for people who use drugs", "needles"),
    ("gritting icy streets", "gritting"),
    ("help for families after someone has a brain attack", "stroke"),
    ("lung illness checked remotely from home", "copd"),
    ("lunch for pupils from low income households", "meals"),
]


@pytest.fixture(scope="session")
def ranking_index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    folder = tmp_path_factory.mktemp("ranking")
    docs = [
        make_document(
            [("heading", "Commissioning intentions"), ("paragraph", text)],
            doc_id=key,
            authority="Derby City Council" if key in ("gritting", "library") else "Leeds City Council",
            date="2012-05" if key == "library" else "2018-01",
            committee="Executive",
        )
        for key, text in PARAGRAPHS.items()
    ]
    index = SearchIndex(Settings.load({"data_dir": str(folder)}))
    index.update(docs)
    return index


@pytest.mark.parametrize(("question", "answer"), QUESTIONS)
def test_paraphrased_question_finds_its_answer_first(
    ranking_index: SearchIndex, question: str, answer: str
) -> None:
    answer_words = set(query_terms(PARAGRAPHS[answer]))
    assert not set(query_terms(question)) & answer_words, "the test must share no keyword with its answer"
    results = ranking_index.search(question, k=3)
    assert results[0].doc_id == answer


def test_hybrid_is_at_least_as_good_as_either_baseline_on_these_questions(ranking_index: SearchIndex) -> None:
    def hits(mode: str) -> int:
        return sum([r.doc_id for r in ranking_index.search(q, k=1, mode=mode)] == [a] for q, a in QUESTIONS)

    assert hits("hybrid") >= max(hits("dense"), hits("keyword"))
    assert hits("keyword") < len(QUESTIONS)  # keyword search alone cannot answer them all


def test_acronym_in_the_question_is_expanded(ranking_index: SearchIndex) -> None:
    assert ranking_index.search("how much money does the BCF pool", k=1)[0].doc_id == "bcf"


def test_filters_apply_to_semantic_search(ranking_index: SearchIndex) -> None:
    results = ranking_index.search("gritting icy streets", k=5, filters=SearchFilters(authority="leeds"))
    assert results and "gritting" not in {r.doc_id for r in results}
    results = ranking_index.search("opening hours of reading rooms", k=5, filters=SearchFilters(to_year=2015))
    assert [r.doc_id for r in results] == ["library"]


def test_non_english_and_very_long_queries_still_rank(ranking_index: SearchIndex) -> None:
    assert ranking_index.search("aiguilles propres pour les usagers de drogue", k=3)
    long_query = "clean syringes for people who use drugs " + "please " * 3000
    assert ranking_index.search(long_query, k=3)[0].doc_id == "needles"


def test_cli_search_and_eval_search(tmp_path: Path, samples_dir: Path) -> None:
    runner = CliRunner()
    queries = tmp_path / "q.json"
    queries.write_text('[{"q": "swapping used needles at the chemist", "any": ["Needle Exchange"]}]')
    data = ["--data-dir", str(tmp_path / "data")]
    result = runner.invoke(
        cli, [*data, "eval-search", "--queries", str(queries), "--papers", str(samples_dir), "--json"]
    )
    assert result.exit_code == 0, result.output
    import json

    scores = json.loads(result.output)
    assert set(scores) == {"councilkg", "keyword", "dense"}
    assert scores["councilkg"]["success@5"] == 1.0

    result = runner.invoke(
        cli,
        [*data, "search", "swapping used needles at the chemist", "-k", "2", "--json", "--from-year", "2019"],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 2 and all(r["date"].startswith("2019") for r in rows)
    text = (samples_dir / rows[0]["paper"]).read_text(encoding="utf-8")
    assert rows[0]["text"] and rows[0]["start"] < rows[0]["end"] <= len(text)

    result = runner.invoke(cli, [*data, "search", "   "])
    assert result.exit_code == 1 and "empty" in result.output and "Traceback" not in result.output
