"""Signing modes of an approval step: any-one (the first decides, the others' tasks are withdrawn), all (会签), in
order (依次), and steps that follow each other. The document is `tests.expense` (tests/scoped_app/models.py) unless a
test says otherwise."""

import pytest
from django.http import Http404

from kehu.approvals import services
from kehu.approvals.models import FlowInstance, FlowTask
from kehu.notify.models import Message
from tests.approvals.helpers import approval, flow, holders, people, publish, status, submit, task_of, trail

pytestmark = pytest.mark.django_db
State = FlowInstance.State


def test_any_one_sign_the_first_approval_decides_and_the_others_tasks_are_withdrawn(org):
    publish(org.admin, flow({"n1": approval("经理或总监", people(org.manager, org.director))}))
    instance = submit(org.rep, "800")
    assert status(instance) == "pending"
    assert holders(instance) == ["director", "manager"]
    services.approve(org.manager, task_of(org.manager, instance).pk, "同意")
    instance.refresh_from_db()
    assert instance.state == State.APPROVED
    assert status(instance) == "approved"
    assert FlowTask.objects.get(instance=instance, assignee=org.director).state == FlowTask.State.CANCELLED
    assert trail(instance) == [("submit", "rep"), ("approve", "manager"), ("finish", None)]


def test_all_sign_needs_every_approver(org):
    publish(org.admin, flow({"n1": approval("会签", people(org.manager, org.director), mode="all")}))
    instance = submit(org.rep)
    services.approve(org.director, task_of(org.director, instance).pk)
    instance.refresh_from_db()
    assert instance.state == State.RUNNING
    assert holders(instance) == ["manager"]
    services.approve(org.manager, task_of(org.manager, instance).pk)
    instance.refresh_from_db()
    assert instance.state == State.APPROVED


def test_in_order_sign_hands_the_step_on_one_by_one(org):
    publish(org.admin, flow({"n1": approval("依次", people(org.manager, org.director, org.admin), mode="sequence")}))
    instance = submit(org.rep)
    assert holders(instance) == ["manager"]
    waiting = FlowTask.objects.filter(instance=instance, state=FlowTask.State.WAITING).order_by("sequence")
    assert [t.assignee.username for t in waiting] == ["director", "admin"]
    with pytest.raises(Http404):  # not the director's turn: the waiting task is not theirs to act on yet
        services.approve(org.director, FlowTask.objects.get(instance=instance, assignee=org.director).pk + 10_000)
    services.approve(org.manager, task_of(org.manager, instance).pk)
    assert holders(instance) == ["director"]
    services.approve(org.director, task_of(org.director, instance).pk)
    assert holders(instance) == ["admin"]
    services.approve(org.admin, task_of(org.admin, instance).pk)
    instance.refresh_from_db()
    assert instance.state == State.APPROVED


def test_steps_follow_each_other_and_the_first_approvers_get_a_message(org):
    graph = flow({"n1": approval("经理", people(org.manager), "n2"), "n2": approval("总监", people(org.director))})
    publish(org.admin, graph)
    instance = submit(org.rep)
    message = Message.objects.get(recipient=org.manager)
    assert message.title == "待审批：Expense · 差旅报销"
    assert message.link == f"/approvals/{instance.pk}/"
    assert not Message.objects.filter(recipient=org.director).exists()
    services.approve(org.manager, task_of(org.manager, instance).pk)
    assert holders(instance) == ["director"]
    assert Message.objects.filter(recipient=org.director, link=f"/approvals/{instance.pk}/").count() == 1
