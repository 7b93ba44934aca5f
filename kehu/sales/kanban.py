"""The pipeline kanban: per stage in use, the count and total amount of the user's open opportunities and the first
cards. The rows are the opportunity list's (`OPPORTUNITIES`: visible_to, the same filters and saved views), so the
board and the list never disagree."""

from decimal import Decimal

from django.db.models import Count, Q, Sum

from kehu.org.scope import effective_scope
from kehu.sales.models import Opportunity, Stage
from kehu.sales.resources import OPPORTUNITIES

CARDS_PER_STAGE = 20
CENT = Decimal("0.01")


def _totals_parts(user, mine: bool):
    """The open opportunities the board counts, as disjoint querysets whose union is exactly what
    `Opportunity.objects.visible_to(user).open()` (narrowed to the user's own and team for `mine`) returns, each
    answered from one index: each department of the scope (the covering index (status, owner_department, stage,
    amount), one seek a department), the user's own outside them, and the ones shared with them (team member)
    outside both. One OR over all three — or even "department IN (...)", which both planners answer from the
    (status, stage) index to save the grouping — makes them read every open row of the table instead."""
    visible = Opportunity.objects.visible_to(user).open()
    shared = Opportunity.shared_with_q(user, "view")
    if mine:
        return [visible.filter(owner=user), visible.exclude(owner=user).filter(shared)]
    if visible.query.is_empty():
        return []
    scope = effective_scope(user, "opportunities", "view")
    if scope.everything:
        return [Opportunity.objects.open()]
    departments = sorted(scope.department_ids)
    parts = [Opportunity.objects.open().filter(owner_department_id=department) for department in departments]
    outside = Opportunity.objects.open().exclude(owner_department_id__in=departments)
    parts.append(outside.filter(owner=user))
    parts.append(outside.exclude(owner=user).filter(shared))
    return parts


def read_board(user, params=None, cards: int = CARDS_PER_STAGE, mine: bool = False) -> dict:
    """The open opportunities of the user's scope by stage: per stage in use, its count and total amount (one
    grouped query per part of the scope, `_totals_parts`) and its first `cards` cards by expected close date
    (one query a stage, walking (status, stage, expected_close_date, id)). The number of stages, not of rows,
    sets the query count. `params` are the list's filters (saved views …), applied alike to both."""
    params = params or {}
    rows = Opportunity.objects.visible_to(user).open()
    if mine:
        rows = rows.filter(Q(owner=user) | Q(Opportunity.shared_with_q(user, "view")))
    rows, filters = OPPORTUNITIES.filter(rows, params)
    invalid = filters is not None and filters.is_bound and not filters.is_valid()
    stages = list(Stage.objects.filter(is_active=True).order_by("position", "pk"))
    totals: dict[int, dict] = {}
    for part in [] if invalid else _totals_parts(user, mine):
        part, _filters = OPPORTUNITIES.filter(part, params)
        for row in part.order_by().values("stage").annotate(count=Count("pk"), total=Sum("amount")):
            found = totals.setdefault(row["stage"], {"count": 0, "total": Decimal(0)})
            found["count"] += row["count"]
            found["total"] += row["total"] or 0
    columns = []
    for stage in stages:
        found = totals.get(stage.pk, {})
        first = list(
            rows.filter(stage=stage).select_related("customer", "owner").order_by("expected_close_date", "pk")[:cards]
        )
        total = Decimal(found.get("total") or 0).quantize(CENT)  # SQLite's SUM drops the scale
        columns.append({"stage": stage, "count": found.get("count", 0), "total": total, "cards": first})
    return {"columns": columns, "filters": filters}
