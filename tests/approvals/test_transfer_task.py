"""Transferring a task: the new holder decides in the old holder's place. The document is `tests.expense`
(tests/scoped_app/models.py) unless a test says otherwise."""

import pytest
from django.core.exceptions import ValidationError

from kehu.approvals import services
from kehu.approvals.models import FlowInstance
from tests.approvals.helpers import approval, flow, holders, people, publish, submit, task_of

pytestmark = pytest.mark.django_db
State = FlowInstance.State


def test_transfer_hands_the_task_over(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    task = task_of(org.manager, instance)
    with pytest.raises(ValidationError) as refused:
        services.transfer(org.manager, task.pk, org.manager)
    assert refused.value.message_dict == {"to_user": ["请选择您以外的人。"]}
    services.transfer(org.manager, task.pk, org.director, "我出差，请总监处理")
    assert holders(instance) == ["director"]
    with pytest.raises(services.TaskClosed):
        services.approve(org.manager, task.pk)
    services.approve(org.director, task_of(org.director, instance).pk)
    instance.refresh_from_db()
    assert instance.state == State.APPROVED
    assert instance.actions.get(kind="transfer").detail == org.director.display_name
