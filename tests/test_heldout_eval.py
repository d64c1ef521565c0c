"""The held-out scorer (councilkg.heldout): counts from made-up gold and made-up graph facts.

Every document here is a short paragraph written for these tests in the styles of council papers;
no third-party text. The one test that builds with the real pipeline is marked ``slow``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from councilkg.errors import CouncilKGError
from councilkg.heldout import (
    BuiltDecision,
    PaperFacts,
    body_right,
    evaluate_heldout,
    format_heldout,
    is_generic,
    load_heldout_gold,
    score_papers,
)

NOTICE = """Decision details

Extension of the Greyfield Homecare Framework

Decision Maker: Cabinet

Is Key decision?: Yes

Date of decision: 05/03/2024

That Cabinet

1) approves the extension of the Greyfield Homecare Framework to 31 March 2026 at a cost of \
£1,250,000 per annum; and

2) delegates authority to the Director of Adult Services to agree the terms of the extension.
"""

GOLD = {
    "document": "greyfield-decision-1.txt",
    "url": "https://example.invalid/ieDecisionDetails.aspx?Id=1",
    "query": "made-up query for a made-up notice",
    "kind": "decision notice",
    "country": "England",
    "authority": "Greyfield Borough Council",
    "authority_gss": "E99999999",
    "authority_in_text": True,
    "source_authority": "Greyfield Borough Council",
    "date": "2024-03-05",
    "year": 2024,
    "organisations": [{"name": "Greyfield Borough Council", "aliases": ["Greyfield Council"]}],
    "partnerships": [],
    "funding_streams": [],
    "services": [{"name": "Homecare", "aliases": ["home care"]}],
    "partnership_members": {},
    "amounts": [{"value": 1250000, "about": "framework extension cost per annum"},
                {"value": 40000, "about": "a figure the graph lacks"}],
    "decisions": [
        {"body": "Cabinet", "action": "approve", "about": ["extension", "Homecare Framework"], "key": True},
        {"body": "Cabinet", "action": "delegate", "about": ["Director of Adult Services"], "key": True},
    ],
}


def gold(**changes: object) -> dict:
    """A copy of the made-up gold with some fields changed."""
    return {**json.loads(json.dumps(GOLD)), **changes}


def facts(**kw: object) -> PaperFacts:
    """Graph facts for the made-up notice."""
    return PaperFacts(GOLD["document"], **kw)  # type: ignore[arg-type]


def metric(result: dict, name: str) -> tuple[int, int]:
    m = result["metrics"][name]
    return m["count"], m["of"]


def test_decisions_found_and_body_action_counted_separately() -> None:
    built = [
        BuiltDecision("approves the extension of the Greyfield Homecare Framework", "approve", {"Cabinet"}),
        # found (its text holds the keywords) but the action is wrong
        BuiltDecision("delegates authority to the Director of Adult Services", "note", {"Cabinet"}),
    ]
    result = score_papers([gold()], {GOLD["document"]: facts(decisions=built)})
    assert metric(result, "decisions found") == (2, 2)
    assert metric(result, "decisions with body and action right") == (1, 2)
    assert result["decisions_built"] == 2
    assert result["per_document"][0]["decisions"] == "2/2"


def test_one_built_decision_matches_one_gold_decision_only() -> None:
    two_alike = gold(decisions=[
        {"body": "Cabinet", "action": "approve", "about": ["extension"], "key": None},
        {"body": "Cabinet", "action": "approve", "about": ["extension"], "key": None},
    ])
    built = [BuiltDecision("approves the extension", "approve", {"Cabinet"})]
    result = score_papers([two_alike], {GOLD["document"]: facts(decisions=built)})
    assert metric(result, "decisions found") == (1, 2)


def test_a_decision_whose_text_lacks_a_keyword_is_not_found() -> None:
    built = [BuiltDecision("approves the extension of a framework", "approve", {"Cabinet"})]
    result = score_papers([gold()], {GOLD["document"]: facts(decisions=built)})
    assert metric(result, "decisions found") == (0, 2)


def test_money_found_within_tolerance_and_missed_listed() -> None:
    result = score_papers([gold()], {GOLD["document"]: facts(amounts=[1_253_000.0, 7.0])})
    assert metric(result, "money figures in the graph") == (1, 2)
    assert result["per_document"][0]["missed_amounts"] == [40000]
    off = score_papers([gold()], {GOLD["document"]: facts(amounts=[1_300_000.0])})
    assert metric(off, "money figures in the graph") == (0, 2)


def test_an_alternative_reading_of_an_amount_counts() -> None:
    g = gold(amounts=[{"value": 2321000, "about": "written £2,321m", "alt_values": [2321000000]}])
    result = score_papers([g], {GOLD["document"]: facts(amounts=[2321000000.0])})
    assert metric(result, "money figures in the graph") == (1, 1)


def test_authority_right_by_code_or_label_wrong_or_missing() -> None:
    by_code = score_papers([gold()], {GOLD["document"]: facts(authority_gss={"E99999999"})})
    named = facts(authority_labels={"Greyfield Borough Council"})
    by_label = score_papers([gold()], {GOLD["document"]: named})
    wrong = score_papers([gold()], {GOLD["document"]: facts(authority_labels={"Ashdown District Council"},
                                                            authority_gss={"E11111111"})})
    missing = score_papers([gold()], {GOLD["document"]: facts()})
    assert metric(by_code, "authority right (named or implied in text)") == (1, 1)
    assert metric(by_label, "authority right (named or implied in text)") == (1, 1)
    assert metric(wrong, "authority right (named or implied in text)") == (0, 1)
    assert metric(missing, "authority right (named or implied in text)") == (0, 1)
    assert wrong["per_document"][0]["authority"].startswith("wrong/missing")


def test_authority_not_in_text_must_stay_missing() -> None:
    g = gold(authority=None, authority_gss=None, authority_in_text=False)
    guessed = score_papers([g], {GOLD["document"]: facts(authority_labels={"Greyfield Borough Council"})})
    honest = score_papers([g], {GOLD["document"]: facts()})
    name = "authority wrong (not in text; should be missing)"
    assert metric(guessed, name) == (1, 1)
    assert metric(honest, name) == (0, 1)
    assert honest["per_document"][0]["authority"] == "missing (right)"
    assert metric(honest, "authority right (named or implied in text)") == (0, 0)


def test_date_and_year_scored_and_skipped_when_gold_has_none() -> None:
    result = score_papers([gold()], {GOLD["document"]: facts(date="2024-03-05", year=2023)})
    assert metric(result, "date right") == (1, 1)
    assert metric(result, "year right") == (0, 1)
    undated = score_papers([gold(date=None, year=None)], {GOLD["document"]: facts(date="2024-03-05")})
    assert metric(undated, "date right") == (0, 0)
    assert undated["metrics"]["date right"]["ratio"] is None


def test_generic_labels_reported_per_document() -> None:
    labels = {"Council", "the Board", "Greyfield Homecare Framework", "Section 75"}
    result = score_papers([gold()], {GOLD["document"]: facts(labels=labels)})
    assert sorted(g["label"] for g in result["generic_labels"]) == ["Council", "Section 75", "the Board"]
    assert "generic words as labels: 3" in format_heldout({**result, "skipped": []})


def test_entities_scored_by_type_with_aliases() -> None:
    got = facts(entities={"organisation": [{"Greyfield Council"}, {"Ashdown Trust"}],
                          "service": [{"Home Care"}]})
    result = score_papers([gold()], {GOLD["document"]: got})
    org, svc = result["entities"]["organisations"], result["entities"]["services"]
    assert (org["found"], org["gold"], org["correct"], org["extracted"]) == (1, 1, 1, 2)
    assert (svc["found"], svc["gold"]) == (1, 1)


def test_a_paper_missing_from_the_graph_scores_nothing() -> None:
    result = score_papers([gold()], {GOLD["document"]: None})
    assert result["per_document"][0]["in_graph"] is False
    assert metric(result, "decisions found") == (0, 2)


@pytest.mark.parametrize(("gold_body", "labels", "right"), [
    ("Cabinet", {"Cabinet"}, True),
    ("Health and Wellbeing Board", {"Blackpool Health and Wellbeing Board"}, True),
    ("Health and Wellbeing Board", {"Health and Wellbeing Board (Greyfield)"}, True),
    ("Cabinet member children and families", {"Cabinet Member for Children and Families"}, True),
    (None, set(), True),
    (None, {"Housing Committee"}, True),
    ("Executive", {"Interim Executive Director Neighbourhood Services"}, False),
    ("Cabinet", {"Cabinet Member for Adult Social Care"}, False),
    ("Housing Committee", {"Adults and Health Committee"}, False),
    ("Cabinet", set(), False),
])
def test_body_right(gold_body: str | None, labels: set[str], right: bool) -> None:
    assert body_right(gold_body, labels) is right


def write_gold(folder: Path, *golds: dict) -> None:
    (folder / "gold").mkdir(parents=True)
    (folder / "texts").mkdir()
    for g in golds:
        name = g["document"].removesuffix(".txt")
        (folder / "gold" / f"{name}.json").write_text(json.dumps(g), encoding="utf-8")


def test_missing_text_is_skipped_with_its_refetch_hint(tmp_path: Path) -> None:
    write_gold(tmp_path, gold())
    result = evaluate_heldout(tmp_path)
    assert result["documents"] == 0
    assert result["failed"] == []
    [skip] = result["skipped"]
    assert skip["document"] == GOLD["document"]
    assert GOLD["url"] in skip["hint"] and GOLD["query"] in skip["hint"]
    assert str(tmp_path / "texts" / GOLD["document"]) in skip["hint"]
    assert f"skipped {GOLD['document']}: text missing" in format_heldout(result)


def test_a_broken_gold_file_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CouncilKGError, match="bad.json: not a readable gold JSON file"):
        load_heldout_gold(tmp_path / "gold")
    (tmp_path / "gold" / "bad.json").write_text('{"url": "x"}', encoding="utf-8")
    with pytest.raises(CouncilKGError, match="has no 'document'"):
        load_heldout_gold(tmp_path / "gold")
    with pytest.raises(CouncilKGError, match="no held-out gold folder"):
        load_heldout_gold(tmp_path / "nowhere")


@pytest.mark.slow
def test_real_build_reads_the_paper_back_from_the_graph(tmp_path: Path) -> None:
    """The made-up notice goes through ingestion and the graph stage and is read back by file name."""
    write_gold(tmp_path, gold(), gold(document="absent-decision-2.txt"))
    (tmp_path / "texts" / GOLD["document"]).write_text(NOTICE, encoding="utf-8")
    result = evaluate_heldout(tmp_path)
    assert result["failed"] == []
    assert result["documents"] == 1
    assert [s["document"] for s in result["skipped"]] == ["absent-decision-2.txt"]
    [row] = result["per_document"]
    assert row["in_graph"] is True
    assert metric(result, "decisions found")[1] == 2
    assert metric(result, "money figures in the graph")[1] == 2


ACTIONS = {"approve", "award", "agree", "note", "delegate", "extend", "defer", "refuse", "authorise",
           "endorse", "recommend", "adopt", "appoint", "other"}


@pytest.mark.parametrize("folder", ["heldout", "blind", "blind2", "blind3"])
def test_committed_gold_files_follow_the_schema(folder: str) -> None:
    """Every committed gold file (eval/heldout and the blind sets eval/blind, eval/blind2) has the fields the
    scorer reads, in the documented vocabulary."""
    from councilkg.heldout import DEFAULT_HELDOUT_DIR

    gold_dir = DEFAULT_HELDOUT_DIR.parent / folder / "gold"
    golds = load_heldout_gold(gold_dir)
    assert golds, f"no gold files in eval/{folder}"
    for g in golds:
        doc = g["document"]
        assert (gold_dir / doc.replace(".txt", ".json")).is_file(), doc
        assert g["url"].startswith("http") and g["query"], doc
        assert g["country"] in {"England", "Wales", "Scotland"}, doc
        assert g["kind"] in {"decision notice", "minutes", "report", "agenda"}, doc
        assert g["source_authority"], doc
        if g["authority_in_text"]:
            assert g["authority"] and g["authority_gss"], doc
        else:
            assert g["authority"] is None and g["authority_gss"] is None, doc
        if g["date"]:
            assert g["year"] == int(g["date"][:4]), doc
        for key in ("organisations", "partnerships", "funding_streams", "services"):
            for e in g[key]:
                assert e["name"] and not is_generic(e["name"]), (doc, e["name"])
                assert not any(is_generic(a) for a in e.get("aliases", [])), (doc, e["name"])
        for a in g["amounts"]:
            assert isinstance(a["value"], (int, float)) and a["value"] > 0, (doc, a)
        for d in g["decisions"]:
            assert d["action"] in ACTIONS, (doc, d)
            assert 1 <= len(d["about"]) <= 3, (doc, d)
            assert d["key"] in (True, False, None), (doc, d)


@pytest.mark.slow
def test_both_figures_of_a_range_are_found_in_the_graph(tmp_path: Path) -> None:
    """ "between £500,000 and £5,000,000": one amount in the graph, its upper figure a schema:maxValue."""
    notice = NOTICE.replace("at a cost of £1,250,000 per annum",
                            "for contracts between £500,000 and £5,000,000")
    amounts = [{"value": 500000, "about": "lower"}, {"value": 5000000, "about": "upper"}]
    write_gold(tmp_path, gold(amounts=amounts))
    (tmp_path / "texts" / GOLD["document"]).write_text(notice, encoding="utf-8")
    result = evaluate_heldout(tmp_path)
    assert metric(result, "money figures in the graph") == (2, 2)
