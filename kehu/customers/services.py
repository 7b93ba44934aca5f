"""Every change to customers and contacts: create with the duplicate check, edit, share, transfer, hand over,
merge. Each function checks the actor's permission and scope, runs in one transaction and leaves a trail.
The public pool (`pool.py`), follow-ups and visits (`activities.py`) and imports (`imports.py`) build on these.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.approvals import documents
from kehu.core.geo import coordinate_errors
from kehu.core.locking import lock_keys, save_versioned
from kehu.core.models import DictionaryItem
from kehu.core.numbering import next_number
from kehu.core.text import fit, text_for_storage
from kehu.customers import extensions
from kehu.customers.models import (
    Contact,
    Customer,
    CustomerEvent,
    CustomerLimit,
    CustomerShare,
    FollowUp,
    TransferRequest,
    Visit,
    next_step_of,
)
from kehu.customers.text import (
    name_initials,
    name_pinyin,
    normalize_credit_code,
    normalize_name,
    normalize_phone,
    valid_credit_code,
    valid_phone,
)
from kehu.org.models import User
from kehu.org.scope import has_module_perm

CUSTOMER_FIELDS = [
    "name",
    "credit_code",
    "industry",
    "level",
    "source",
    "region",
    "address",
    "latitude",
    "longitude",
    "website",
    "tags",
    "notes",
]
DICTIONARY_FIELDS = {"industry": "industry", "level": "customer_level", "source": "customer_source", "region": "region"}
CREATE_DOC = "customers.create"  # the approvable document types of this app (customers/approvals.py)
TRANSFER_DOC = "customers.transfer"
CONTACT_FIELDS = ["name", "title", "mobile", "email", "wechat", "decision_role", "is_primary", "notes"]
MAX_CONTACTS = 50  # contacts written with one customer in one request (more are added one by one)


def require(actor, action: str) -> None:
    if not has_module_perm(actor, "customers", action):
        raise PermissionDenied(_("You do not have permission to do this."))


def get_customer_for_user(user, pk, action: str = "view") -> Customer:
    """The customer if `user` may `action` it; 404 otherwise (an out-of-scope customer does not exist)."""
    try:
        return Customer.objects.visible_to(user, action).exclude(status=Customer.Status.MERGED).get(pk=pk)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_customers_for_user(user, pks, action: str = "view"):
    """The customers `pks` as a queryset if `user` may `action` every one of them; 404 as soon as one is missing or
    outside the scope, with the same answer for both (a bulk action never tells which ids exist)."""
    try:
        ids = {int(pk) for pk in pks}
    except (ValueError, TypeError):
        raise Http404 from None
    customers = Customer.objects.visible_to(user, action).exclude(status=Customer.Status.MERGED).filter(pk__in=ids)
    if not ids or customers.count() != len(ids):
        raise Http404
    return customers


# --- the duplicate check (查重) ----------------------------------------------------------------
@dataclass
class Duplicate:
    customer: Customer
    reason: str  # "credit_code" | "name" | "phone"
    visible: bool

    @property
    def owner_label(self) -> str:
        if self.customer.owner_id is None:
            return _("in the public pool")
        return self.customer.owner.display_name

    def message(self) -> str:
        reasons = {
            "credit_code": _("A customer with this credit code already exists"),
            "name": _("A customer with this name already exists"),
            "phone": _("A contact with this phone number already belongs to a customer"),
        }
        reason = reasons[self.reason]
        if not self.visible:  # a customer the user may not open: who has it, in one sentence, and what to do
            if self.customer.owner_id is None:
                return _("%(reason)s, in the public pool: claim it instead of creating it again.") % {"reason": reason}
            return _("%(reason)s, owned by %(owner)s: ask them or your manager before creating it again.") % {
                "reason": reason,
                "owner": self.owner_label,
            }
        detail = _("%(name)s (%(number)s), owner: %(owner)s") % {
            "name": self.customer.name,
            "number": self.customer.number,
            "owner": self.owner_label,
        }
        return _("%(reason)s: %(detail)s") % {"reason": reason, "detail": detail}


def _editable_id(actor, value) -> int | None:
    text = str(value)
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**63:
        return None
    return Customer.objects.visible_to(actor, "change").filter(pk=int(text)).values_list("pk", flat=True).first()


def find_duplicates(actor, *, name: str = "", credit_code: str = "", phones=(), exclude_pk=None) -> list[Duplicate]:
    """Existing customers that would be duplicated: same credit code, same normalised name, same contact phone.
    `exclude_pk` is the customer being edited: it is left out only when `actor` may change it — an id outside the
    actor's scope (or not an id) is ignored, so the answer never tells which out-of-scope customer it is."""
    found: dict[int, Duplicate] = {}
    live = Customer.objects.exclude(status=Customer.Status.MERGED).select_related("owner")
    if exclude_pk is not None and actor is not None:
        editing = _editable_id(actor, exclude_pk)
        if editing is not None:
            live = live.exclude(pk=editing)
    checks = []
    code = normalize_credit_code(credit_code)
    if code:
        checks.append(("credit_code", live.filter(credit_code=code)))
    key = normalize_name(name)
    if key:
        checks.append(("name", live.filter(name_normalized=key)))
    numbers = sorted({normalize_phone(p) for p in phones if normalize_phone(p)})
    if numbers:
        checks.append(("phone", live.filter(contacts__mobile__in=numbers).distinct()))
    if not checks:
        return []
    visible = set()
    for reason, queryset in checks:
        for customer in queryset[:5]:
            found.setdefault(customer.pk, Duplicate(customer, reason, False))
    if found and actor is not None:
        visible = set(Customer.objects.visible_to(actor).filter(pk__in=found).values_list("pk", flat=True))
    for duplicate in found.values():
        duplicate.visible = duplicate.customer.pk in visible
    return list(found.values())


def _raise_for_duplicates(duplicates: list[Duplicate]):
    if not duplicates:
        return
    errors: dict[str, list[str]] = {}
    fields = {"credit_code": "credit_code", "name": "name", "phone": "contacts"}
    for duplicate in duplicates:
        errors.setdefault(fields[duplicate.reason], []).append(duplicate.message())
    raise ValidationError(errors)


# --- validation -------------------------------------------------------------------------------
def _clean_customer_data(data: dict) -> dict:
    data = dict(data)
    errors = {}
    data["name"] = " ".join((data.get("name") or "").split())
    if not data["name"]:
        errors["name"] = [_("Enter the company name.")]
    if "credit_code" in data:
        data["credit_code"] = normalize_credit_code(data.get("credit_code") or "")
        if data["credit_code"] and not valid_credit_code(data["credit_code"]):
            errors["credit_code"] = [
                _("This is not a valid unified social credit code (18 characters, check digit per GB 32100).")
            ]
    if data.get("website"):
        data["website"], problem = clean_website(data["website"])
        if problem:
            errors["website"] = [problem]
    errors.update(coordinate_errors(data.get("latitude"), data.get("longitude")))
    for name, code in DICTIONARY_FIELDS.items():
        item = data.get(name)
        if item is not None and (item.dictionary.code != code or not item.is_active):
            errors[name] = [_("Choose a value from the list.")]
    if errors:
        raise ValidationError(errors)
    return data


WEBSITE_LENGTH = Customer._meta.get_field("website").max_length


def clean_website(value: str) -> tuple[str, str | None]:
    """(the web address as stored, None) or (it, why it is refused): http(s) only (a `javascript:` link is
    refused), https:// when none is given, and the stored address — scheme included — within the field's length.
    The form, the API, the import and approvers' corrections all call this."""
    value = value.strip()
    if "://" not in value:
        value = f"https://{value}"
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return value, _("Enter a valid web address.")
    if len(value) > WEBSITE_LENGTH:
        return value, _("At most %(max)d characters (this has %(n)d).") % {"max": WEBSITE_LENGTH, "n": len(value)}
    return value, None


def check_customer_data(data: dict) -> None:
    """The checks of a customer's details that need no database write (for a form to show them with its own):
    ValidationError by field."""
    _clean_customer_data(data)


def clean_phone(typed: str) -> tuple[str, str | None]:
    """(the phone number as stored, None) or (it, why it is refused): a mobile number or a landline with its area
    code and optionally an extension, normalised (`text.normalize_phone`) before anything else is checked."""
    typed = (typed or "").strip()
    if typed and not valid_phone(typed):
        return normalize_phone(typed), _("%(phone)s is not a valid phone number.") % {"phone": typed}
    return normalize_phone(typed), None


def check_contact(contact: dict) -> None:
    """The checks of one contact (name, phone): ValidationError by field, for a form that types one contact."""
    errors = {}
    if not (contact.get("name") or "").strip():
        errors["name"] = [_("Enter the contact's name.")]
    _phone, problem = clean_phone(contact.get("mobile"))
    if problem:
        errors["mobile"] = [problem]
    if errors:
        raise ValidationError(errors)


def _clean_contacts(contacts: list[dict]) -> list[dict]:
    cleaned, errors = [], []
    if len(contacts) > MAX_CONTACTS:
        raise ValidationError(
            {
                "contacts": [
                    _("At most %(max)d contacts at once (this has %(n)d).") % {"max": MAX_CONTACTS, "n": len(contacts)}
                ]
            }
        )
    for index, contact in enumerate(contacts, start=1):
        contact = dict(contact)
        contact["name"] = (contact.get("name") or "").strip()
        typed = (contact.get("mobile") or "").strip()
        contact["mobile"] = normalize_phone(typed)
        if not contact["name"]:
            errors.append(_("Contact %(n)d: enter a name.") % {"n": index})
        if typed and not valid_phone(typed):
            errors.append(_("Contact %(n)d: %(phone)s is not a valid phone number.") % {"n": index, "phone": typed})
        cleaned.append(contact)
    numbers = [c["mobile"] for c in cleaned if c["mobile"]]
    if len(numbers) != len(set(numbers)):
        errors.append(_("Two contacts have the same phone number."))
    if errors:
        raise ValidationError({"contacts": errors})
    if cleaned and not any(c.get("is_primary") for c in cleaned):
        cleaned[0]["is_primary"] = True
    return cleaned


def _set_name_fields(customer: Customer):
    customer.name_normalized = normalize_name(customer.name)
    customer.name_pinyin = name_pinyin(customer.name)[:400]
    customer.name_initials = name_initials(customer.name)[:100]


def role_limit(user: User, field: str) -> int | None:
    """A per-role cap for `user` (field of CustomerLimit), None = no cap.

    Among the user's roles that may create customers, the most generous applies; a role without a limit row
    has no cap, so it lifts the cap of the others (a rep who is also in sales operations is not capped).
    """
    from kehu.org.models import RoleGrant

    grants = RoleGrant.objects.filter(role__users=user, module="customers")
    role_ids = {grant.role_id for grant in grants if "add" in grant.actions}
    if not role_ids:
        return None
    caps = dict(CustomerLimit.objects.filter(role_id__in=role_ids).values_list("role_id", field))
    if any(caps.get(role_id) is None for role_id in role_ids):
        return None
    return max(caps.values())


def check_owned_limit(user: User, adding: int = 1) -> None:
    """Refuse when `user` would own more customers than the most generous of their roles allows."""
    cap = role_limit(user, "max_owned")
    if cap is None:
        return
    owned = Customer.objects.filter(owner=user).exclude(status=Customer.Status.MERGED).count()
    if owned + adding > cap:
        raise ValidationError(
            {
                "owner": _("%(name)s already owns %(owned)d customers; the limit is %(cap)d.")
                % {"name": user.display_name, "owned": owned, "cap": cap}
            }
        )


def check_not_locked(customer: Customer) -> None:
    """A customer in approval is locked: the approvers decide on what was submitted."""
    documents.check_not_locked(customer)


def log_event(customer, kind, actor, text=""):
    CustomerEvent.objects.create(customer=customer, kind=kind, actor=actor, text=fit(text, 300))


# --- create and edit --------------------------------------------------------------------------
def create_customer(
    actor,
    data: dict,
    contacts: list[dict] = (),
    *,
    owner: User | None = None,
    status: str | None = None,
    check_duplicates: bool = True,
    submit: bool = True,
) -> Customer:
    """A rep records a new customer with its contacts. Needs customers.add. The owner is the actor unless
    given (ops creating for someone else need customers.transfer). Refuses duplicates and invalid input.

    When ops published a customer-creation flow the customer starts as a draft and, with `submit`, goes into
    approval at once (pending, locked); approval makes it active (`customers/approvals.py`)."""
    from kehu.approvals.services import requires_approval
    from kehu.approvals.services import submit as submit_for_approval

    needs_approval = status is None and requires_approval(CREATE_DOC)
    status = status or (Customer.Status.DRAFT if needs_approval else Customer.Status.ACTIVE)
    require(actor, "add")
    owner = owner or actor
    if owner != actor:
        require(actor, "transfer")
    data = _clean_customer_data(data)
    contacts = _clean_contacts(list(contacts))
    phones = [c["mobile"] for c in contacts]
    now = timezone.now()
    try:
        with transaction.atomic():
            # Checked under the locks of the keys it is checked by: two identical forms posted at once, or ten
            # creates by one rep, queue here and the later ones see what the earlier ones wrote.
            lock_customer_keys(owner, data["name"], data.get("credit_code", ""), phones)
            if check_duplicates:
                _raise_for_duplicates(
                    find_duplicates(actor, name=data["name"], credit_code=data.get("credit_code", ""), phones=phones)
                )
            check_owned_limit(owner)
            customer = _write_new_customer(actor, data, contacts, owner, status, now)
            if needs_approval and submit:
                submit_for_approval(actor, CREATE_DOC, customer)
                customer.refresh_from_db()
    except IntegrityError:  # the credit code's unique constraint: written by a path that took no lock
        _raise_for_duplicates(find_duplicates(actor, credit_code=data.get("credit_code", "")))
        raise
    return customer


def lock_customer_keys(owner, name: str, credit_code: str = "", phones=()) -> None:
    """The keys a new or edited customer is checked by (see kehu.core.locking.lock_keys)."""
    lock_keys(
        f"customer-name:{normalize_name(name)}" if name else "",
        f"customer-credit:{normalize_credit_code(credit_code)}" if credit_code else "",
        *(f"customer-phone:{normalize_phone(p)}" for p in phones if normalize_phone(p)),
    )
    if owner is not None:  # the owner's cap: the same row lock the pool's claims take
        list(User.objects.select_for_update().filter(pk=owner.pk).values_list("pk", flat=True))


def _write_new_customer(actor, data, contacts, owner, status, now) -> Customer:
    customer = Customer(**{k: v for k, v in data.items() if k in CUSTOMER_FIELDS})
    customer.number = next_number("CU")
    customer.owner, customer.owner_department = owner, owner.department
    customer.status, customer.created_by = status, actor
    customer.owned_since = customer.last_activity_at = customer.created_at = now
    customer.updated_by, customer.updated_at = actor, now
    _set_name_fields(customer)
    customer._history_user = actor
    customer.save()
    for contact in contacts:
        new = Contact(customer=customer, **{k: v for k, v in contact.items() if k in CONTACT_FIELDS})
        new._history_user = actor
        new.save()
    log_event(customer, CustomerEvent.Kind.CREATED, actor)
    return customer


def check_can_submit(actor, customer: Customer) -> Customer:
    """Only a draft in the actor's change scope goes into approval (404 outside the scope)."""
    customer = get_customer_for_user(actor, customer.pk, "change")
    documents.check_transition(customer, "submit")
    return customer


def submit_customer(actor, customer: Customer) -> Customer:
    """Send a draft customer (new, or back from approval) into approval; with no creation flow published any more,
    the draft simply becomes active."""
    from kehu.approvals.services import open_instance, requires_approval
    from kehu.approvals.services import submit as submit_for_approval

    customer = check_can_submit(actor, customer)
    with transaction.atomic():
        # A draft returned by its approval goes back into that approval, even if ops turned approval off since.
        if open_instance(CREATE_DOC, customer.pk) is not None or requires_approval(CREATE_DOC):
            submit_for_approval(actor, CREATE_DOC, customer)
        else:
            documents.transition(customer, "activate")
            log_event(customer, CustomerEvent.Kind.APPROVED, actor, _("No approval required"))
    customer.refresh_from_db()
    return customer


def update_customer(actor, customer: Customer, data: dict, expected_version: int | None) -> Customer:
    """Edit a customer's details. Needs change rights on it (owner, scope or an editable share)."""
    customer = get_customer_for_user(actor, customer.pk, "change")
    check_not_locked(customer)
    data = _clean_customer_data({**{f: getattr(customer, f) for f in CUSTOMER_FIELDS}, **data})
    try:
        with transaction.atomic():
            lock_customer_keys(None, data["name"], data.get("credit_code", ""))
            _raise_for_duplicates(
                find_duplicates(
                    actor, name=data["name"], credit_code=data.get("credit_code", ""), exclude_pk=customer.pk
                )
            )
            _apply_edit(actor, customer, data, expected_version)
    except IntegrityError:
        _raise_for_duplicates(find_duplicates(actor, credit_code=data.get("credit_code", ""), exclude_pk=customer.pk))
        raise
    return customer


def _apply_edit(actor, customer, data, expected_version) -> None:
    for name in CUSTOMER_FIELDS:
        if name in data:
            setattr(customer, name, data[name])
    _set_name_fields(customer)
    save_versioned(customer, actor, expected_version)


def save_contact(
    actor, customer: Customer, contact: Contact | None, data: dict, expected_version: int | None = None
) -> Contact:
    customer = get_customer_for_user(actor, customer.pk, "change")
    check_not_locked(customer)
    [data] = _clean_contacts([{**({f: getattr(contact, f) for f in CONTACT_FIELDS} if contact else {}), **data}])
    if data["mobile"]:
        others = [d for d in find_duplicates(actor, phones=[data["mobile"]]) if d.customer.pk != customer.pk]
        _raise_for_duplicates(others)
        same = customer.contacts.filter(mobile=data["mobile"]).exclude(pk=contact.pk if contact else None)
        if same.exists():
            raise ValidationError({"mobile": [_("Another contact of this customer has this phone number.")]})
    with transaction.atomic():
        if data.get("is_primary"):
            customer.contacts.exclude(pk=contact.pk if contact else None).update(is_primary=False)
        if contact is None:
            contact = Contact(customer=customer, **{k: v for k, v in data.items() if k in CONTACT_FIELDS})
            contact.updated_by, contact._history_user = actor, actor
            contact.save()
        else:
            for name in CONTACT_FIELDS:
                setattr(contact, name, data[name])
            save_versioned(contact, actor, expected_version)
        Customer.objects.filter(pk=customer.pk).update(last_activity_at=timezone.now())
    return contact


def delete_contact(actor, contact: Contact) -> None:
    check_not_locked(get_customer_for_user(actor, contact.customer_id, "change"))
    contact._history_user = actor
    contact.delete()


# --- sharing ----------------------------------------------------------------------------------
def share_customer(actor, customer: Customer, *, users=(), departments=(), can_edit=False, until=None) -> int:
    """The owner (or someone who may change it) shares a customer with colleagues or departments."""
    customer = get_customer_for_user(actor, customer.pk, "change")
    if customer.owner_id is None:
        raise ValidationError({"customer": _("Customers in the public pool cannot be shared.")})
    if until is not None and until <= timezone.now():
        raise ValidationError({"until": _("The end of sharing must be in the future.")})
    if not users and not departments:
        raise ValidationError({"users": _("Choose at least one colleague or department.")})
    created = 0
    with transaction.atomic():
        for user in users:
            if user.pk == customer.owner_id:
                continue
            CustomerShare.objects.update_or_create(
                customer=customer, user=user, defaults={"can_edit": can_edit, "until": until, "shared_by": actor}
            )
            created += 1
        for department in departments:
            CustomerShare.objects.update_or_create(
                customer=customer,
                department=department,
                defaults={"can_edit": can_edit, "until": until, "shared_by": actor},
            )
            created += 1
        names = "、".join([u.display_name for u in users] + [d.name for d in departments])
        log_event(customer, CustomerEvent.Kind.SHARED, actor, names)
    return created


def end_share(actor, share: CustomerShare) -> None:
    get_customer_for_user(actor, share.customer_id, "change")
    with transaction.atomic():
        target = share.user.display_name if share.user_id else share.department.name
        log_event(share.customer, CustomerEvent.Kind.UNSHARED, actor, target)
        share.delete()


# --- transfer, handover, merge ----------------------------------------------------------------
@dataclass
class MoveSummary:
    customers: int = 0
    open_followups: int = 0
    planned_visits: int = 0
    skipped: list = field(default_factory=list)
    request: TransferRequest | None = None  # set when the move waits for approval instead

    @property
    def request_instance_id(self) -> int | None:
        if self.request is None:
            return None
        from kehu.approvals.models import FlowInstance

        instance = FlowInstance.objects.for_document(TRANSFER_DOC, self.request.pk).order_by("-id").first()
        return instance.pk if instance else None


def _request_move(actor, kind, customer_ids, to_user, *, leaver=None, reason="") -> MoveSummary:
    """Ops want transfers / handovers approved: record the request and submit it; approval carries it out."""
    from kehu.approvals.services import submit as submit_for_approval

    with transaction.atomic():
        # Row locks on the customers serialise two requests for the same customers (a double submit, two people
        # at once); the second one then sees the first and is refused.
        list(Customer.objects.select_for_update().filter(pk__in=customer_ids).order_by("pk").values_list("pk"))
        wanted = set(customer_ids)
        for pending in TransferRequest.objects.filter(status=TransferRequest.Status.PENDING).only("customer_ids"):
            if wanted & set(pending.customer_ids):
                names = Customer.objects.filter(pk__in=sorted(wanted & set(pending.customer_ids))[:3])
                raise ValidationError(
                    {
                        "customers": _("A transfer of %(names)s is already waiting for approval.")
                        % {"names": "、".join(c.name for c in names)}
                    }
                )
        request = TransferRequest.objects.create(
            kind=kind,
            customer_ids=customer_ids,
            to_user=to_user,
            leaver=leaver,
            reason=reason[:200],
            requested_by=actor,
        )
        submit_for_approval(actor, TRANSFER_DOC, request)
    return MoveSummary(customers=len(customer_ids), request=request)


def carry_out_request(request: TransferRequest) -> MoveSummary:
    """The approved effect of a transfer request: the move, as the requester (their scope at this moment)."""
    if request.kind == TransferRequest.Kind.HANDOVER:
        summary = hand_over(request.requested_by, request.leaver, request.to_user, approved=True)
    else:
        summary = transfer_customers(
            request.requested_by, request.customer_ids, request.to_user, request.reason, approved=True
        )
    request.outcome = _("%(n)s customers moved.") % {"n": summary.customers}
    request.save(update_fields=["outcome"])
    return summary


def _move_customer(customer: Customer, to_user: User, actor, kind, text):
    now = timezone.now()
    customer.owner, customer.owner_department = to_user, to_user.department
    customer.owned_since, customer.updated_by, customer.updated_at = now, actor, now
    customer.version += 1
    customer._history_user = actor
    customer._change_reason = text
    customer.save()
    CustomerShare.objects.filter(customer=customer, user=to_user).delete()
    log_event(customer, kind, actor, text)


def transfer_customers(actor, customer_ids, to_user: User, reason: str = "", *, approved=False) -> MoveSummary:
    """Move customers to another owner (bulk transfer). Needs customers.transfer, and every customer in the actor's
    change scope: one outside it (or missing) answers 404 and nothing moves. `summary.skipped` lists the customers
    the new owner already owns. When ops published a transfer flow, this files a request for approval instead
    (`summary.request`).

    `approved`: the approved effect of a request, carried out as the requester with their scope at this moment;
    a customer that left it meanwhile is skipped (the approver cannot act on it) instead of failing the decision."""
    from kehu.approvals.services import requires_approval

    require(actor, "transfer")
    ids = list(dict.fromkeys(customer_ids))
    if approved:
        allowed = Customer.objects.visible_to(actor, "change").filter(pk__in=ids).exclude(status=Customer.Status.MERGED)
    else:
        allowed = get_customers_for_user(actor, ids, "change")
    if not to_user.is_active:
        raise ValidationError({"to_user": _("The new owner has left the company.")})
    if not has_module_perm(to_user, "customers", "view"):
        raise ValidationError({"to_user": _("The new owner has no access to customers.")})
    if not approved and requires_approval(TRANSFER_DOC):
        in_scope = sorted(allowed.exclude(owner=to_user).values_list("pk", flat=True))
        if not in_scope:
            raise ValidationError({"customers": _("None of these customers can be moved to this person.")})
        return _request_move(actor, TransferRequest.Kind.TRANSFER, in_scope, to_user, reason=reason)
    summary = MoveSummary()
    with transaction.atomic():
        customers = list(allowed.select_for_update(of=("self",)).select_related("owner").order_by("pk"))
        if not approved and len(customers) != len(ids):  # moved out of the scope since the check above
            raise Http404
        moving = [c for c in customers if c.owner_id != to_user.pk]
        check_owned_limit(to_user, adding=len(moving))
        for customer in moving:
            text = _("Transferred from %(from)s to %(to)s") % {
                "from": customer.owner.display_name if customer.owner_id else _("the public pool"),
                "to": to_user.display_name,
            }
            if reason:
                text = f"{text} · {reason}"
            _move_customer(customer, to_user, actor, CustomerEvent.Kind.TRANSFERRED, text)
        summary.customers = len(moving)
        extensions.customers_moved(actor, moving, to_user, CustomerEvent.Kind.TRANSFERRED, reason)
    summary.skipped = sorted(set(ids) - {c.pk for c in moving})
    return summary


def hand_over(actor, leaver: User, successor: User, *, approved=False) -> MoveSummary:
    """Leaver handover (离职交接): the leaver's customers, open follow-up next steps and planned visits move to
    the successor in one transaction, with what other modules move along (`extensions.on_moved`). Needs
    customers.transfer, and every customer of the leaver in the actor's change scope: with one outside it the
    answer is 404, as for any customer outside the scope (the approved effect of a request says so as a field
    error instead: its approver cannot act on it). When ops published a transfer flow, this files a request for
    approval instead (`summary.request`)."""
    from kehu.approvals.services import requires_approval

    require(actor, "transfer")
    owned = Customer.objects.filter(owner=leaver).exclude(status=Customer.Status.MERGED)
    in_scope = Customer.objects.visible_to(actor, "change").filter(owner=leaver).exclude(status=Customer.Status.MERGED)
    if owned.count() != in_scope.count():
        if not approved:
            raise Http404
        raise ValidationError({"leaver": _("Some of this person's customers are outside your data scope.")})
    if leaver.pk == successor.pk:
        raise ValidationError({"successor": _("Choose someone other than the person leaving.")})
    if not successor.is_active:
        raise ValidationError({"successor": _("The successor has left the company too.")})
    if not approved and requires_approval(TRANSFER_DOC):
        ids = list(owned.values_list("pk", flat=True))
        return _request_move(actor, TransferRequest.Kind.HANDOVER, ids, successor, leaver=leaver)
    summary = MoveSummary()
    with transaction.atomic():
        text = _("Handed over from %(from)s to %(to)s") % {"from": leaver.display_name, "to": successor.display_name}
        customers = list(owned.select_for_update(of=("self",)).order_by("pk"))
        for customer in customers:
            _move_customer(customer, successor, actor, CustomerEvent.Kind.HANDED_OVER, text)
        summary.customers = len(customers)
        extensions.customers_moved(actor, customers, successor, CustomerEvent.Kind.HANDED_OVER, text)
        # The follow-ups stay the leaver's (the history is theirs); their open next steps become the successor's.
        summary.open_followups = (
            FollowUp.objects.filter(next_step_of(leaver), next_step_done_at__isnull=True)
            .exclude(next_step="")
            .update(next_step_owner=successor)
        )
        summary.planned_visits = Visit.objects.filter(visitor=leaver, status=Visit.Status.PLANNED).update(
            visitor=successor
        )
    return summary


def merge_customers(actor, keep: Customer | int, duplicate: Customer | int) -> Customer:
    """Sales ops merge a duplicate into the customer to keep (each given as a customer or its id): contacts,
    follow-ups, visits and shares move; the duplicate is marked merged and points at the survivor. Needs
    customers.manage, and both customers in the actor's change scope: one outside it (or already merged) answers
    404, the same as a missing one."""
    require(actor, "manage")
    keep = get_customer_for_user(actor, getattr(keep, "pk", keep), "change")
    duplicate = get_customer_for_user(actor, getattr(duplicate, "pk", duplicate), "change")
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("Choose two different customers.")})
    with transaction.atomic():
        locked = {
            c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk]).order_by("pk")
        }
        keep, duplicate = locked[keep.pk], locked[duplicate.pk]
        if Customer.Status.MERGED in (keep.status, duplicate.status):
            raise ValidationError({"duplicate": _("A merged customer cannot be merged again.")})
        if Customer.Status.PENDING in (keep.status, duplicate.status):
            raise ValidationError({"duplicate": _("A customer in approval cannot be merged until the approval ends.")})
        numbers = set(keep.contacts.exclude(mobile="").values_list("mobile", flat=True))
        moved_contacts = 0
        for contact in duplicate.contacts.all():
            if contact.mobile and contact.mobile in numbers:
                continue
            contact.customer, contact.is_primary = keep, False
            contact._history_user = actor
            contact.save()
            moved_contacts += 1
        FollowUp.objects.filter(customer=duplicate).update(customer=keep)
        Visit.objects.filter(customer=duplicate).update(customer=keep)
        extensions.customers_merged(actor, keep, duplicate)  # what other modules hang off customers moves too
        for share in duplicate.shares.all():
            exists = keep.shares.filter(Q(user=share.user_id) if share.user_id else Q(department=share.department_id))
            if exists.exists():
                share.delete()
            else:
                share.customer = keep
                share.save()
        for name in ("credit_code", "industry", "level", "source", "region", "address", "website"):
            if not getattr(keep, name) and getattr(duplicate, name):
                setattr(keep, name, getattr(duplicate, name))
        code = duplicate.credit_code
        duplicate.status, duplicate.merged_into, duplicate.credit_code = Customer.Status.MERGED, keep, ""
        duplicate.version += 1
        duplicate._history_user = actor
        duplicate._change_reason = _("Merged into %(name)s (%(number)s)") % {"name": keep.name, "number": keep.number}
        duplicate.save()
        if not keep.credit_code and code:
            keep.credit_code = code
        keep.last_activity_at = max(keep.last_activity_at, duplicate.last_activity_at)
        keep.version += 1
        keep._history_user = actor
        keep._change_reason = _("Merged with %(name)s (%(number)s)") % {
            "name": duplicate.name,
            "number": duplicate.number,
        }
        keep.save()
        log_event(
            keep,
            CustomerEvent.Kind.MERGED,
            actor,
            _("%(name)s (%(number)s) merged in, %(n)d contacts moved")
            % {"name": duplicate.name, "number": duplicate.number, "n": moved_contacts},
        )
    return keep


def touch_activity(customer_id: int, when=None, *, followup: bool = False) -> None:
    """Record activity on a customer: sorts lists by recency and resets the pool clock for follow-ups."""
    when = when or timezone.now()
    values = {"last_activity_at": when}
    if followup:
        values["last_followup_at"] = when
    Customer.objects.filter(pk=customer_id).update(**values)


# --- approval effects (the hooks of Customer and TransferRequest as approvable documents) ------------
APPROVAL_TEXT_FIELDS = ("name", "credit_code", "address", "website", "tags", "notes")


def dictionary_item(field: str, code: str):
    """The dictionary value of `field` with `code` ("" → None); an unknown code is a field error."""
    if not code:
        return None
    item = DictionaryItem.objects.filter(dictionary__code=DICTIONARY_FIELDS[field], code=code).first()
    if item is None:
        raise ValidationError({field: _("Choose a value from the list.")})
    return item


def approval_form(customer: Customer) -> dict:
    """What approvers see of a new customer (dictionary values by their stable codes)."""
    primary = customer.contacts.order_by("-is_primary", "pk").first()
    form = {name: getattr(customer, name) for name in APPROVAL_TEXT_FIELDS}
    form.update({name: getattr(customer, name).code if getattr(customer, name) else "" for name in DICTIONARY_FIELDS})
    form["owner"] = customer.owner_id
    form["contact"] = f"{primary.name} {primary.mobile}".strip() if primary else ""
    form["contact_count"] = customer.contacts.count()
    return form


def clean_approval_changes(customer: Customer, changes: dict) -> dict:
    """Approvers' corrections pass the checks of an edit (`_clean_customer_data`: dictionary values, credit code,
    web address) and the duplicate check."""
    data = {
        name: dictionary_item(name, value) if name in DICTIONARY_FIELDS else value for name, value in changes.items()
    }
    cleaned = _clean_customer_data({**{f: getattr(customer, f) for f in CUSTOMER_FIELDS}, **data})
    if {"name", "credit_code"} & set(changes):
        _raise_for_duplicates(
            find_duplicates(
                None, name=cleaned["name"], credit_code=cleaned.get("credit_code", ""), exclude_pk=customer.pk
            )
        )
    return {
        name: ((cleaned[name].code if cleaned[name] else "") if name in DICTIONARY_FIELDS else cleaned[name])
        for name in changes
    }


def activate_approved(customer: Customer, form: dict, title: str) -> None:
    """Approved (the status table made it active): the approved form becomes the customer, no second entry."""
    for name in APPROVAL_TEXT_FIELDS:
        if name in form:
            setattr(customer, name, form[name])
    for name in DICTIONARY_FIELDS:
        setattr(customer, name, dictionary_item(name, form.get(name) or ""))
    _set_name_fields(customer)
    customer._change_reason = _("Approval passed")
    customer.save()
    log_event(customer, CustomerEvent.Kind.APPROVED, None, title)


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


def drop_request(request: TransferRequest, text: str) -> None:
    """Rejected or withdrawn (the status table dropped it): nothing moves; the reason is kept."""
    TransferRequest.objects.filter(pk=request.pk).update(outcome=text_for_storage(text, 300))
