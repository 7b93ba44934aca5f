"""The arithmetic of targets and the forecast, as small pure functions (no database): periods, roll-ups,
achievement rate, gap, pipeline coverage and weighted amounts. Money is Decimal, rounded half-up."""

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
ZERO = Decimal(0)
PERIOD_KINDS = ("month", "quarter", "year")


def period_months(kind: str, index: int = 1) -> list[int]:
    """The months (1–12) of a period: month `index`, quarter `index` (1–4) or the whole year."""
    if kind == "month":
        if not 1 <= index <= 12:
            raise ValueError(index)
        return [index]
    if kind == "quarter":
        if not 1 <= index <= 4:
            raise ValueError(index)
        return [3 * index - 2, 3 * index - 1, 3 * index]
    if kind == "year":
        return list(range(1, 13))
    raise ValueError(kind)


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


def period_bounds(year: int, kind: str, index: int = 1) -> tuple[date, date]:
    """[start, end) of the period: end is the first day after it."""
    months = period_months(kind, index)
    start = date(year, months[0], 1)
    last = months[-1]
    end = date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1)
    return start, end


def roll_up(monthly: dict[int, Decimal], months: Iterable[int]) -> Decimal:
    """The sum of the values of `months` (a missing month is 0): month → quarter → year."""
    return sum((monthly.get(month, ZERO) for month in months), ZERO)


def subtree_total(per_person: dict[int, Decimal], people: Iterable[int]) -> Decimal:
    """A department's figure: the sum over the people of its subtree."""
    return sum((per_person.get(person, ZERO) for person in people), ZERO)


def department_target(own: Decimal | None, people_sum: Decimal) -> Decimal:
    """The department's target: the one set for it, or — none set — the sum of its people's targets."""
    return own if own is not None else people_sum


def rate(target: Decimal, actual: Decimal) -> Decimal | None:
    """Achievement in percent with one decimal (actual ÷ target × 100); None without a positive target."""
    if target <= 0:
        return None
    return (Decimal(actual) * 100 / Decimal(target)).quantize(TENTH, rounding=ROUND_HALF_UP)


def gap(target: Decimal, actual: Decimal) -> Decimal:
    """What is still missing to the target; negative when the target is exceeded."""
    return Decimal(target) - Decimal(actual)


def coverage(weighted_pipeline: Decimal, remaining_gap: Decimal) -> Decimal | None:
    """Pipeline coverage: weighted open pipeline expected in the period ÷ remaining gap, two decimals (1.50 means
    the pipeline is one and a half times what is missing). None when nothing is missing (gap ≤ 0: the target is
    reached, there is nothing to cover); 0.00 when something is missing and there is no pipeline."""
    if remaining_gap <= 0:
        return None
    return (Decimal(weighted_pipeline) / Decimal(remaining_gap)).quantize(CENT, rounding=ROUND_HALF_UP)


def weighted(amount: Decimal, probability: int) -> Decimal:
    """One amount at a stage's win probability (0–100), to the cent."""
    return (Decimal(amount) * probability / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def weighted_total(sums_by_probability: Iterable[tuple[Decimal, int]]) -> Decimal:
    """Σ amount × probability ÷ 100 over (sum of amounts at a stage, its probability), rounded once at the end, so
    grouping the amounts by stage first gives the same total as weighting every opportunity exactly."""
    total = sum((Decimal(amount) * probability for amount, probability in sums_by_probability), ZERO)
    return (total / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def forecast_figures(committed: Decimal, open_amount: Decimal, open_weighted: Decimal) -> dict[str, Decimal]:
    """The forecast of a period from its three sums: committed (won in it), weighted (its open pipeline × stage
    probability), expected (committed + weighted) and best case (committed + every open opportunity in it)."""
    return {
        "committed": committed,
        "weighted": open_weighted,
        "expected": committed + open_weighted,
        "best_case": committed + open_amount,
    }
