"""The customers' approvable documents, registered with the approval engine (see docs "approvals-admin"):

- customers.create — a new customer waits in approval (pending, locked); approved, it becomes active with the
  fields the approvers corrected; rejected, returned or withdrawn, it is a draft its owner can edit and resubmit.
- customers.transfer — a transfer or leaver handover waits for approval when ops published a flow for it;
  approved, the move is carried out as the requester.
"""

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kehu.approvals.registry import DocumentType, Field, register
from kehu.core.models import DictionaryItem
from kehu.customers import services
from kehu.customers.models import Customer, CustomerEvent, TransferRequest

DICTIONARY_FIELDS = {"industry": "industry", "level": "customer_level", "source": "customer_source", "region": "region"}


def _dictionary_choices(code):
    def choices():
        items = DictionaryItem.objects.filter(dictionary__code=code, is_active=True).order_by("sort_order", "pk")
        return [(item.code, item.label) for item in items]

    return choices


# --- customers.create -------------------------------------------------------------------------
def customer_form(customer: Customer) -> dict:
    primary = customer.contacts.order_by("-is_primary", "pk").first()
    form = {
        "name": customer.name,
        "credit_code": customer.credit_code,
        "address": customer.address,
        "website": customer.website,
        "tags": customer.tags,
        "notes": customer.notes,
        "owner": customer.owner_id,
        "contact": f"{primary.name} {primary.mobile}".strip() if primary else "",
        "contact_count": customer.contacts.count(),
    }
    for name in DICTIONARY_FIELDS:
        item = getattr(customer, name)
        form[name] = item.code if item else ""
    return form


def clean_customer_changes(customer, form, changes) -> dict:
    """Approvers' corrections go through the same checks as an edit (dictionary values, duplicates)."""
    data = {}
    for name, value in changes.items():
        if name in DICTIONARY_FIELDS:
            item = None
            if value:
                item = DictionaryItem.objects.filter(dictionary__code=DICTIONARY_FIELDS[name], code=value).first()
                if item is None:
                    raise ValidationError({name: _("Choose a value from the list.")})
            data[name] = item
        else:
            data[name] = value
    merged = {f: getattr(customer, f) for f in services.CUSTOMER_FIELDS}
    cleaned = services._clean_customer_data({**merged, **data})
    if {"name", "credit_code"} & set(changes):  # a corrected name or code must not make it a duplicate
        services._raise_for_duplicates(
            services.find_duplicates(
                None, name=cleaned["name"], credit_code=cleaned.get("credit_code", ""), exclude_pk=customer.pk
            )
        )
    result = {}
    for name in changes:
        value = cleaned[name]
        result[name] = (value.code if value else "") if name in DICTIONARY_FIELDS else value
    return result


def customer_submitted(customer: Customer, actor) -> None:
    # The version moves on: an edit opened before the submission is refused as stale instead of unlocking it.
    Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.PENDING, version=F("version") + 1)
    services.log_event(customer, CustomerEvent.Kind.SUBMITTED, actor)


def customer_approved(customer: Customer, form: dict, instance) -> None:
    """The approved form becomes the customer: corrected fields written, status active."""
    if customer.status != Customer.Status.PENDING:  # merged or otherwise changed meanwhile: nothing to activate
        return
    for name in ("name", "credit_code", "address", "website", "tags", "notes"):
        if name in form:
            setattr(customer, name, form[name])
    for name, code in DICTIONARY_FIELDS.items():
        value = form.get(name)
        item = DictionaryItem.objects.filter(dictionary__code=code, code=value).first() if value else None
        setattr(customer, name, item)
    services._set_name_fields(customer)
    customer.status = Customer.Status.ACTIVE
    customer.version += 1
    customer._change_reason = str(_("Approval passed"))
    customer.save()
    services.log_event(customer, CustomerEvent.Kind.APPROVED, None, instance.title)


def customer_back_to_draft(customer: Customer, instance, reason: str) -> None:
    if customer.status != Customer.Status.PENDING:
        return
    Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.DRAFT, version=F("version") + 1)
    services.log_event(customer, CustomerEvent.Kind.BACK_TO_DRAFT, None, f"{instance.get_state_display()} · {reason}")


def check_customer_submit(actor, customer: Customer) -> None:
    services.get_customer_for_user(actor, customer.pk, "change")
    if customer.status not in (Customer.Status.DRAFT,):
        raise ValidationError(_("Only a draft customer can be submitted for approval."))


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
        form=customer_form,
        title=lambda c: c.name,
        url=lambda c: reverse("customers:detail", kwargs={"pk": c.pk}),
        on_submitted=customer_submitted,
        on_approved=customer_approved,
        on_back_to_draft=customer_back_to_draft,
        check_submit=check_customer_submit,
        can_view=can_view_customer,
        clean_changes=clean_customer_changes,
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


def transfer_approved(request: TransferRequest, form: dict, instance) -> None:
    services.carry_out_request(request)


def transfer_submitted(request: TransferRequest, actor) -> None:
    TransferRequest.objects.filter(pk=request.pk).update(status=TransferRequest.Status.PENDING, outcome="")


def transfer_dropped(request: TransferRequest, instance, reason: str) -> None:
    """Rejected or withdrawn: nothing moves. Returned to the requester: it waits for their resubmission."""
    if instance.state == instance.State.RETURNED:
        return
    TransferRequest.objects.filter(pk=request.pk).update(
        status=TransferRequest.Status.DROPPED, outcome=f"{instance.get_state_display()} · {reason}"[:300]
    )


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
        on_submitted=transfer_submitted,
        on_approved=transfer_approved,
        on_back_to_draft=transfer_dropped,
        can_view=can_view_transfer,
        order=20,
    )
)
