"""The submitter never gets a deciding task of their own document, whichever path creates it: a step's approvers,
the fallback to sales operations, escalation after a time-out, transfer, an added signer, a delegate. The rule lives
once in routing (`may_decide`, enforced by `create_task` and `move_task`, which every path goes through)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehu.approvals import routing, services
from kehu.approvals.models import FlowAction, FlowTask
from kehu.org.models import Role
from tests.approvals.helpers import approval, flow, holders, people, publish, submit, task_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SELF = "发起人不能审批自己的单据。"


def nobody():
    return {"kind": "superior", "level": 1}  # the submitters here have no superior: the rule names nobody


@pytest.fixture
def second_ops(org):
    return UserFactory(username="ops2", name="运营二", department=org.ops, roles=[Role.objects.get(code="sales_ops")])


def test_the_fallback_to_sales_operations_leaves_out_an_ops_submitter(org, second_ops):
    publish(org.admin, flow({"n1": approval("无人审批", nobody(), if_no_approver="ops")}))
    instance = submit(org.admin)
    assert holders(instance) == ["ops2"]
    to_ops = instance.actions.get(kind=FlowAction.Kind.TO_OPS)
    assert to_ops.detail == "运营二"


def test_the_fallback_refuses_the_submission_when_only_the_submitter_could_decide(org):
    publish(org.admin, flow({"n1": approval("无人审批", nobody(), if_no_approver="ops")}))
    with pytest.raises(ValidationError) as refused:
        submit(org.admin)
    assert refused.value.messages == ["除发起人外无人可以审批“无人审批”这一步：请管理员为该步骤指定审批人。"]
    assert FlowTask.objects.count() == 0


def test_escalation_never_goes_to_the_submitter(org):
    org.manager.superior = org.rep
    org.manager.save()
    publish(
        org.admin,
        flow({"n1": approval("经理", people(org.manager), timeout_hours=1, timeout_action="escalate")}),
    )
    instance = submit(org.rep)
    assert services.handle_timeouts(timezone.now() + timedelta(hours=2)) == {"reminded": 1, "escalated": 0}
    assert holders(instance) == ["manager"]


def test_transfer_add_signer_and_delegation_never_reach_the_submitter(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    task = task_of(org.manager, instance)
    with pytest.raises(ValidationError) as refused:
        services.transfer(org.manager, task.pk, org.rep)
    assert refused.value.message_dict == {"to_user": [SELF]}
    with pytest.raises(ValidationError) as refused:
        services.add_signer(org.manager, task.pk, org.rep, "before")
    assert refused.value.message_dict == {"signer": [SELF]}
    services.set_delegation(org.manager, org.manager, org.rep, date.today(), date.today())
    assert holders(submit(org.rep)) == ["manager"]


def test_no_path_can_create_or_move_a_deciding_task_to_the_submitter(org):
    """The funnel itself: whatever a future path computes, create_task and move_task refuse the submitter."""
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    node = instance.definition.node("n1")
    for kind in (FlowTask.Kind.APPROVAL, FlowTask.Kind.REVIEW):
        with pytest.raises(ValidationError) as refused:
            routing.create_task(instance, "n1", node, org.rep, kind=kind)
        assert refused.value.messages == [SELF]
    with pytest.raises(ValidationError) as refused:
        routing.move_task(instance, task_of(org.manager, instance), org.rep, FlowAction.Kind.ESCALATE, None)
    assert refused.value.messages == [SELF]
    cc = routing.create_task(instance, "n1", node, org.rep, kind=FlowTask.Kind.CC)  # a copy is not a decision
    assert cc.assignee == org.rep


def test_a_review_step_naming_the_submitter_leaves_them_out_and_a_copy_still_reaches_them(org):
    graph = flow(
        {
            "n1": {"type": "review", "name": "知悉", "approvers": people(org.rep, org.manager), "next": "n2"},
            "n2": {"type": "cc", "name": "抄送", "approvers": people(org.rep), "next": "n3"},
            "n3": approval("经理", people(org.manager)),
        }
    )
    publish(org.admin, graph)
    instance = submit(org.rep)
    reviews = FlowTask.objects.filter(instance=instance, kind=FlowTask.Kind.REVIEW)
    assert list(reviews.values_list("assignee__username", flat=True)) == ["manager"]
    assert FlowTask.objects.filter(instance=instance, kind=FlowTask.Kind.CC, assignee=org.rep).exists()
