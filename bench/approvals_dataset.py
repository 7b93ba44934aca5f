"""Approvals on top of the cached data set of `bench.dataset` (its 500 people): at scale 1, 200,000 finished
approvals (each with its two done tasks and four trail rows) and 10,000 running ones, each with one open task,
spread over the people — the benchmarked manager holds OPEN_FOR_MANAGER of them, so his to-do list has full
pages. Built once per database and scale (marker row "approvals" in `bench_meta`); bump VERSION when the
generated data changes.
"""

import json
import random
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction

from bench import dataset
from kehu.approvals.models import FlowAction, FlowDefinition, FlowInstance, FlowTask
from kehu.org.models import User

VERSION = 1
SEED = 20261129
MARKER_KEY = "approvals"
BASE = {"finished": 200_000, "running": 10_000}
MINIMUM = {"finished": 500, "running": 200}
OPEN_FOR_MANAGER = 60
BATCH = 5_000
DOC_TYPE = "customers.create"
START = datetime(2025, 1, 1, tzinfo=UTC)
GRAPH = {
    "start": "n1",
    "nodes": {
        "n1": {
            "type": "approval",
            "name": "部门主管审批",
            "approvers": {"kind": "department_head"},
            "mode": "any",
            "next": "n2",
        },
        "n2": {
            "type": "approval",
            "name": "销售运营审核",
            "approvers": {"kind": "users", "users": []},
            "mode": "any",
            "next": "end",
        },
    },
}


@dataclass(frozen=True)
class Counts:
    finished: int
    running: int

    @classmethod
    def for_scale(cls, scale: float) -> "Counts":
        return cls(**{k: max(MINIMUM[k], round(v * scale)) for k, v in BASE.items()})


@dataclass
class ApprovalData:
    counts: Counts
    definition_id: int
    build_seconds: float | None


def _log(message: str) -> None:
    dataset._log(f"approvals: {message}")


def _cached(data, counts: Counts) -> dict | None:
    meta = dataset.read_marker(MARKER_KEY)
    if not meta or meta.get("version") != VERSION or meta.get("counts") != asdict(counts):
        return None
    if meta.get("manager_id") != data.manager_id:
        return None
    running = FlowInstance.objects.filter(state="running").count()
    finished = FlowInstance.objects.exclude(state="running").count()
    return meta if (finished, running) == (counts.finished, counts.running) else None


def build(data, counts: Counts) -> dict:
    started = time.perf_counter()
    rng = random.Random(SEED)
    people = list(User.objects.order_by("pk").values_list("pk", flat=True))
    others = [pk for pk in people if pk != data.manager_id]
    with transaction.atomic():
        FlowAction.objects.all().delete()
        FlowTask.objects.all().delete()
        FlowInstance.objects.all().delete()
        FlowDefinition.objects.all().delete()
        graph = json.loads(json.dumps(GRAPH))
        graph["nodes"]["n2"]["approvers"]["users"] = [others[0]]
        definition = FlowDefinition.objects.create(
            doc_type=DOC_TYPE, version=1, name="新客户审批", graph=graph, status="published", published_at=START
        )
    total = counts.finished + counts.running
    manager_open = set(rng.sample(range(counts.finished, total), min(OPEN_FOR_MANAGER, counts.running)))
    for first in range(0, total, BATCH):
        with transaction.atomic():
            instances, plans = [], []
            for n in range(first, min(first + BATCH, total)):
                running = n >= counts.finished
                submitter = rng.choice(people)
                at = START + timedelta(seconds=n * 90 + rng.randrange(60))
                instances.append(
                    FlowInstance(
                        definition=definition,
                        doc_type=DOC_TYPE,
                        object_id=n + 1,
                        title=f"客户{n:07d}有限公司",
                        submitter_id=submitter,
                        state="running" if running else rng.choice(["approved"] * 8 + ["rejected", "withdrawn"]),
                        current_node="n1" if running else "",
                        path=["n1"] if running else ["n1", "n2"],
                        form={"name": f"客户{n:07d}有限公司", "level": rng.choice("abc")},
                        started_at=at,
                        finished_at=None if running else at + timedelta(hours=rng.randint(1, 72)),
                    )
                )
                head = data.manager_id if n in manager_open else rng.choice(others)
                plans.append((running, submitter, head, at))
            created = FlowInstance.objects.bulk_create(instances)
            tasks, actions = [], []
            for instance, (running, submitter, head, at) in zip(created, plans, strict=True):
                if running:
                    tasks.append(
                        FlowTask(
                            instance=instance, node_id="n1", node_name="部门主管审批", assignee_id=head, created_at=at
                        )
                    )
                    actions.append(
                        FlowAction(instance=instance, node_id="n1", kind="submit", actor_id=submitter, created_at=at)
                    )
                    continue
                done = at + timedelta(hours=1)
                for node_id, name, who in (("n1", "部门主管审批", head), ("n2", "销售运营审核", others[0])):
                    tasks.append(
                        FlowTask(
                            instance=instance,
                            node_id=node_id,
                            node_name=name,
                            assignee_id=who,
                            state="done",
                            result="approved",
                            created_at=at,
                            acted_at=done,
                        )
                    )
                for kind, who in (("submit", submitter), ("approve", head), ("approve", others[0]), ("finish", None)):
                    actions.append(
                        FlowAction(instance=instance, node_id="n1", kind=kind, actor_id=who, created_at=done)
                    )
            FlowTask.objects.bulk_create(tasks)
            FlowAction.objects.bulk_create(actions)
        if (first // BATCH) % 10 == 0:
            _log(f"{min(first + BATCH, total):,} of {total:,} approvals")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "PRAGMA optimize")
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
    meta = {
        "version": VERSION,
        "counts": asdict(counts),
        "manager_id": data.manager_id,
        "definition_id": definition.pk,
        "build_seconds": time.perf_counter() - started,
    }
    with transaction.atomic():
        dataset.write_marker(MARKER_KEY, meta)
    return meta


_prepared: dict[tuple, ApprovalData] = {}


def prepare(data, rebuild: bool = False) -> ApprovalData:
    key = (data.db, data.scale)
    if key in _prepared:
        return _prepared[key]
    counts = Counts.for_scale(data.scale)
    meta = None if rebuild else _cached(data, counts)
    built = meta is None
    if built:
        _log("building")
        meta = build(data, counts)
    result = ApprovalData(counts, meta["definition_id"], meta["build_seconds"] if built else None)
    _prepared[key] = result
    return result
