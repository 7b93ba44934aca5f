"""`tests.expense`: an approvable document registered the way a product module registers one."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError

from kehu.approvals.registry import DocumentType, Field, register
from tests.scoped_app.models import Expense

CATEGORIES = [("travel", "差旅"), ("gift", "礼品"), ("event", "会务")]


def expense_form(expense):
    return {
        "title": expense.title,
        "amount": str(expense.amount),
        "discount_rate": str(expense.discount_rate),
        "category": expense.category,
        "urgent": expense.urgent,
        "reviewer": expense.reviewer_id,
        "owner": expense.owner_id,
    }


def clean_changes(expense, form, changes):
    cleaned = dict(changes)
    if "amount" in changes:
        try:
            amount = Decimal(str(changes["amount"]))
        except InvalidOperation:
            raise ValidationError({"amount": "Enter a number."}) from None
        if amount <= 0:
            raise ValidationError({"amount": "The amount must be positive."})
        cleaned["amount"] = str(amount)
    return cleaned


def approved(expense, form, instance):
    expense.status = "approved"
    expense.approved_amount = Decimal(form["amount"])
    expense.category = form["category"]
    expense.save()


def back_to_draft(expense, instance, reason):
    Expense.objects.filter(pk=expense.pk).update(status="draft")


def submitted(expense, actor):
    Expense.objects.filter(pk=expense.pk).update(status="pending")


def check_submit(actor, expense):
    if expense.owner_id != actor.pk:
        raise PermissionDenied("not yours")


EXPENSE = DocumentType(
    key="tests.expense",
    label="Expense",
    model=Expense,
    fields=(
        Field("title", "Title", "text"),
        Field("amount", "Amount", "number", editable=True),
        Field("discount_rate", "Discount rate", "number"),
        Field("category", "Category", "choice", lambda: CATEGORIES, editable=True),
        Field("urgent", "Urgent", "bool"),
        Field("reviewer", "Reviewer", "user"),
        Field("owner", "Owner", "user"),
    ),
    form=expense_form,
    title=lambda e: f"Expense · {e.title}",
    url=lambda e: "",
    on_submitted=submitted,
    on_approved=approved,
    on_back_to_draft=back_to_draft,
    check_submit=check_submit,
    clean_changes=clean_changes,
)
register(EXPENSE)
