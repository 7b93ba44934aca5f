"""The metric registry: what a sales target (业绩指标) can be set on, and how its actual is counted.

Any module declares its metrics here without importing the targets app (which reads the registry): the
customers app declares new customers, follow-ups and visits; the targets app declares new opportunities and
won amount (it reads opportunities); the orders module will declare ordered amount and payments received the
same way, from its own `metrics.py` imported by its `AppConfig.ready()`:

    from kehu.core.metrics import Metric, register

    register(Metric("orders.ordered_amount", _("Ordered amount"), "money", actuals=ordered_by_month, order=60))

`actuals(user_ids, start, end)` returns `{(user_id, first day of the month): value}` for the records of those
people (the record's owner, author or visitor — whoever the metric credits) dated in `[start, end)`; one
grouped query, never one per person or month. `pipeline(user_ids, start, end)`, for money metrics an open
pipeline can still fill, returns the weighted open pipeline expected in each month, the same shape; it makes
the targets page show the pipeline coverage. Achievement is always computed from these, never typed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

Monthly = dict[tuple[int, date], Decimal]


@dataclass(frozen=True)
class Metric:
    key: str  # "<app>.<what>", stored on every target: never rename
    label: str
    unit: str  # "money" or "count"
    actuals: Callable[[list[int], date, date], Monthly]
    order: int = 100
    pipeline: Callable[[list[int], date, date], Monthly] | None = None

    def __post_init__(self):
        if self.unit not in {"money", "count"}:
            raise ValueError(f"metric {self.key!r}: unit must be 'money' or 'count'")


_metrics: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    _metrics[metric.key] = metric
    return metric


def get(key: str) -> Metric | None:
    return _metrics.get(key)


def all_metrics() -> list[Metric]:
    return sorted(_metrics.values(), key=lambda m: (m.order, m.key))


def month_key(value) -> date:
    """The first day of the month of a date or (local) datetime: the key every `actuals` result uses."""
    if hasattr(value, "date") and callable(value.date):
        from django.utils import timezone

        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return date(value.year, value.month, 1)


def grouped(rows) -> Monthly:
    """`{(user_id, month): value}` from (user_id, month date or datetime, value) rows, summing repeats."""
    result: Monthly = {}
    for user_id, month, value in rows:
        key = (user_id, month_key(month))
        result[key] = result.get(key, Decimal(0)) + Decimal(value or 0)
    return result
