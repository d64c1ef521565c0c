"""Money and period rules: normalised values, qualifiers, ranges and offsets."""

from __future__ import annotations

import pytest

from nlp.values import find_money, find_periods


@pytest.mark.parametrize(
    ("text", "value", "value_max", "qualifier"),
    [
        ("a £140 million financial gap", 140_000_000, None, None),
        ("Finances in scope: Circa £150,000 pa", 150_000, None, "circa; pa"),
        ("an annual value of £2.16m pa", 2_160_000, None, "pa"),
        ("up to £418.5 million over the term", 418_500_000, None, "up to"),
        ("between £2m - £3m", 2_000_000, 3_000_000, None),
        ("a budget of £728k", 728_000, None, None),
        ("costs of £1.2bn", 1_200_000_000, None, None),
    ],
)
def test_money_is_normalised_to_gbp(text: str, value: float, value_max: float | None,
                                    qualifier: str | None) -> None:
    (m,) = list(find_money(text))
    assert m.value == pytest.approx(value)
    assert m.value_max == (pytest.approx(value_max) if value_max else None)
    assert m.qualifier == qualifier
    assert text[m.start:m.end] == m.text


def test_text_without_a_pound_sign_has_no_money() -> None:
    assert list(find_money("12 statutory organisations and 2018/19 figures")) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("forecast by 2018/19 on current models", "2018-04/2019-03"),
        ("Commissioning Intentions 2019-20", "2019-04/2020-03"),
        ("the meeting on 9 July 2019", "2019-07-09"),
        ("Tender to be issued – October 17", "2017-10"),
        ("Current contracts end 31st March 2018", "2018-03-31"),
        ("from April 2019 – March 2020", "2019-04/2020-03"),
        ("Procurement - Aug-Dec. 2017", "2017-08/2017-12"),
        ("consultation dates 11/6/19", "2019-06-11"),
    ],
)
def test_periods_become_iso_values(text: str, value: str) -> None:
    found = list(find_periods(text))
    assert [p.value for p in found] == [value]
    p = found[0]
    assert text[p.start:p.end] == p.text


def test_a_bare_month_name_is_not_a_period() -> None:
    assert list(find_periods("We may review this in March with partners")) == []


def test_circa_written_against_the_pound_sign_and_quarters_of_a_financial_year() -> None:
    (m,) = list(find_money("budget c£67.207m in total"))
    assert m.value == 67_207_000 and m.qualifier == "circa"
    assert [(p.text, p.value) for p in find_periods("due in Q3 2019/20 and Q4 2019/20")] == [
        ("Q3 2019/20", "2019-10/2019-12"), ("Q4 2019/20", "2020-01/2020-03")]
