"""The pure arithmetic of targets and the forecast: periods, roll-ups, rate, gap, coverage, weighting."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehu.sales.targets import arithmetic as calc


def test_period_months_of_a_month_a_quarter_and_the_year():
    assert calc.period_months("month", 7) == [7]
    assert calc.period_months("quarter", 1) == [1, 2, 3]
    assert calc.period_months("quarter", 4) == [10, 11, 12]
    assert calc.period_months("year") == list(range(1, 13))


@pytest.mark.parametrize(("kind", "index"), [("month", 0), ("month", 13), ("quarter", 0), ("quarter", 5), ("week", 1)])
def test_a_period_that_does_not_exist_is_refused(kind, index):
    with pytest.raises(ValueError):
        calc.period_months(kind, index)


def test_period_bounds_end_on_the_first_day_after_the_period():
    assert calc.period_bounds(2026, "month", 2) == (date(2026, 2, 1), date(2026, 3, 1))
    assert calc.period_bounds(2026, "quarter", 4) == (date(2026, 10, 1), date(2027, 1, 1))
    assert calc.period_bounds(2026, "month", 12) == (date(2026, 12, 1), date(2027, 1, 1))
    assert calc.period_bounds(2026, "year") == (date(2026, 1, 1), date(2027, 1, 1))


def test_quarter_of_each_month():
    assert [calc.quarter_of(m) for m in range(1, 13)] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]


def test_roll_up_month_quarter_year_with_missing_months_as_zero():
    monthly = {1: D("100"), 2: D("200.50"), 4: D("1"), 12: D("7")}
    assert calc.roll_up(monthly, [2]) == D("200.50")
    assert calc.roll_up(monthly, [3]) == D("0")
    assert calc.roll_up(monthly, calc.period_months("quarter", 1)) == D("300.50")
    assert calc.roll_up(monthly, calc.period_months("quarter", 2)) == D("1")
    assert calc.roll_up(monthly, calc.period_months("year")) == D("308.50")


def test_subtree_total_sums_only_the_people_named():
    per_person = {1: D("10"), 2: D("5.5"), 3: D("100")}
    assert calc.subtree_total(per_person, [1, 2, 9]) == D("15.5")
    assert calc.subtree_total(per_person, []) == D("0")


def test_department_target_is_its_own_else_the_sum_of_its_people():
    assert calc.department_target(D("500"), D("800")) == D("500")
    assert calc.department_target(D("0"), D("800")) == D("0")  # a target of zero set on purpose stays zero
    assert calc.department_target(None, D("800")) == D("800")


def test_rate_in_percent_with_one_decimal_rounded_half_up():
    assert calc.rate(D("200"), D("50")) == D("25.0")
    assert calc.rate(D("3"), D("1")) == D("33.3")
    assert calc.rate(D("8"), D("1")) == D("12.5")
    assert calc.rate(D("16"), D("1")) == D("6.3")  # 6.25 → 6.3 (half up, not half even)
    assert calc.rate(D("100"), D("150")) == D("150.0")
    assert calc.rate(D("100"), D("0")) == D("0.0")


def test_rate_without_a_positive_target_is_none():
    assert calc.rate(D("0"), D("10")) is None
    assert calc.rate(D("-1"), D("10")) is None


def test_gap_is_target_minus_actual_and_negative_when_exceeded():
    assert calc.gap(D("100"), D("30")) == D("70")
    assert calc.gap(D("100"), D("100")) == D("0")
    assert calc.gap(D("100"), D("130.25")) == D("-30.25")


def test_coverage_is_weighted_pipeline_over_the_remaining_gap():
    assert calc.coverage(D("150"), D("100")) == D("1.50")
    assert calc.coverage(D("1"), D("3")) == D("0.33")
    assert calc.coverage(D("2"), D("3")) == D("0.67")
    assert calc.coverage(D("1"), D("8")) == D("0.13")  # 0.125 → 0.13 half up


def test_coverage_edge_cases_gap_reached_and_no_pipeline():
    assert calc.coverage(D("500"), D("0")) is None  # target reached exactly: nothing to cover
    assert calc.coverage(D("500"), D("-20")) is None  # exceeded
    assert calc.coverage(D("0"), D("100")) == D("0.00")  # a gap and no pipeline at all


def test_weighted_amount_to_the_cent_half_up():
    assert calc.weighted(D("1000"), 25) == D("250.00")
    assert calc.weighted(D("0.05"), 50) == D("0.03")  # 0.025 → 0.03
    assert calc.weighted(D("999.99"), 0) == D("0.00")
    assert calc.weighted(D("999.99"), 100) == D("999.99")


def test_weighted_total_rounds_once_at_the_end():
    # three opportunities of 0.01 at 50 %: exactly 0.015 → 0.02, where rounding each (0.01 × 3) would give 0.03
    assert calc.weighted_total([(D("0.03"), 50)]) == D("0.02")
    assert calc.weighted_total([(D("1000"), 10), (D("2000"), 75)]) == D("1600.00")
    assert calc.weighted_total([]) == D("0.00")


@given(st.lists(st.tuples(st.decimals(min_value=0, max_value=10**9, places=2), st.integers(0, 100)), max_size=30))
def test_weighting_sums_grouped_by_stage_equals_weighting_every_opportunity_exactly(items):
    """Grouping amounts by probability before weighting (what the database does) changes nothing."""
    exact = sum((amount * p for amount, p in items), D(0)) / 100
    grouped: dict[int, D] = {}
    for amount, p in items:
        grouped[p] = grouped.get(p, D(0)) + amount
    expected = exact.quantize(D("0.01"), "ROUND_HALF_UP")
    assert calc.weighted_total([(amount, p) for p, amount in grouped.items()]) == expected


def test_forecast_figures_from_committed_open_amount_and_open_weighted():
    figures = calc.forecast_figures(D("300"), D("1000"), D("450"))
    assert figures == {"committed": D("300"), "weighted": D("450"), "expected": D("750"), "best_case": D("1300")}
