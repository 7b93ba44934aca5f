"""Rejecting ends the flow and sends the document back to draft with the reason. The document is `tests.expense`
(tests/scoped_app/models.py) unless a test says otherwise."""

import pytest
from django.core.exceptions import ValidationError

from kehu.approvals import services
from kehu.approvals.models import FlowInstance, FlowTask
from kehu.notify.models import Message
from tests.approvals.helpers import approval, flow, people, publish, status, submit, task_of

pytestmark = pytest.mark.django_db
State = FlowInstance.State


def test_reject_ends_the_flow_and_sends_the_document_back_to_draft_with_the_reason(org):
    publish(org.admin, flow({"n1": approval("会签", people(org.manager, org.director), mode="all")}))
    instance = submit(org.rep)
    with pytest.raises(ValidationError) as refused:
        services.reject(org.manager, task_of(org.manager, instance).pk, "  ")
    assert refused.value.message_dict == {"comment": ["请说明驳回的理由。"]}
    services.reject(org.manager, task_of(org.manager, instance).pk, "金额不符")
    instance.refresh_from_db()
    assert (instance.state, status(instance)) == (State.REJECTED, "draft")
    assert FlowTask.objects.get(instance=instance, assignee=org.director).state == FlowTask.State.CANCELLED
    assert instance.actions.get(kind="reject").comment == "金额不符"
    assert Message.objects.filter(recipient=org.rep, level="warning").count() == 1
