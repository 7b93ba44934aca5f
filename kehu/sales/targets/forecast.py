"""The weighted forecast of a month or a quarter, read through `Opportunity.objects.visible_to`: committed (won
in the period), weighted (open counting pipeline × stage probability, by expected close date), expected
(committed + weighted) and best case (committed + every open opportunity expected in it), beside the target of
won amount; and the opportunities behind each figure (drill-down)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from kehu.core import metrics
from kehu.org.models import Department, User
from kehu.sales.models import Opportunity
from kehu.sales.targets import arithmetic as calc
from kehu.sales.targets.metrics import WON_AMOUNT
from kehu.sales.targets.models import Target

FIGURES = ("committed", "weighted", "best_case")
ZERO = Decimal(0)


@dataclass
class Column:
    label: str
    months: list[int]
    figures: dict[str, Decimal]
    open_count: int
    won_count: int
    target: Decimal | None
    rate: Decimal | None  # expected ÷ target
    gap: Decimal | None  # target − committed


@dataclass
class Forecast:
    year: int
    kind: str
    index: int
    columns: list[Column]  # each month of the period, then (quarters) the whole period
    total: Column


def subject_people(department: Department | None, person: User | None) -> list[int] | None:
    """The owners whose opportunities the forecast counts (None: everything the viewer sees)."""
    if person is not None:
        return [person.pk]
    if department is not None:
        subtree = Department.objects.filter(path__startswith=department.path).values("pk")
        return list(User.objects.filter(department__in=subtree).values_list("pk", flat=True))
    return None


def opportunities(viewer, people: list[int] | None):
    """The counting opportunities the viewer may see, of the subject's people."""
    rows = Opportunity.objects.visible_to(viewer).counting()
    return rows if people is None else rows.filter(owner_id__in=people)


def subject_targets(viewer, year: int, department, person) -> dict[int, Decimal] | None:
    """The won-amount target of the subject per month (a department: its own, else the sum of its people's)."""
    if department is None and person is None:
        return None
    visible = Target.objects.visible_to(viewer).filter(metric=WON_AMOUNT, year=year)
    if person is not None:
        return dict(visible.filter(user=person).values_list("month", "amount"))
    own = dict(visible.filter(user__isnull=True, department=department).values_list("month", "amount"))
    people = subject_people(department, None)
    summed: dict[int, Decimal] = {}
    for month, amount in visible.filter(user_id__in=people).values_list("month", "amount"):
        summed[month] = summed.get(month, ZERO) + amount
    return {m: calc.department_target(own.get(m), summed.get(m, ZERO)) for m in set(own) | set(summed)}


def forecast(viewer, year: int, kind: str = "quarter", index: int = 1, *, department=None, person=None) -> Forecast:
    if kind not in ("month", "quarter"):
        raise ValueError(kind)
    start, end = calc.period_bounds(year, kind, index)
    people = subject_people(department, person)
    rows = opportunities(viewer, people)
    won = (
        rows.won()
        .filter(closed_on__gte=start, closed_on__lt=end)
        .annotate(month=TruncMonth("closed_on"))
        .values_list("month")
        .annotate(total=Sum("won_amount"), n=Count("pk"))
        .order_by()
    )
    committed = {metrics.month_key(month).month: (total or ZERO, n) for month, total, n in won}
    pipeline: dict[int, list[tuple[Decimal, int, int]]] = {}
    open_rows = (
        rows.open()
        .filter(expected_close_date__gte=start, expected_close_date__lt=end)
        .annotate(month=TruncMonth("expected_close_date"))
        .values_list("month", "stage__probability")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    for month, probability, total, n in open_rows:
        pipeline.setdefault(metrics.month_key(month).month, []).append((total or ZERO, probability, n))
    targets = subject_targets(viewer, year, department, person)

    def column(label, months):
        parts = [part for m in months for part in pipeline.get(m, [])]
        won_sum = sum((committed.get(m, (ZERO, 0))[0] for m in months), ZERO)
        figures = calc.forecast_figures(
            won_sum,
            sum((amount for amount, _p, _n in parts), ZERO),
            calc.weighted_total((amount, p) for amount, p, _n in parts),
        )
        target = calc.roll_up(targets, months) if targets is not None and any(m in targets for m in months) else None
        return Column(
            label,
            months,
            figures,
            open_count=sum(n for _a, _p, n in parts),
            won_count=sum(committed.get(m, (ZERO, 0))[1] for m in months),
            target=target,
            rate=calc.rate(target, figures["expected"]) if target is not None else None,
            gap=calc.gap(target, won_sum) if target is not None else None,
        )

    months = calc.period_months(kind, index)
    columns = [column(f"{year}-{m:02d}", [m]) for m in months]
    total = column(f"{year} Q{index}" if kind == "quarter" else f"{year}-{months[0]:02d}", months)
    return Forecast(year, kind, index, columns if kind == "quarter" else [], total)


def drill_down(viewer, year: int, kind: str, index: int, figure: str, *, month=None, department=None, person=None):
    """The opportunities behind one figure of the forecast (optionally of one month of it): committed → the won
    ones; weighted → the open ones; best case → both."""
    if figure not in FIGURES:
        raise ValueError(figure)
    start, end = calc.period_bounds(year, "month", month) if month else calc.period_bounds(year, kind, index)
    rows = opportunities(viewer, subject_people(department, person))
    won = Q(status=Opportunity.Status.WON, closed_on__gte=start, closed_on__lt=end)
    open_ = Q(status=Opportunity.Status.OPEN, expected_close_date__gte=start, expected_close_date__lt=end)
    condition = {"committed": won, "weighted": open_, "best_case": won | open_}[figure]
    return rows.filter(condition).select_related("customer", "stage", "owner").order_by("-amount", "pk")
