"""Time-outs remind once or escalate to the holder's superior; the clock of an in-order signer starts with their
turn, and a failed escalation reminds instead without stopping the run. The document is `tests.expense`
(tests/scoped_app/models.py) unless a test says otherwise."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from kehu.approvals import services
from kehu.approvals.models import FlowInstance, FlowTask
from kehu.notify.models import Message
from tests.approvals.helpers import approval, flow, holders, people, publish, submit, task_of

pytestmark = pytest.mark.django_db
State = FlowInstance.State


def test_time_out_reminds_once(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager), timeout_hours=24, timeout_action="remind")}))
    instance = submit(org.rep)
    task = task_of(org.manager, instance)
    assert task.due_at == task.created_at + timedelta(hours=24)
    assert services.handle_timeouts(timezone.now() + timedelta(hours=23)) == {"reminded": 0, "escalated": 0}
    assert services.handle_timeouts(timezone.now() + timedelta(hours=25)) == {"reminded": 1, "escalated": 0}
    assert services.handle_timeouts(timezone.now() + timedelta(hours=26)) == {"reminded": 0, "escalated": 0}
    assert Message.objects.filter(recipient=org.manager, level="warning").count() == 1
    assert holders(instance) == ["manager"]


def test_time_out_escalates_to_the_holders_superior(org):
    org.manager.superior = org.director
    org.manager.save()
    publish(org.admin, flow({"n1": approval("经理", people(org.manager), timeout_hours=8, timeout_action="escalate")}))
    instance = submit(org.rep)
    assert services.handle_timeouts(timezone.now() + timedelta(hours=9)) == {"reminded": 0, "escalated": 1}
    assert holders(instance) == ["director"]
    escalation = instance.actions.get(kind="escalate")
    assert (escalation.actor, escalation.detail) == (None, org.director.display_name)
    services.approve(org.director, task_of(org.director, instance).pk)
    instance.refresh_from_db()
    assert instance.state == State.APPROVED


def test_the_next_in_order_signer_gets_a_full_time_out_from_their_turn(org):
    org.director.superior = org.admin
    org.director.save()
    graph = flow(
        {
            "n1": approval(
                "依次", people(org.manager, org.director), mode="sequence", timeout_hours=8, timeout_action="escalate"
            )
        }
    )
    publish(org.admin, graph)
    start = timezone.now()
    instance = submit(org.rep)
    assert FlowTask.objects.get(instance=instance, assignee=org.director).due_at is None  # waiting: no clock yet
    later = start + timedelta(hours=7, minutes=50)
    with mock.patch("django.utils.timezone.now", return_value=later):
        services.approve(org.manager, task_of(org.manager, instance).pk)
    assert task_of(org.director, instance).due_at == later + timedelta(hours=8)
    assert services.handle_timeouts(later + timedelta(minutes=15)) == {"reminded": 0, "escalated": 0}
    assert holders(instance) == ["director"]


def test_escalating_to_a_superior_who_already_holds_the_step_reminds_instead_and_the_run_goes_on(org):
    org.manager.superior = org.director
    org.manager.save()
    graph = flow(
        {
            "n1": approval(
                "会签", people(org.manager, org.director), mode="all", timeout_hours=2, timeout_action="escalate"
            )
        }
    )
    publish(org.admin, graph)
    first, second = submit(org.rep), submit(org.rep)
    result = services.handle_timeouts(timezone.now() + timedelta(hours=3))
    assert result == {"reminded": 4, "escalated": 0}  # the director has no superior; the manager's is already on it
    assert holders(first) == holders(second) == ["director", "manager"]
