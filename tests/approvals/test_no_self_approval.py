"""The submitter never holds a task of their own document: not by transfer, added signer, delegation or being named
on a step. The document is `tests.expense` (tests/scoped_app/models.py) unless a test says otherwise."""

import pytest
from django.core.exceptions import ValidationError

from kehu.approvals import services
from kehu.approvals.models import FlowInstance
from tests.approvals.helpers import approval, flow, holders, people, publish, submit, task_of

pytestmark = pytest.mark.django_db
State = FlowInstance.State


def test_the_submitter_is_never_handed_their_own_document(org):
    from datetime import date

    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    task = task_of(org.manager, instance)
    with pytest.raises(ValidationError) as refused:
        services.transfer(org.manager, task.pk, org.rep)
    assert refused.value.message_dict == {"to_user": ["发起人不能审批自己的单据。"]}
    with pytest.raises(ValidationError):
        services.add_signer(org.manager, task.pk, org.rep, "before")
    services.set_delegation(org.manager, org.manager, org.rep, date.today(), date.today())
    mine = submit(org.rep)
    assert holders(mine) == ["manager"]  # the manager's delegate is the submitter: the manager keeps the step


def test_a_submitter_named_on_a_step_is_left_out_of_it(org):
    graph = flow(
        {
            "n1": approval("经理们", people(org.rep, org.manager), "n2", mode="all"),
            "n2": approval("只有本人", people(org.rep), if_no_approver="skip"),
        }
    )
    publish(org.admin, graph)
    instance = submit(org.rep)
    assert holders(instance) == ["manager"]
    services.approve(org.manager, task_of(org.manager, instance).pk)
    instance.refresh_from_db()
    assert instance.state == FlowInstance.State.APPROVED
    assert [a.kind for a in instance.actions.order_by("id")] == ["submit", "approve", "skip", "finish"]
