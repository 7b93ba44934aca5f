"""The opportunity as an approvable document ("sales.opportunity"): a new opportunity may need approval (e.g. a
branch "amount > 1,000,000 → director", default: end). Pending, it is locked and counts nowhere; approved, it is
effective with the corrections approvers made to the amount or the expected close date; rejected, returned or
withdrawn, it is a draft its owner can edit and resubmit."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.approvals.registry import Field, register
from kehu.core.models import DictionaryItem
from kehu.sales.models import Opportunity, OpportunityEvent


def _source_choices():
    items = DictionaryItem.objects.filter(dictionary__code="opportunity_source", is_active=True)
    return [(item.code, item.label) for item in items.order_by("sort_order", "pk")]


def _stage_choices():
    from kehu.sales.models import Stage

    return [(str(s.pk), s.name) for s in Stage.objects.order_by("position", "pk")]


register(
    "sales.opportunity",
    gettext_lazy("New opportunity"),
    Opportunity,
    description=gettext_lazy("A new opportunity counts in pipeline, forecast and targets once approved."),
    order=30,
    fields=(
        Field("name", gettext_lazy("Opportunity name"), "text"),
        Field("customer", gettext_lazy("Customer"), "text"),
        Field("amount", gettext_lazy("Amount"), "number", editable=True),
        Field("expected_close_date", gettext_lazy("Expected close date"), "text", editable=True, condition=False),
        Field("stage", gettext_lazy("Stage"), "choice", _stage_choices),
        Field("source", gettext_lazy("Source"), "choice", _source_choices),
        Field("owner", gettext_lazy("Owner"), "user"),
        Field("description", gettext_lazy("Description"), "text", condition=False, multiline=True),
    ),
)


def approval_form(opportunity: Opportunity) -> dict:
    return {
        "name": opportunity.name,
        "customer": opportunity.customer.name,
        "amount": str(opportunity.amount) if opportunity.amount is not None else None,
        "expected_close_date": opportunity.expected_close_date.isoformat(),
        "stage": str(opportunity.stage_id),
        "source": opportunity.source.code if opportunity.source_id else "",
        "owner": opportunity.owner_id,
        "description": opportunity.description,
    }


def clean_approval_changes(opportunity: Opportunity, changes: dict) -> dict:
    """An approver may correct the amount and the expected close date, checked as an edit is."""
    from datetime import date

    from kehu.sales.services import clean_amount

    cleaned, errors = {}, {}
    for name, value in changes.items():
        try:
            if name == "amount":
                amount = clean_amount(value)
                cleaned[name] = str(amount) if amount is not None else None
            elif name == "expected_close_date":
                cleaned[name] = date.fromisoformat(str(value)).isoformat()
            else:
                errors[name] = [_("You cannot change this field at this step.")]
        except ValidationError as exc:
            errors.update(exc.message_dict)
        except ValueError:
            errors[name] = [_("Enter a date as YYYY-MM-DD.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_can_submit(actor, opportunity: Opportunity) -> None:
    from kehu.sales import services

    services.check_can_submit(actor, opportunity)


def on_approved(opportunity: Opportunity, form: dict, instance) -> None:
    from datetime import date
    from decimal import Decimal

    from kehu.sales import services

    fields = []
    if "amount" in form:
        opportunity.amount = Decimal(form["amount"]) if form["amount"] not in (None, "") else None
        fields.append("amount")
    if form.get("expected_close_date"):
        opportunity.expected_close_date = date.fromisoformat(form["expected_close_date"])
        fields.append("expected_close_date")
    if fields:
        opportunity._history_user = None
        opportunity.save(update_fields=fields)
    services.log_event(opportunity, OpportunityEvent.Kind.APPROVED, None, instance.title)


def on_sent_back(opportunity: Opportunity, instance, reason: str) -> None:
    from kehu.sales import services

    services.log_event(
        opportunity, OpportunityEvent.Kind.BACK_TO_DRAFT, None, f"{instance.get_state_display()} · {reason}"
    )
