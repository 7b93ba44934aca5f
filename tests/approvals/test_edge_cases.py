"""Edge cases found in review: returns never jump forward, added signers never stall a step, time-outs start when a
task's turn comes and never break the time-out run, submitters never approve their own documents, delegation never
merges two signatures, reviews end with the flow, comments are for participants."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from kehu.approvals import services
from kehu.approvals.models import FlowInstance, FlowTask
from tests.approvals.helpers import approval, flow, holders, people, publish, submit, task_of

pytestmark = pytest.mark.django_db


def three_steps(org):
    return flow(
        {
            "n1": approval("经理", people(org.manager), "n2"),
            "n2": approval("总监", people(org.director), "n3"),
            "n3": approval("运营", people(org.admin)),
        }
    )


def test_return_targets_are_only_steps_before_the_current_one(org):
    publish(org.admin, three_steps(org))
    instance = submit(org.rep)
    services.approve(org.manager, task_of(org.manager, instance).pk)
    services.approve(org.director, task_of(org.director, instance).pk)
    admin_task = task_of(org.admin, instance)
    assert [key for key, _label in services.return_targets(instance, admin_task)] == ["submitter", "n2", "n1"]
    services.return_(org.admin, admin_task.pk, "重新看", "n1")
    manager_task = task_of(org.manager, instance)
    assert [key for key, _label in services.return_targets(instance, manager_task)] == ["submitter"]
    with pytest.raises(ValidationError):
        services.return_(org.manager, manager_task.pk, "跳过", "n3")
    assert holders(instance) == ["manager"]


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


def test_reviews_end_with_a_rejection_and_are_not_duplicated_by_a_return(org):
    graph = flow(
        {
            "r1": {"type": "review", "name": "财务审阅", "approvers": people(org.everyone_viewer), "next": "n1"},
            "n1": approval("经理", people(org.manager), "n2"),
            "n2": approval("总监", people(org.director)),
        },
        start="r1",
    )
    publish(org.admin, graph)
    instance = submit(org.rep)
    services.approve(org.manager, task_of(org.manager, instance).pk)
    services.return_(org.director, task_of(org.director, instance).pk, "重来", "submitter")
    services.resubmit(org.rep, instance.pk)
    assert FlowTask.objects.filter(instance=instance, kind="review", state="open").count() == 1
    services.reject(org.manager, task_of(org.manager, instance).pk, "不行")
    assert FlowTask.objects.filter(instance=instance, kind="review", state="open").count() == 0


def test_only_participants_and_ops_comment(org):
    from kehu.customers import services as customers

    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}), "customers.create")
    customer = customers.create_customer(org.rep, {"name": "评论权限有限公司"})
    instance = FlowInstance.objects.get(object_id=customer.pk)
    assert services.can_view(org.everyone_viewer, instance)  # sees the customer, so sees its approval
    with pytest.raises(PermissionDenied):
        services.comment(org.everyone_viewer, instance.pk, "路过")
    services.comment(org.admin, instance.pk, "运营看过了")
    assert instance.actions.filter(kind="comment").count() == 1


def test_resubmit_from_the_approval_page_for_documents_without_an_edit_page(org):
    from kehu.customers import services as customers
    from kehu.customers.models import TransferRequest

    publish(org.admin, flow({"n1": approval("运营", people(org.admin))}), "customers.transfer")
    customer = customers.create_customer(org.rep, {"name": "转移重提有限公司"})
    summary = customers.transfer_customers(org.manager, [customer.pk], org.rep_bj)
    instance = FlowInstance.objects.get(pk=summary.request_instance_id)
    services.return_(org.admin, task_of(org.admin, instance).pk, "说明原因", "submitter")
    summary.request.refresh_from_db()
    assert summary.request.status == TransferRequest.Status.PENDING
    with pytest.raises(Http404):
        services.resubmit(org.rep, instance.pk)  # not the submitter
    services.resubmit(org.manager, instance.pk)
    assert holders(instance) == ["admin"]


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
