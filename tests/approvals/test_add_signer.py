"""Adding a signer (加签) before or after oneself; an added signer never stalls the step. The document is
`tests.expense` (tests/scoped_app/models.py) unless a test says otherwise."""

import pytest

from kehu.approvals import services
from kehu.approvals.models import FlowInstance, FlowTask
from tests.approvals.helpers import approval, flow, holders, people, publish, submit, task_of

pytestmark = pytest.mark.django_db
State = FlowInstance.State


def test_add_signer_before_me_waits_for_them_then_comes_back_to_me(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    task = task_of(org.manager, instance)
    services.add_signer(org.manager, task.pk, org.rep_bj, "before", "请先核对")
    assert holders(instance) == ["rep_bj"]
    task.refresh_from_db()
    assert task.state == FlowTask.State.WAITING
    services.approve(org.rep_bj, task_of(org.rep_bj, instance).pk, "核对无误")
    assert holders(instance) == ["manager"]
    services.approve(org.manager, task.pk)
    instance.refresh_from_db()
    assert instance.state == State.APPROVED


def test_add_signer_after_me_approves_now_and_the_step_waits_for_them(org):
    graph = flow({"n1": approval("经理", people(org.manager, org.dept_viewer)), "n2": approval("x", people(org.admin))})
    graph["nodes"]["n1"]["next"] = "n2"
    publish(org.admin, graph)
    instance = submit(org.rep)
    services.add_signer(org.manager, task_of(org.manager, instance).pk, org.director, "after")
    assert holders(instance) == ["director"]  # any-one: the other approver's task is no longer needed
    assert instance.actions.filter(kind="approve", actor=org.manager).count() == 1
    services.approve(org.director, task_of(org.director, instance).pk)
    assert holders(instance) == ["admin"]


@pytest.mark.parametrize("mode", ["any", "all"])
def test_a_signer_added_before_who_adds_one_after_still_hands_back_to_the_first_approver(org, mode):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager), mode=mode)}))
    instance = submit(org.rep)
    services.add_signer(org.manager, task_of(org.manager, instance).pk, org.director, "before")
    services.add_signer(org.director, task_of(org.director, instance).pk, org.admin, "after")
    services.approve(org.admin, task_of(org.admin, instance).pk)
    assert holders(instance) == ["manager"]
    services.approve(org.manager, task_of(org.manager, instance).pk)
    instance.refresh_from_db()
    assert instance.state == FlowInstance.State.APPROVED
