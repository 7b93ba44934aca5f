"""The approval lists walk an index on both databases, newest first, with no sort of the rows in the box
(issue 8 "Missing indexes": the ops' "all approvals" list on `started_at`, the done box on `acted_at`; issue 9).

The querysets are built here the way the inboxes build them (kehu/approvals/queries.py): an assignee's tasks of
one state or kind, or the instances a user may see, ordered `(field, pk)` in one direction.

PostgreSQL: the real plans (no planner switches), with statistics (`ANALYZE`) over 20,000 approvals and 60,000
tasks among 30 people.
"""

import random
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from kehu.approvals.models import FlowDefinition, FlowInstance, FlowTask
from tests.factories import UserFactory
from tests.support.plan_data import loaded_once
from tests.support.plans import analyze, assert_walks

pytestmark = pytest.mark.django_db

INSTANCES = 20_000
PAGE = 20
Task = FlowTask


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with loaded_once(django_db_blocker):
        rng = random.Random(9)
        people = [UserFactory(username=f"approver{n}", name=f"审批人{n}") for n in range(30)]
        definition = FlowDefinition.objects.create(
            doc_type="tests.expense", version=1, name="报销审批", status=FlowDefinition.Status.PUBLISHED
        )
        now = timezone.now()
        instances = FlowInstance.objects.bulk_create(
            (
                FlowInstance(
                    definition=definition,
                    doc_type="tests.expense",
                    object_id=n,
                    title=f"报销 {n}",
                    submitter=rng.choice(people),
                    state=FlowInstance.State.APPROVED,
                    started_at=now - timedelta(days=rng.uniform(0, 700)),
                )
                for n in range(INSTANCES)
            ),
            batch_size=2_000,
        )
        tasks = []
        for instance in instances:
            for kind in (Task.Kind.APPROVAL, Task.Kind.REVIEW, Task.Kind.CC):
                created = instance.started_at + timedelta(hours=rng.uniform(0, 48))
                done = rng.random() < 0.95
                tasks.append(
                    FlowTask(
                        instance=instance,
                        node_id="n1",
                        node_name="主管审批",
                        kind=kind,
                        assignee=rng.choice(people),
                        state=Task.State.DONE if done else Task.State.OPEN,
                        created_at=created,
                        acted_at=created + timedelta(hours=rng.uniform(0, 24)) if done else None,
                    )
                )
        FlowTask.objects.bulk_create(tasks, batch_size=5_000)
        analyze()
        yield SimpleNamespace(people=people)


def page(queryset, number: int):
    start = (number - 1) * PAGE
    return queryset[start : start + PAGE]


def test_all_approvals_walk_the_start_index(world):
    """Ops' "all approvals" (approvals.manage: every instance), newest submission first, pages 1 and 50."""
    everything = FlowInstance.objects.order_by("-started_at", "-pk")
    for number in (1, 50):
        assert_walks(page(everything, number), "flowinstance_started_idx")


def test_submitted_by_me_walks_the_submitter_index(world):
    """One person's submissions (about 670 here). SQLite: the real plan. PostgreSQL: shape only (sequential scans
    and sorts off) — for so few rows it rightly prefers a bitmap scan and sorting them, so the test proves that
    the index delivers this order, for when one person's submissions are many."""
    mine = FlowInstance.objects.filter(submitter=world.people[0]).order_by("-started_at", "-pk")
    for number in (1, 10):
        assert_walks(page(mine, number), "flowinstance_submitter_idx", shape_only=True)


def test_the_done_box_walks_the_done_index(world):
    """What I handled (已办): my done approvals and reviews, the latest handled first."""
    done = FlowTask.objects.filter(
        assignee=world.people[0], state=Task.State.DONE, kind__in=[Task.Kind.APPROVAL, Task.Kind.REVIEW]
    ).order_by("-acted_at", "-pk")
    for number in (1, 10):  # about 1,270 tasks each: 63 pages
        assert_walks(page(done, number), "flowtask_done_idx")


def test_copied_to_me_walks_the_cc_index(world):
    copied = FlowTask.objects.filter(assignee=world.people[0], kind=Task.Kind.CC).order_by("-created_at", "-pk")
    for number in (1, 10):
        assert_walks(page(copied, number), "flowtask_cc_idx")
