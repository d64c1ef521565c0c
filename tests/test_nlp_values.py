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


@pytest.mark.parametrize(
    ("text", "quote", "value", "value_max", "qualifier"),
    [
        ("costs of £1.2 million in year one", "£1.2 million", 1_200_000, None, None),
        ("a contract worth £14 m over", "£14 m", 14_000_000, None, None),
        ("paid £1,234,567.89 in total", "£1,234,567.89", 1_234_567.89, None, None),
        ("a fund of £0.5bn nationally", "£0.5bn", 500_000_000, None, None),
        ("a grant of £250K for carers", "£250K", 250_000, None, None),
        ("rent of £10,000 pa.", "£10,000 pa", 10_000, None, "pa"),
        ("a budget of £3m per annum", "£3m per annum", 3_000_000, None, "per annum"),
        ("estimated at c.£4.2m overall", "c.£4.2m", 4_200_000, None, "circa"),
        ("estimated at c. £4.2m overall", "c. £4.2m", 4_200_000, None, "circa"),
        ("saves approx. £90k", "approx. £90k", 90_000, None, "approximately"),
        ("a value not exceeding £2.4m", "not exceeding £2.4m", 2_400_000, None, "not exceeding"),
        ("priced between £2m and £3m by bidders", "between £2m and £3m", 2_000_000, 3_000_000, None),
        ("a fee of £1.3m to 1.5m a year", "£1.3m to 1.5m a year", 1_300_000, 1_500_000, "a year"),
        ("worth £6m across seven years.", "£6m across seven years", 6_000_000, None, "across seven years"),
        ("£8m over the five-year term", "£8m over the five-year term", 8_000_000, None,
         "over the five-year term"),
        ("a cost of £4.5m/year", "£4.5m/year", 4_500_000, None, "per year"),
        ("£75 per week per client", "£75 per week", 75, None, "per week"),
        ("a budget of GBP 2.5m", "GBP 2.5m", 2_500_000, None, None),
        ("some 2.5 million pounds of capital", "2.5 million pounds", 2_500_000, None, None),
        ("a decimal comma: £1,5m", "£1,5m", 1_500_000, None, None),
    ],
)
def test_money_forms_keep_their_exact_quote(text: str, quote: str, value: float, value_max: float | None,
                                            qualifier: str | None) -> None:
    (m,) = list(find_money(text))
    assert (m.text, text[m.start:m.end]) == (quote, quote)
    assert m.value == pytest.approx(value)
    assert m.value_max == (pytest.approx(value_max) if value_max else None)
    assert m.qualifier == qualifier


def test_a_thousands_comma_before_m_is_read_as_written() -> None:
    # "£2,321m" may be a slip for £2.321m, but as written it is 2,321 million: the quote is kept
    # so a reader can tell (no rule can, without knowing the contract).
    (m,) = list(find_money("a contract of £2,321m be approved"))
    assert (m.text, m.value) == ("£2,321m", 2_321_000_000)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("£5m to 6 partners", [5_000_000]),  # "to 6 partners" is no upper bound
        ("£5m - £2m", [5_000_000, 2_000_000]),  # a lower second figure is a second figure
        ("£500 - 2019/20", [500]),
        ("£1m and £2m respectively", [1_000_000, 2_000_000]),
        ("£3m a year ago", [3_000_000]),
        ("Cost (£000) and £'000", []),  # column units alone are no amounts
        ("in the 2019 pounds", []),
        ("a roundabout £5m scheme", [5_000_000]),
    ],
)
def test_money_that_is_not_a_range_or_not_money(text: str, values: list[float]) -> None:
    found = list(find_money(text))
    assert [m.value for m in found] == values
    assert all(m.value_max is None and m.qualifier is None for m in found)


@pytest.mark.parametrize(
    ("header", "cell", "value", "qualifier"),
    [
        ("Budget £000", "1,234", 1_234_000, "£000 column"),
        ("Cost (£'000)", " 850 ", 850_000, "£'000 column"),
        ("Variance £k", "(120)", -120_000, "£k column"),
        ("2020/21 £m", "2.5", 2_500_000, "£m column"),
        ("Grant (£)", "12,345.67", 12_345.67, "£ column"),
        ("Total £", "£4,000", 4_000, None),  # written with its own £: read as written
    ],
)
def test_bare_numbers_under_a_money_column_header(header: str, cell: str, value: float,
                                                 qualifier: str | None) -> None:
    (m,) = list(find_money(cell, header))
    assert m.value == pytest.approx(value) and m.qualifier == qualifier
    assert cell[m.start:m.end] == m.text == cell.strip()


@pytest.mark.parametrize(("header", "cell"), [("£000", "2019/20"), ("£000", "12%"), ("£000", "0"),
                                              ("£000", "-"), ("Clients", "1,234"), ("£000", "Total")])
def test_cells_that_are_no_amount(header: str, cell: str) -> None:
    assert list(find_money(cell, header)) == []
