"""Delegation sends new tasks to the delegate for the dates and types given, never merges two signatures, and
applies to an in-order signer when their turn comes. The document is `tests.expense` (tests/scoped_app/models.py)
unless a test says otherwise."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kehu.approvals import services
from kehu.approvals.models import Delegation, FlowTask
from tests.approvals.helpers import approval, flow, holders, people, publish, submit, task_of

pytestmark = pytest.mark.django_db


def test_delegation_sends_new_tasks_to_the_delegate_for_the_dates_and_types_given(org):
    today = timezone.localdate()
    services.set_delegation(
        org.manager, org.manager, org.dept_viewer, today, today + timedelta(days=3), ["tests.expense"]
    )
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    task = FlowTask.objects.get(instance=instance)
    assert (task.assignee, task.on_behalf_of) == (org.dept_viewer, org.manager)
    services.approve(org.dept_viewer, task.pk, "代批")
    action = instance.actions.get(kind="approve")
    assert (action.actor, action.on_behalf_of) == (org.dept_viewer, org.manager)
    Delegation.objects.update(starts_on=today + timedelta(days=1))
    assert holders(submit(org.rep)) == ["manager"]  # not yet in the delegation's period


def test_delegation_is_refused_when_it_overlaps_or_points_at_oneself(org):
    today = timezone.localdate()
    services.set_delegation(org.manager, org.manager, org.dept_viewer, today, today + timedelta(days=3))
    with pytest.raises(ValidationError) as refused:
        services.set_delegation(
            org.manager, org.manager, org.director, today + timedelta(days=2), today + timedelta(days=5)
        )
    assert list(refused.value.message_dict) == ["starts_on"]
    with pytest.raises(ValidationError) as refused:
        services.set_delegation(org.manager, org.manager, org.manager, today, today)
    assert list(refused.value.message_dict) == ["delegate"]
    with pytest.raises(PermissionDenied):
        services.set_delegation(org.rep, org.manager, org.rep, today, today)  # someone else's: ops only


def test_delegation_never_merges_two_signatures_of_an_all_step(org):
    services.set_delegation(org.manager, org.manager, org.director, timezone.localdate(), timezone.localdate())
    publish(org.admin, flow({"n1": approval("会签", people(org.manager, org.director), mode="all")}))
    instance = submit(org.rep)
    assert holders(instance) == ["director", "manager"]


def test_an_in_order_signers_delegation_applies_when_their_turn_comes(org):
    publish(org.admin, flow({"n1": approval("依次", people(org.manager, org.director), mode="sequence")}))
    instance = submit(org.rep)
    services.set_delegation(org.director, org.director, org.admin, timezone.localdate(), timezone.localdate())
    services.approve(org.manager, task_of(org.manager, instance).pk)
    task = FlowTask.objects.get(instance=instance, state="open")
    assert (task.assignee, task.on_behalf_of) == (org.admin, org.director)
