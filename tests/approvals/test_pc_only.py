"""A step marked PC only cannot be handled from a phone. The document is `tests.expense`
(tests/scoped_app/models.py) unless a test says otherwise."""

import pytest
from django.core.exceptions import ValidationError

from kehu.approvals import services
from kehu.approvals.models import FlowInstance
from tests.approvals.helpers import approval, flow, people, publish, submit, task_of

pytestmark = pytest.mark.django_db
State = FlowInstance.State


def test_a_pc_only_step_cannot_be_handled_from_the_phone(org):
    publish(org.admin, flow({"n1": approval("财务", people(org.manager), pc_only=True)}))
    instance = submit(org.rep)
    with pytest.raises(ValidationError) as refused:
        services.approve(org.manager, task_of(org.manager, instance).pk, phone=True)
    assert refused.value.messages == ["这个步骤只能在电脑上处理。"]
    services.approve(org.manager, task_of(org.manager, instance).pk, phone=False)
    instance.refresh_from_db()
    assert instance.state == State.APPROVED
