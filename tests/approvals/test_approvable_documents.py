"""The approvable-document base: a declared status table enforced by one `transition`, the lock while pending,
corrections through the document's own validation, the corrected form written back, and a new document type
(`tests.purchase`) that is nothing but its declaration."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kehu.approvals import documents, registry, services
from kehu.approvals.documents import ApprovableDocument
from kehu.approvals.models import FlowInstance
from tests.approvals.helpers import approval, flow, people, publish, task_of
from tests.scoped_app.models import Expense, Purchase

pytestmark = pytest.mark.django_db

HOOKS = (
    "approval_title",
    "approval_url",
    "approval_form",
    "can_view_approval",
    "check_submit",
    "clean_approval_changes",
    "on_submitted",
    "on_approved",
    "on_rejected",
    "on_returned",
    "on_withdrawn",
    "on_sent_back",
)


def purchase(amount="100", title="采购笔记本"):
    return Purchase.objects.create(title=title, amount=Decimal(amount))


def submit_purchase(org, amount="100"):
    publish(
        org.admin, flow({"n1": approval("经理", people(org.manager), editable_fields=["amount"])}), "tests.purchase"
    )
    return services.submit(org.rep, "tests.purchase", purchase(amount))


def test_a_new_type_is_only_its_declaration():
    doc_type = registry.get("tests.purchase")
    assert (doc_type.model, [f.name for f in doc_type.editable_fields()]) == (Purchase, ["amount"])
    assert [name for name in HOOKS if name in vars(Purchase)] == []  # every hook is the base's
    assert Purchase.TRANSITIONS is ApprovableDocument.TRANSITIONS


def test_submitting_locks_it_and_the_approved_correction_is_written_back(org):
    instance = submit_purchase(org, "100")
    document = Purchase.objects.get(pk=instance.object_id)
    assert (document.status, instance.title, instance.form) == (
        "pending",
        "采购笔记本",
        {"title": "采购笔记本", "amount": "100.00"},
    )
    with pytest.raises(ValidationError) as refused:
        documents.check_not_locked(document)
    assert refused.value.messages == ["此单据正在审批中，审批结束前不能修改。"]
    services.approve(org.manager, task_of(org.manager, instance).pk, "按报价", {"amount": "80.5"})
    document.refresh_from_db()
    assert (document.status, document.amount) == ("active", Decimal("80.50"))
    documents.check_not_locked(document)  # active: editable again


def test_a_correction_goes_through_the_models_validation(org):
    instance = submit_purchase(org)
    task = task_of(org.manager, instance)
    with pytest.raises(ValidationError) as refused:
        services.approve(org.manager, task.pk, "", {"amount": "0"})
    assert refused.value.message_dict == {"amount": ["确保该值大于或等于0.01。"]}
    with pytest.raises(ValidationError) as refused:
        services.approve(org.manager, task.pk, "", {"amount": "很多"})
    assert refused.value.message_dict == {"amount": ["“很多”的值应该是一个十进制数字。"]}
    assert Purchase.objects.get(pk=instance.object_id).amount == Decimal("100.00")
    instance.refresh_from_db()
    assert (instance.state, instance.form["amount"]) == ("running", "100.00")


@pytest.mark.parametrize(
    ("act", "state"),
    [
        (lambda org, task, instance: services.reject(org.manager, task.pk, "不买"), "rejected"),
        (lambda org, task, instance: services.return_(org.manager, task.pk, "再比价", "submitter"), "returned"),
        (lambda org, task, instance: services.withdraw(org.rep, instance.pk), "withdrawn"),
    ],
)
def test_rejected_returned_or_withdrawn_it_is_a_draft_again(org, act, state):
    instance = submit_purchase(org)
    act(org, task_of(org.manager, instance), instance)
    instance.refresh_from_db()
    assert (instance.state, Purchase.objects.get(pk=instance.object_id).status) == (state, "draft")


def test_the_table_refuses_what_it_does_not_declare(org):
    document = purchase()
    assert documents.transition(document, "submit") == "pending"
    with pytest.raises(ValidationError) as refused:
        documents.transition(document, "submit")
    assert refused.value.messages == ["此单据当前为“pending”，不能提交审批。"]
    assert Purchase.objects.get(pk=document.pk).status == "pending"
    with pytest.raises(ValidationError):
        documents.transition(Purchase.objects.get(pk=document.pk), "activate")


def test_an_active_document_cannot_be_submitted_again(org):
    instance = submit_purchase(org)
    services.approve(org.manager, task_of(org.manager, instance).pk)
    with pytest.raises(ValidationError) as refused:
        services.submit(org.rep, "tests.purchase", Purchase.objects.get(pk=instance.object_id))
    assert refused.value.messages == ["此单据当前为“active”，不能提交审批。"]
    assert FlowInstance.objects.filter(doc_type="tests.purchase").count() == 1


def test_a_document_that_moved_on_meanwhile_is_left_alone_and_the_approval_still_ends(org):
    instance = submit_purchase(org, "100")
    Purchase.objects.filter(pk=instance.object_id).update(status="cancelled")
    services.approve(org.manager, task_of(org.manager, instance).pk, "", {"amount": "90"})
    instance.refresh_from_db()
    document = Purchase.objects.get(pk=instance.object_id)
    assert (instance.state, document.status, document.amount) == ("approved", "cancelled", Decimal("100.00"))


def test_a_type_overrides_only_what_differs(org):
    """`tests.expense` has its own table (approved, not active) and approval effect (the approved amount)."""
    publish(org.admin, flow({"n1": approval("经理", people(org.manager), editable_fields=["amount"])}))
    expense = Expense.objects.create(title="差旅", amount=Decimal("300"), owner=org.rep)
    instance = services.submit(org.rep, "tests.expense", expense)
    services.approve(org.manager, task_of(org.manager, instance).pk, "", {"amount": "250"})
    expense.refresh_from_db()
    assert (expense.status, expense.amount, expense.approved_amount) == ("approved", Decimal("300"), Decimal("250"))


def test_only_approvable_documents_register_and_one_type_per_model():
    from kehu.approvals.models import Delegation

    with pytest.raises(TypeError):
        registry.register("tests.delegation", "Delegation", Delegation, fields=())
    with pytest.raises(ValueError, match="already registered as tests.purchase"):
        registry.register("tests.purchase_again", "Purchase again", Purchase, fields=())
    assert registry.get("tests.purchase_again") is None
