"""Scoring rules of `councilkg eval` and the command's behaviour on good and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from councilkg.cli import cli
from nlp.evaluate import TypeScore, labels_match, noise_check, score_labels

EVAL = Path(__file__).resolve().parent / "data" / "eval"


def test_labels_match_ignores_case_and_leading_the() -> None:
    assert labels_match("the Better Care Fund", "better care fund")
    assert labels_match("NHS Nottingham City Clinical Commissioning Group",
                        "Nottingham City Clinical Commissioning Group")  # fuzzy ≥ 90
    assert not labels_match("CCG", "CCGs")  # short labels must match exactly
    assert not labels_match("Home Care", "Extra Care")


def test_scoring_counts_recall_over_gold_and_precision_over_extracted() -> None:
    gold = [{"name": "Better Care Fund", "aliases": ["BCF"]}, {"name": "Public Health Grant", "aliases": []}]
    score = TypeScore()
    score_labels(gold, [{"Better Care Fund", "BCF"}, {"Revenue Budget"}], score)
    assert (score.found, score.gold, score.correct, score.extracted) == (1, 2, 1, 2)
    assert score.recall == 0.5 and score.precision == 0.5
    assert score.missed == ["Public Health Grant"] and score.spurious == ["Revenue Budget"]


def test_noise_strings_typed_as_organisations_are_reported() -> None:
    ent = SimpleNamespace(type="Organisation", name="Key Milestones", aliases={"Key Milestones"})
    assert noise_check(SimpleNamespace(entities={"x": ent})) == ["Key Milestones"]


def test_eval_command_fails_in_one_line_on_a_missing_gold_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", "--gold", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "no such gold folder" in result.output


def test_eval_command_names_a_broken_gold_file(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "--gold", str(tmp_path)])
    assert result.exit_code == 1 and "bad.json" in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_eval_command_on_the_dev_gold(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", "--gold", str(EVAL / "gold"), "--json", "--no-baseline"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["types"]) == {"Organisation", "FundingStream", "Partnership", "Service"}
    assert data["noise_organisations"] == {}
    members = data["partnership_members"]["South Nottinghamshire Transformation Partnership"]
    assert members["found"] == members["expected"] == 12
