"""The customers' approvable documents, registered with the approval engine (see docs "approvals-admin"):

- customers.create — a new customer waits in approval (pending, locked); approved, it becomes active with the
  fields the approvers corrected; rejected, returned or withdrawn, it is a draft its owner can edit and resubmit.
- customers.transfer — a transfer or leaver handover waits for approval when ops published a flow for it;
  approved, the move is carried out as the requester.
"""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kehu.approvals.registry import DocumentType, Field, register
from kehu.core.models import DictionaryItem
from kehu.customers import services
from kehu.customers.models import Customer, TransferRequest


def _dictionary_choices(code):
    def choices():
        items = DictionaryItem.objects.filter(dictionary__code=code, is_active=True).order_by("sort_order", "pk")
        return [(item.code, item.label) for item in items]

    return choices


# --- customers.create -------------------------------------------------------------------------
def customer_back_to_draft(customer: Customer, instance, reason: str) -> None:
    services.back_to_draft(customer, f"{instance.get_state_display()} · {reason}")


def can_view_customer(user, customer: Customer) -> bool:
    return Customer.objects.visible_to(user).filter(pk=customer.pk).exists()


register(
    DocumentType(
        key=services.CREATE_DOC,
        label=_("New customer"),
        model=Customer,
        description=_("A customer recorded by a rep becomes active once approved."),
        fields=(
            Field("name", _("Company name"), "text", editable=True),
            Field("credit_code", _("Unified social credit code"), "text", editable=True),
            Field("industry", _("Industry"), "choice", _dictionary_choices("industry"), editable=True),
            Field("level", _("Customer level"), "choice", _dictionary_choices("customer_level"), editable=True),
            Field("source", _("Customer source"), "choice", _dictionary_choices("customer_source"), editable=True),
            Field("region", _("Region"), "choice", _dictionary_choices("region"), editable=True),
            Field("address", _("Address"), "text", editable=True),
            Field("website", _("Website"), "text", editable=True, condition=False),
            Field("tags", _("Tags"), "text", editable=True),
            Field("notes", _("Notes"), "text", editable=True, condition=False, multiline=True),
            Field("owner", _("Owner"), "user"),
            Field("contact", _("Primary contact"), "text", condition=False),
            Field("contact_count", _("Number of contacts"), "number"),
        ),
        form=services.approval_form,
        title=lambda c: c.name,
        url=lambda c: reverse("customers:detail", kwargs={"pk": c.pk}),
        on_submitted=services.mark_submitted,
        on_approved=lambda customer, form, instance: services.activate_approved(customer, form, instance.title),
        on_back_to_draft=customer_back_to_draft,
        check_submit=services.check_can_submit,
        can_view=can_view_customer,
        clean_changes=lambda customer, form, changes: services.clean_approval_changes(customer, changes),
        order=10,
    )
)


# --- customers.transfer -----------------------------------------------------------------------
def transfer_title(request: TransferRequest) -> str:
    names = list(Customer.objects.filter(pk__in=request.customer_ids[:3]).values_list("name", flat=True))
    more = len(request.customer_ids) - len(names)
    return "、".join(names) + (f" +{more}" if more > 0 else "") + f" → {request.to_user.display_name}"


def transfer_form(request: TransferRequest) -> dict:
    customers = Customer.objects.filter(pk__in=request.customer_ids[:500])
    owners = sorted({c.owner.display_name for c in customers.select_related("owner") if c.owner_id})
    names = list(customers.order_by("name").values_list("name", flat=True)[:20])
    more = len(request.customer_ids) - len(names)
    return {
        "kind": request.kind,
        "customer_count": len(request.customer_ids),
        "customers": "、".join(names) + (f" … (+{more})" if more > 0 else ""),
        "from_owners": "、".join(owners),
        "leaver": request.leaver_id,
        "to_user": request.to_user_id,
        "to_department": request.to_user.department.name if request.to_user.department_id else "",
        "reason": request.reason,
    }


def transfer_dropped(request: TransferRequest, instance, reason: str) -> None:
    """Rejected or withdrawn: nothing moves. Returned to the requester: it waits for their resubmission."""
    if instance.state != instance.State.RETURNED:
        services.drop_request(request, f"{instance.get_state_display()} · {reason}")


def can_view_transfer(user, request: TransferRequest) -> bool:
    return request.requested_by_id == user.pk or (
        Customer.objects.visible_to(user).filter(Q(pk__in=request.customer_ids[:500])).exists()
        and request.to_user_id == user.pk
    )


register(
    DocumentType(
        key=services.TRANSFER_DOC,
        label=_("Customer transfer / handover"),
        model=TransferRequest,
        description=_("Transfers and leaver handovers are carried out once approved."),
        fields=(
            Field("kind", _("Kind"), "choice", lambda: TransferRequest.Kind.choices),
            Field("customer_count", _("Number of customers"), "number"),
            Field("customers", _("Customers"), "text", condition=False, multiline=True),
            Field("from_owners", _("Current owners"), "text", condition=False),
            Field("leaver", _("Person leaving"), "user"),
            Field("to_user", _("New owner"), "user"),
            Field("to_department", _("New owner's department"), "text"),
            Field("reason", _("Reason"), "text", condition=False),
        ),
        form=transfer_form,
        title=transfer_title,
        url=lambda r: "",
        on_submitted=lambda request, actor: services.reopen_request(request),
        on_approved=lambda request, form, instance: services.carry_out_request(request),
        on_back_to_draft=transfer_dropped,
        can_view=can_view_transfer,
        order=20,
    )
)
