"""The read side of targets: achievement of a person or a department (its subtree) for a year, month by month,
and the tree of what a viewer may see. A fixed number of queries whatever the size of the department: the
subtree, its people, the visible targets, one grouped query for the actuals and one for the pipeline."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.http import Http404

from kehu.core import metrics
from kehu.org.models import Department, User
from kehu.org.scope import effective_scope, has_module_perm
from kehu.sales.targets import arithmetic as calc
from kehu.sales.targets.models import Target

ZERO = Decimal(0)


@dataclass
class Figures:
    target: Decimal
    actual: Decimal
    pipeline: Decimal | None  # weighted open pipeline expected in the period (money metrics with a pipeline)
    rate: Decimal | None = None
    gap: Decimal = ZERO
    coverage: Decimal | None = None
    target_set: bool = True  # False: no target at all in the period

    def __post_init__(self):
        self.rate = calc.rate(self.target, self.actual)
        self.gap = calc.gap(self.target, self.actual)
        self.coverage = calc.coverage(self.pipeline, self.gap) if self.pipeline is not None else None


@dataclass
class Line:
    """One row of the targets page: a department (its subtree) or a person."""

    kind: str  # "department" or "person"
    obj: object
    depth: int
    months_target: dict[int, Decimal]
    months_actual: dict[int, Decimal]
    months_pipeline: dict[int, Decimal] | None
    own_target: bool = True  # a department: its own target (False: the sum of its people's)
    figures: Figures | None = None
    versions: dict[int, int] = field(default_factory=dict)

    def period(self, months) -> Figures:
        pipeline = calc.roll_up(self.months_pipeline, months) if self.months_pipeline is not None else None
        return Figures(
            calc.roll_up(self.months_target, months),
            calc.roll_up(self.months_actual, months),
            pipeline,
            target_set=any(m in self.months_target for m in months),
        )

    def series(self, kind: str) -> list[tuple[str, Figures]]:
        """The chart's points: twelve months, or four quarters."""
        if kind == "quarter":
            return [(f"Q{q}", self.period(calc.period_months("quarter", q))) for q in range(1, 5)]
        return [(f"{m}", self.period([m])) for m in range(1, 13)]


@dataclass
class Report:
    metric: metrics.Metric
    year: int
    kind: str
    index: int
    subject: Line
    lines: list[Line]

    @property
    def months(self) -> list[int]:
        return calc.period_months(self.kind, self.index)


def visible_department_ids(viewer, action: str = "view") -> set[int] | None:
    """Departments whose targets the viewer may see (None: every department)."""
    if not has_module_perm(viewer, "targets", "view") or not has_module_perm(viewer, "targets", action):
        return set()
    scope = effective_scope(viewer, "targets", action)
    return None if scope.everything else set(scope.department_ids)


def may_see_person(viewer, person: User, departments: set[int] | None) -> bool:
    if not has_module_perm(viewer, "targets", "view"):
        return False
    return departments is None or person.pk == viewer.pk or person.department_id in departments


def tree_roots(viewer) -> list[Department]:
    """The highest departments of the viewer's scope (each with its subtree visible below it)."""
    ids = visible_department_ids(viewer)
    departments = Department.objects.order_by("path")
    if ids is not None:
        departments = departments.filter(pk__in=ids)
    roots, paths = [], []
    for department in departments:
        if not any(department.path.startswith(p) for p in paths):
            roots.append(department)
            paths.append(department.path)
    return roots


def department_for(viewer, pk) -> Department:
    department = Department.objects.filter(pk=pk).first()
    ids = visible_department_ids(viewer)
    if department is None or (ids is not None and department.pk not in ids):
        raise Http404
    return department


def person_for(viewer, pk) -> User:
    person = User.objects.filter(pk=pk).select_related("department").first()
    if person is None or not may_see_person(viewer, person, visible_department_ids(viewer)):
        raise Http404
    return person


def default_subject(viewer) -> tuple[str, object]:
    ids = visible_department_ids(viewer)
    if viewer.department_id and (ids is None or viewer.department_id in ids):
        return "department", viewer.department
    roots = tree_roots(viewer)
    if roots:
        return "department", roots[0]
    return "person", viewer


def _by_month(monthly: metrics.Monthly, year: int, unit: str) -> dict[int, dict[int, Decimal]]:
    """{user_id: {month: value}} of one year from a metric's `{(user_id, month date): value}`, money to the cent
    and counts whole (as the database's sums may come back with any exponent)."""
    exponent = Decimal("0.01") if unit == "money" else Decimal(1)
    result: dict[int, dict[int, Decimal]] = {}
    for (user_id, month), value in monthly.items():
        if month.year == year:
            per = result.setdefault(user_id, {})
            per[month.month] = (per.get(month.month, ZERO) + value).quantize(exponent)
    return result


def _sum_months(parts) -> dict[int, Decimal]:
    total: dict[int, Decimal] = {}
    for part in parts:
        for month, value in part.items():
            total[month] = total.get(month, ZERO) + value
    return total


def report(viewer, metric: metrics.Metric, year: int, *, department=None, person=None, kind="year", index=1):
    """Achievement of `department` (and each department and person of its subtree the viewer may see) or of one
    `person`, for `year`; the period (`kind`, `index`) picks the figures of each line."""
    calc.period_months(kind, index)  # ValueError on a bad period
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    visible = visible_department_ids(viewer)
    if person is not None:
        departments = []
        people = [person]
    else:
        departments = list(Department.objects.filter(path__startswith=department.path).order_by("path"))
        people = list(
            User.objects.filter(department__in=[d.pk for d in departments])
            .select_related("department")
            .order_by("name", "pk")
        )
    people_ids = [p.pk for p in people]
    targets = Target.objects.visible_to(viewer).filter(metric=metric.key, year=year)
    targets = targets.filter(
        Q(user_id__in=people_ids) | Q(user__isnull=True, department__in=[d.pk for d in departments])
    )
    person_targets: dict[int, dict[int, Decimal]] = {}
    department_targets: dict[int, dict[int, Decimal]] = {}
    versions: dict[tuple, int] = {}
    for user_id, department_id, month, amount, version in targets.values_list(
        "user_id", "department_id", "month", "amount", "version"
    ):
        if user_id is not None:
            person_targets.setdefault(user_id, {})[month] = amount
            versions[("person", user_id, month)] = version
        else:
            department_targets.setdefault(department_id, {})[month] = amount
            versions[("department", department_id, month)] = version
    actuals = _by_month(metric.actuals(people_ids, start, end), year, metric.unit) if people_ids else {}
    pipeline = None
    if metric.pipeline is not None:
        pipeline = _by_month(metric.pipeline(people_ids, start, end), year, "money") if people_ids else {}

    def person_line(p, depth):
        return Line(
            "person",
            p,
            depth,
            person_targets.get(p.pk, {}),
            actuals.get(p.pk, {}),
            pipeline.get(p.pk, {}) if pipeline is not None else None,
            versions={m: v for (k, pk, m), v in versions.items() if k == "person" and pk == p.pk},
        )

    if person is not None:
        subject = person_line(person, 0)
        lines = []
    else:
        lines = []
        subject = None
        base_depth = department.depth
        for node in departments:
            members = [p for p in people if p.department.path.startswith(node.path)]
            own = department_targets.get(node.pk, {})
            people_sum = _sum_months(person_targets.get(p.pk, {}) for p in members)
            months_target = {
                m: calc.department_target(own.get(m), people_sum.get(m, ZERO)) for m in set(own) | set(people_sum)
            }
            line = Line(
                "department",
                node,
                node.depth - base_depth,
                months_target,
                _sum_months(actuals.get(p.pk, {}) for p in members),
                _sum_months(pipeline.get(p.pk, {}) for p in members) if pipeline is not None else None,
                own_target=bool(own),
                versions={m: v for (k, pk, m), v in versions.items() if k == "department" and pk == node.pk},
            )
            if node.pk == department.pk:
                subject = line
            if visible is None or node.pk in visible:
                lines.append(line)
                lines.extend(
                    person_line(p, node.depth - base_depth + 1)
                    for p in people
                    if p.department_id == node.pk and may_see_person(viewer, p, visible)
                )
    months = calc.period_months(kind, index)
    for line in [subject, *lines]:
        line.figures = line.period(months)
    return Report(metric, year, kind, index, subject, lines)
