"""Returning: to the submitter (who resubmits the same instance) or to an earlier step — never forward. The document
is `tests.expense` (tests/scoped_app/models.py) unless a test says otherwise."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from kehu.approvals import services
from kehu.approvals.models import FlowInstance
from tests.approvals.helpers import approval, flow, holders, people, publish, status, submit, task_of, trail

pytestmark = pytest.mark.django_db
State = FlowInstance.State


def three_steps(org):
    return flow(
        {
            "n1": approval("经理", people(org.manager), "n2"),
            "n2": approval("总监", people(org.director), "n3"),
            "n3": approval("运营", people(org.admin)),
        }
    )


def test_return_to_the_submitter_then_resubmit_runs_the_same_instance_again_from_the_first_step(org):
    graph = flow({"n1": approval("经理", people(org.manager), "n2"), "n2": approval("总监", people(org.director))})
    publish(org.admin, graph)
    instance = submit(org.rep, "500")
    services.approve(org.manager, task_of(org.manager, instance).pk)
    services.return_(org.director, task_of(org.director, instance).pk, "请补充发票", "submitter")
    instance.refresh_from_db()
    assert (instance.state, status(instance), holders(instance)) == (State.RETURNED, "draft", [])
    from tests.scoped_app.models import Expense

    Expense.objects.filter(pk=instance.object_id).update(amount=Decimal("450"))
    again = services.submit(org.rep, "tests.expense", Expense.objects.get(pk=instance.object_id))
    assert again.pk == instance.pk
    assert (again.round, again.form["amount"], holders(again)) == (2, "450.00", ["manager"])
    services.approve(org.manager, task_of(org.manager, again).pk)
    services.approve(org.director, task_of(org.director, again).pk)
    again.refresh_from_db()
    assert again.state == State.APPROVED
    assert trail(again) == [
        ("submit", "rep"),
        ("approve", "manager"),
        ("return", "director"),
        ("resubmit", "rep"),
        ("approve", "manager"),
        ("approve", "director"),
        ("finish", None),
    ]


def test_return_to_an_earlier_step_asks_its_approvers_again(org):
    graph = flow({"n1": approval("经理", people(org.manager), "n2"), "n2": approval("总监", people(org.director))})
    publish(org.admin, graph)
    instance = submit(org.rep)
    services.approve(org.manager, task_of(org.manager, instance).pk)
    task = task_of(org.director, instance)
    assert [key for key, _label in services.return_targets(instance, task)] == ["submitter", "n1"]
    with pytest.raises(ValidationError) as refused:
        services.return_(org.director, task.pk, "重看", "n2")
    assert refused.value.message_dict == {"to": ["单据不能退回到这个步骤。"]}
    services.return_(org.director, task.pk, "经理再看一下", "n1")
    instance.refresh_from_db()
    assert (instance.state, instance.current_node, holders(instance)) == (State.RUNNING, "n1", ["manager"])
    assert task_of(org.manager, instance).visit == 2
    services.approve(org.manager, task_of(org.manager, instance).pk)
    services.approve(org.director, task_of(org.director, instance).pk)
    instance.refresh_from_db()
    assert instance.state == State.APPROVED


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
