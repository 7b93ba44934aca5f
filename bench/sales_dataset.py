"""Opportunities on top of the cached customer data (`bench.customers_dataset`): 1,000,000 at scale 1, on the owned
customers, with the customer's owner and department, over the built-in stages (the product's defaults), 60% open,
25% lost, 15% won, 2% waiting for approval. Cached like the customer data (marker "opportunities" in bench_meta)."""

import random
import time
from array import array
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.db import connection, transaction

from bench import customers_dataset, dataset
from bench.customers_dataset import (
    END,
    SPAN,
    _analyze,
    _create_indexes,
    _drop_indexes,
    _insert,
    _Loading,
    _secondary_indexes,
    _Timestamps,
)
from kehu.customers.models import Customer
from kehu.sales.models import Opportunity, Stage

VERSION = 1
SEED = 20261201
MARKER_KEY = "opportunities"
BASE = 1_000_000
MINIMUM = 500
NAMES = ["ERP 升级", "MES 一期", "数据中台", "WMS 仓储", "CRM 实施", "OA 协同", "BI 报表", "云服务器年包"]


@dataclass
class Counts:
    opportunities: int

    @classmethod
    def for_scale(cls, scale: float) -> "Counts":
        return cls(max(MINIMUM, round(BASE * scale)))


@dataclass
class SalesData:
    counts: Counts
    build_seconds: float | None


def _log(message: str) -> None:
    dataset._log(f"opportunities: {message}")


def _clear() -> None:
    from kehu.sales.models import (
        OpportunityEvent,
        OpportunityFollowUp,
        OpportunityLine,
        OpportunityMember,
        StageHistory,
    )

    models = [OpportunityFollowUp, OpportunityEvent, StageHistory, OpportunityLine, OpportunityMember]
    tables = [m._meta.db_table for m in models]
    tables += [Opportunity.contacts.through._meta.db_table, Opportunity.competitors.through._meta.db_table]
    tables += [Opportunity.history.model._meta.db_table, Opportunity._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(connection.ops.quote_name(t) for t in tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


def build(data, counts: Counts) -> dict:
    started = time.monotonic()
    rng = random.Random(SEED)
    owners, departments = array("q"), array("q")
    customers = array("q")
    for pk, owner, department in (
        Customer.objects.filter(owner__isnull=False, status=Customer.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", "owner_id", "owner_department_id")
        .iterator(chunk_size=50_000)
    ):
        customers.append(pk)
        owners.append(owner)
        departments.append(department)
    stages = list(Stage.objects.filter(is_active=True).order_by("position"))
    weights = [max(30 - 5 * i, 5) for i in range(len(stages))]
    stamp = _Timestamps()
    start_day = (END - timedelta(seconds=SPAN)).date()
    table = Opportunity._meta.db_table
    n = counts.opportunities

    def rows():
        for i in range(n):
            pk = i + 1
            k = rng.randrange(len(customers))
            stage = rng.choices(stages, weights)[0]
            roll = rng.random()
            status = "open" if roll < 0.6 else ("lost" if roll < 0.85 else "won")
            created = rng.uniform(0, SPAN * 0.95)
            entered = rng.uniform(created, SPAN)
            amount = f"{rng.randrange(10, 30000) * 100}.00"
            close_day = start_day + timedelta(days=int(rng.uniform(created, SPAN) / 86400) + rng.randrange(0, 120))
            closed_on = close_day if status != "open" else None
            rots = stamp(entered + stage.rotting_days * 86400) if status == "open" and stage.rotting_days else None
            yield (
                pk,
                1,  # version
                stamp(entered),  # updated_at
                owners[k],  # updated_by
                owners[k],
                departments[k],
                f"OP-B-{pk:08d}",
                customers[k],
                f"{rng.choice(NAMES)}-{pk}",
                amount,
                close_day,
                stage.pk,
                status,
                "pending" if rng.random() < 0.02 and status == "open" else "active",
                amount if status == "won" else None,
                closed_on,
                stamp(entered),  # stage_entered_at
                stamp(entered),  # last_activity_at
                rots,
                owners[k],  # created_by
                stamp(created),
                "",  # description
                "",  # next_step
                "",  # result_note
            )

    columns = [
        "id",
        "version",
        "updated_at",
        "updated_by_id",
        "owner_id",
        "owner_department_id",
        "number",
        "customer_id",
        "name",
        "amount",
        "expected_close_date",
        "stage_id",
        "status",
        "approval_status",
        "won_amount",
        "closed_on",
        "stage_entered_at",
        "last_activity_at",
        "rots_at",
        "created_by_id",
        "created_at",
        "description",
        "next_step",
        "result_note",
    ]
    with _Loading():
        _clear()
        indexes = _secondary_indexes([table])
        _drop_indexes(indexes)
        with transaction.atomic():
            _insert(Opportunity, columns, rows())
        _log("rebuilding indexes")
        _create_indexes(indexes)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {n})")
    _analyze([table])
    meta = {
        "version": VERSION,
        "seed": SEED,
        "counts": asdict(counts),
        "customers": customers_dataset._read_marker().get("counts") if customers_dataset._read_marker() else None,
        "build_seconds": time.monotonic() - started,
    }
    dataset.write_marker(MARKER_KEY, meta)
    return meta


_prepared: dict[tuple, SalesData] = {}


def prepare(data) -> SalesData:
    key = (data.db, data.scale)
    if key in _prepared:
        return _prepared[key]
    customers_dataset.prepare(data)
    counts = Counts.for_scale(data.scale)
    meta = dataset.read_marker(MARKER_KEY)
    current = customers_dataset._read_marker()
    fresh = (
        meta
        and meta.get("version") == VERSION
        and meta.get("counts") == asdict(counts)
        and meta.get("customers") == (current or {}).get("counts")
        and Opportunity.objects.filter(pk__lte=counts.opportunities).count() == counts.opportunities
    )
    built = not fresh
    if built:
        _log("building")
        meta = build(data, counts)
    result = SalesData(counts=counts, build_seconds=meta["build_seconds"] if built else None)
    _prepared[key] = result
    return result
