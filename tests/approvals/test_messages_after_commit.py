"""Approval messages come from domain events (kehu/approvals/events.py): written after the action's transaction
really commits, in each recipient's language, and never for an action that was rolled back."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone, translation

from kehu.approvals import events, services
from kehu.approvals.models import FlowInstance
from kehu.core import events as core_events
from kehu.notify.models import Message
from tests.approvals.helpers import approval, flow, people, publish, submit, task_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def delivered():
    """Every approval event delivered during the test, as (name, instance id)."""
    seen = []

    def remember(event):
        seen.append((event.name, event["instance"].pk))

    names = [events.TASK_ASSIGNED, events.TASK_TIMED_OUT, events.RETURNED, events.WITHDRAWN, events.FINISHED]
    core_events.subscribe(*names)(remember)
    yield seen
    for name in names:
        core_events._subscribers[name].remove(remember)


def titles(user):
    """The titles as the user reads them (product text is shown in the reader's language)."""
    with translation.override(user.language or "zh-hans"):
        return [str(t) for t in Message.objects.filter(recipient=user).order_by("id").values_list("title", flat=True)]


def test_the_approvers_message_is_written_after_the_submission_commits(org, delivered):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    with transaction.atomic():
        instance = submit(org.rep)
        assert titles(org.manager) == []  # inside the transaction: nothing written, nothing delivered
        assert delivered == []
    assert titles(org.manager) == ["待审批：Expense · 差旅报销"]
    assert delivered == [(events.TASK_ASSIGNED, instance.pk)]


def test_a_rolled_back_approval_sends_no_message(org, delivered):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    delivered.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.approve(org.manager, task_of(org.manager, instance).pk, "同意")
        raise RuntimeError("the request failed after the approval")
    instance.refresh_from_db()
    assert instance.state == FlowInstance.State.RUNNING
    assert (delivered, titles(org.rep)) == ([], [])
    services.approve(org.manager, task_of(org.manager, instance).pk, "同意")
    assert delivered == [(events.FINISHED, instance.pk)]
    assert titles(org.rep) == ["已通过：Expense · 差旅报销"]


def test_each_recipient_reads_the_message_in_their_language(org):
    org.manager.language = "en"
    org.manager.save()
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    services.reject(org.manager, task_of(org.manager, instance).pk, "金额不符")
    assert titles(org.manager) == ["To approve: Expense · 差旅报销"]
    rejected = Message.objects.get(recipient=org.rep)
    assert (str(rejected.title), rejected.body, rejected.level) == (
        "已驳回：Expense · 差旅报销",
        f"{org.manager.display_name}: 金额不符",
        "warning",
    )


def test_return_and_time_out_messages_follow_their_commits(org, delivered):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager), timeout_hours=2, timeout_action="remind")}))
    instance = submit(org.rep)
    services.handle_timeouts(timezone.now() + timedelta(hours=3))
    services.return_(org.manager, task_of(org.manager, instance).pk, "补发票", "submitter")
    assert delivered == [
        (events.TASK_ASSIGNED, instance.pk),
        (events.TASK_TIMED_OUT, instance.pk),
        (events.RETURNED, instance.pk),
    ]
    assert titles(org.manager) == ["待审批：Expense · 差旅报销", "审批已超时：Expense · 差旅报销"]
    assert titles(org.rep) == ["已退回给您：Expense · 差旅报销"]
