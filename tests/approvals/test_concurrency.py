"""Approvers racing each other on real, committed transactions (SQLite here; PostgreSQL in CI): two approvers of
an any-one step, or one approver's double click, advance the flow exactly once."""

import threading

import pytest
from django.db import connection

from kehu.approvals import services
from kehu.approvals.models import FlowAction, FlowTask
from kehu.org.models import User
from tests.approvals.helpers import approval, flow, people, publish, submit, task_of
from tests.support import threads

pytestmark = pytest.mark.django_db(transaction=True)


def approve(user_pk, task_pk):
    user = User.objects.get(pk=user_pk)
    services.approve(user, task_pk, "ok")
    return user.username


def race(jobs):
    """Each `(user_pk, task_pk)` approval in its own thread and connection, all released at once."""
    return threads.race(approve, jobs, success="approved")


def test_two_approvers_of_an_any_one_step_advance_the_flow_once(org):
    graph = flow(
        {
            "n1": approval("经理或总监", people(org.manager, org.director, org.dept_viewer), "n2"),
            "n2": approval("运营", people(org.admin)),
        }
    )
    publish(org.admin, graph)
    for _round in range(3):
        instance = submit(org.rep)
        jobs = [(u.pk, task_of(u, instance).pk) for u in (org.manager, org.director, org.dept_viewer)]
        outcomes = race(jobs)
        assert [kind for kind, _ in outcomes if kind == "error"] == [], outcomes
        winners = [who for kind, who in outcomes if kind == "approved"]
        assert len(winners) == 1, outcomes
        refusals = [messages[0] for kind, messages in outcomes if kind == "refused"]
        assert len(refusals) == 2
        winner = User.objects.get(username=winners[0])
        for message in refusals:
            assert message.startswith(f"This was already handled: {winner.display_name} — Approved at ")
        assert FlowAction.objects.filter(instance=instance, kind="approve").count() == 1
        assert list(FlowTask.objects.filter(instance=instance, node_id="n2").values_list("assignee", flat=True)) == [
            org.admin.pk
        ]
        instance.refresh_from_db()
        assert (instance.state, instance.current_node) == ("running", "n2")


def test_a_double_click_on_the_last_step_finishes_the_flow_once(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    task = task_of(org.manager, instance)
    outcomes = race([(org.manager.pk, task.pk)] * 4)
    assert sorted(kind for kind, _ in outcomes) == ["approved", "refused", "refused", "refused"], outcomes
    assert FlowAction.objects.filter(instance=instance, kind="finish").count() == 1
    instance.refresh_from_db()
    assert instance.state == "approved"
    from tests.scoped_app.models import Expense

    assert Expense.objects.get(pk=instance.object_id).status == "approved"


def test_two_workers_handling_time_outs_at_once_remind_each_task_once(org):
    from datetime import timedelta

    from django.utils import timezone

    from kehu.notify.models import Message

    publish(org.admin, flow({"n1": approval("经理", people(org.manager, org.director), mode="all", timeout_hours=2)}))
    instances = [submit(org.rep) for _ in range(3)]
    later = timezone.now() + timedelta(hours=3)
    start = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            start.wait()
            results.append(services.handle_timeouts(later))
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r["reminded"] for r in results) == 6  # 3 instances × 2 approvers, each once
    assert Message.objects.filter(level="warning").count() == 6
    assert FlowAction.objects.filter(instance__in=instances, kind="remind").count() == 6
