"""Opportunities and targets for the targets and forecast benchmarks.

Opportunities come from the opportunities data set (`bench.sales_dataset`, issue 12's kanban and list benchmarks)
when the tree has it; until then this module loads its own: 1,000,000 × scale opportunities over the people of the
base data set and the customers of the customers data set, across the year before and the year of `YEAR`, with
realistic stages, win rates and amounts. Targets: every person of the base data set, every month of `YEAR`, for
won amount, plus a target for every department. Cached like the other parts (`bench_meta` marker)."""

import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction

from bench import customers_dataset, dataset
from kehu.customers.models import Customer
from kehu.org.models import Department, Role, RoleGrant, User
from kehu.sales.models import Opportunity, Stage
from kehu.sales.targets.models import Target

VERSION = 1
SEED = 20261201
YEAR = 2026
BASE_OPPORTUNITIES = 1_000_000
MINIMUM_OPPORTUNITIES = 500
MARKER = "sales_targets"
BENCH_ROLE = "bench_sales"
TEAM_SIZE = 50  # the department whose year page is benchmarked: the one closest to this many people


@dataclass
class TargetsData:
    opportunities: int
    targets: int
    department_id: int  # a department of about TEAM_SIZE people (subtree) in the manager's scope
    department_people: int
    build_seconds: float | None


def _log(message: str) -> None:
    dataset._log(f"sales targets: {message}")


def _opportunity_rows(n: int, rng: random.Random):
    users = list(User.objects.order_by("pk").values_list("pk", "department_id"))
    customers = list(Customer.objects.filter(owner__isnull=False).values_list("pk", "owner_id")[:200_000])
    by_owner: dict[int, list[int]] = {}
    for pk, owner in customers:
        by_owner.setdefault(owner, []).append(pk)
    department_of = dict(users)
    owners = [pk for pk, _d in users if pk in by_owner]
    stages = list(Stage.objects.filter(is_active=True).order_by("position").values_list("pk", "probability"))
    adapt = connection.ops.adapt_datetimefield_value
    start = date(YEAR - 1, 1, 1)
    now = datetime(YEAR, 12, 31, tzinfo=UTC)
    skill = {owner: rng.uniform(0.15, 0.45) for owner in owners}  # win rate per rep
    for i in range(n):
        owner = rng.choice(owners)
        day = start + timedelta(days=rng.randrange(730))
        created = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) - timedelta(days=rng.randrange(120))
        amount = Decimal(rng.randrange(10_000, 3_000_000)).quantize(Decimal(1))
        roll = rng.random()
        stage, _p = rng.choice(stages)
        status, won_amount, closed_on = "open", None, None
        if roll < 0.55:
            status = "won" if rng.random() < skill[owner] * 2 else "lost"
            closed_on = day
            won_amount = (amount * Decimal(rng.choice(("1", "0.95", "0.9")))).quantize(Decimal("0.01"))
            if status == "lost":
                won_amount = None
        approval = "active" if rng.random() > 0.02 else "pending"
        stamp = adapt(created)
        yield (
            i + 1,
            1,
            adapt(now),
            None,
            owner,
            department_of[owner],
            f"OP-B-{i + 1:08d}",
            rng.choice(by_owner[owner]),
            f"商机{i + 1}",
            amount,
            day,
            stage,
            status,
            approval,
            None,
            None,
            "",
            "",
            won_amount,
            closed_on,
            None,
            None,
            "",
            stamp,
            stamp,
            None,
            None,
            None,
            stamp,
        )


def _load_opportunities(n: int, rng: random.Random) -> None:
    fields = [f.attname for f in Opportunity._meta.concrete_fields]
    Opportunity.objects.all().delete()
    with transaction.atomic():
        dataset._insert(Opportunity, fields, _opportunity_rows(n, rng))
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Opportunity]):
            cursor.execute(sql)


def _load_targets(rng: random.Random) -> int:
    Target.objects.filter(year=YEAR).delete()
    people = list(User.objects.filter(department__isnull=False).values_list("pk", "department_id"))
    now = datetime(YEAR, 1, 2, tzinfo=UTC)
    rows = [
        Target(
            metric="sales.won_amount",
            year=YEAR,
            month=m,
            user_id=pk,
            department_id=d,
            updated_at=now,
            amount=Decimal(rng.randrange(200_000, 2_000_000, 10_000)),
        )
        for pk, d in people
        for m in range(1, 13)
    ]
    rows += [
        Target(
            metric="sales.won_amount",
            year=YEAR,
            month=m,
            department_id=d,
            updated_at=now,
            amount=Decimal(rng.randrange(2_000_000, 20_000_000, 100_000)),
        )
        for d in Department.objects.values_list("pk", flat=True)
        for m in range(1, 13)
    ]
    Target.objects.bulk_create(rows, batch_size=dataset.BATCH)
    return len(rows)


def _grant_manager(data) -> None:
    """The benchmarked manager may see (and set) targets and see opportunities of his region and below."""
    role, _ = Role.objects.get_or_create(code=BENCH_ROLE, defaults={"name_zh": "基准销售", "name_en": "Bench sales"})
    for module, actions in (("targets", ["view", "change"]), ("opportunities", ["view"])):
        RoleGrant.objects.update_or_create(
            role=role, module=module, defaults={"actions": actions, "scope": "department_tree"}
        )
    User.objects.get(pk=data.manager_id).roles.add(role)


def _team(data) -> tuple[int, int]:
    """The department in the manager's scope whose subtree holds the number of people closest to TEAM_SIZE."""
    departments = list(Department.objects.filter(pk__in=data.manager_department_ids).order_by("path"))
    counts = {d.pk: 0 for d in departments}
    paths = {d.pk: d.path for d in departments}
    for department_path in User.objects.filter(department__in=departments).values_list("department__path", flat=True):
        for pk, path in paths.items():
            if department_path.startswith(path):
                counts[pk] += 1
    best = min(counts, key=lambda pk: (abs(counts[pk] - TEAM_SIZE), pk))
    return best, counts[best]


def prepare(data) -> TargetsData:
    customers_dataset.prepare(data)
    n = max(MINIMUM_OPPORTUNITIES, round(BASE_OPPORTUNITIES * data.scale))
    wanted = {"version": VERSION, "seed": SEED, "opportunities": n, "base": data.counts.users}
    marker = dataset.read_marker(MARKER)
    started = time.perf_counter()
    built = None
    if marker != wanted:
        rng = random.Random(SEED)
        shared = None
        try:
            from bench import sales_dataset  # the opportunities data set, once the tree has it
        except ImportError:
            sales_dataset = None
        if sales_dataset is not None:
            shared = sales_dataset.prepare(data)
        if shared is None:
            _log(f"loading {n:,} opportunities")
            _load_opportunities(n, rng)
        _log("loading targets")
        _load_targets(rng)
        _grant_manager(data)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
            else:
                cursor.execute("ANALYZE")
        dataset.write_marker(MARKER, wanted)
        built = round(time.perf_counter() - started, 1)
        _log(f"built in {built:.1f}s")
    department, people = _team(data)
    return TargetsData(Opportunity.objects.count(), Target.objects.filter(year=YEAR).count(), department, people, built)
