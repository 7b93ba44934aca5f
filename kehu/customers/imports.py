"""Excel import of customers with their primary contact, declared into the core import engine
(`kehu.core.importing`): the columns, the checks of a row and of the whole file, and the writer.

- A row: required name, dictionary values (by Chinese or English label, or by code), the credit code's
  GB 32100 check digit, phone, e-mail, web address, lengths.
- The file: duplicates inside it (an earlier row with the same normalised name, credit code or phone) and
  against the database (`services.find_duplicates` semantics), and the owner's `max_owned` limit.
- Writing: customers numbered from one reserved block (`core.numbering.reserve_numbers`), their primary
  contacts — both with their history rows (`core.bulk.insert_created`) — and a "created" event each.

Speed: the duplicate check against the database is set-based. The file's normalised names, credit codes and
phones are looked up `LOOKUP_CHUNK` keys at a time (one query per key kind and chunk, never one per row), so
100,000 rows need a few dozen queries; the sheet is streamed (`core.xlsx.sheet_rows`) and rows are written
through the driver (`core.bulk`); `bench/customers_import.py` measures it.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as N_

from kehu.core import importing
from kehu.core.bulk import chunks, db_timestamp, insert_created, insert_rows
from kehu.core.importing import Column, RowError
from kehu.core.numbering import reserve_numbers
from kehu.customers.models import Contact, Customer, CustomerEvent, CustomerLimit
from kehu.customers.services import Duplicate, clean_website, require
from kehu.customers.text import (
    PHONE_TYPED_LENGTH,
    normalize_credit_code,
    normalize_name,
    normalize_phone,
    pinyin_fields,
    valid_credit_code,
    valid_phone,
)
from kehu.org.models import User
from kehu.org.scope import has_module_perm

LOOKUP_CHUNK = 5000  # keys per duplicate-check query (well under SQLite's and PostgreSQL's parameter limits)
WRITE_BATCH = 2000  # rows per bulk insert (and per progress report while writing)

COLUMNS = (
    Column("name", "公司名称", N_("Company name"), required=True, max_length=100),
    Column(
        "credit_code",
        "统一社会信用代码",
        N_("Unified social credit code"),
        ("credit code",),
        max_length=18,
        normalise=normalize_credit_code,
    ),
    Column("industry", "行业", N_("Industry"), dictionary="industry"),
    Column("level", "客户等级", N_("Customer level"), ("level",), dictionary="customer_level"),
    Column("source", "客户来源", N_("Customer source"), ("source",), dictionary="customer_source"),
    Column("region", "区域", N_("Region"), dictionary="region"),
    Column("address", "地址", N_("Address"), max_length=200),
    Column("website", "网址", N_("Website"), max_length=200),
    Column("tags", "标签", N_("Tags"), max_length=200),
    Column("notes", "备注", N_("Notes")),
    Column("contact_name", "联系人姓名", N_("Contact name"), max_length=60),
    Column("contact_title", "联系人职务", N_("Contact title"), ("contact job title",), max_length=60),
    Column("contact_mobile", "联系人手机", N_("Contact mobile"), ("contact phone",), max_length=PHONE_TYPED_LENGTH),
    Column("contact_email", "联系人邮箱", N_("Contact e-mail"), ("contact email",), max_length=254),
)
CONTACT_FIELDS = ("contact_name", "contact_title", "contact_mobile", "contact_email")
OWNER_LABEL = gettext_lazy("Owner")  # the column of row-level errors that belong to no column (the owner's limit)
# Duplicate checks across rows: (reason, the error's field).
KEYS = (("name", "name"), ("credit_code", "credit_code"), ("phone", "contact_mobile"))


@dataclass
class CleanRow:
    row: int
    customer: dict  # model field → value (dictionary fields as item ids)
    contact: dict | None
    name_key: str
    credit_code: str
    phone: str

    def key(self, reason: str) -> str:
        return {"name": self.name_key, "credit_code": self.credit_code, "phone": self.phone}[reason]


def check_importer(actor, owner: User | None) -> User:
    """Who will own the imported customers: the actor, or (with customers.transfer) someone else active
    who may see customers. Needs customers.add; while new customers need approval, only sales operations
    (customers.manage) import, and what they import is active at once."""
    from kehu.approvals.services import requires_approval
    from kehu.customers.services import CREATE_DOC

    require(actor, "add")
    if requires_approval(CREATE_DOC) and not has_module_perm(actor, "customers", "manage"):
        raise PermissionDenied(
            _("New customers need approval: create them one by one, or ask sales operations to import the file.")
        )
    owner = owner or actor
    if owner.pk != actor.pk:
        require(actor, "transfer")
        if not owner.is_active:
            raise ValidationError({"owner": _("The new owner has left the company.")})
        if not has_module_perm(owner, "customers", "view"):
            raise ValidationError({"owner": _("The new owner has no access to customers.")})
    return owner


def existing_duplicates(actor, names: set[str], codes: set[str], phones: set[str]) -> dict[tuple[str, str], Duplicate]:
    """Existing customers that rows would duplicate, keyed by (reason, key): the same checks as
    `services.find_duplicates`, for a whole file at once (LOOKUP_CHUNK keys a query, never one per row)."""
    live = Customer.objects.exclude(status=Customer.Status.MERGED)
    hits: dict[tuple[str, str], int] = {}
    for chunk in chunks(sorted(codes), LOOKUP_CHUNK):
        for key, pk in live.filter(credit_code__in=chunk).values_list("credit_code", "pk"):
            hits.setdefault(("credit_code", key), pk)
    for chunk in chunks(sorted(names), LOOKUP_CHUNK):
        for key, pk in live.filter(name_normalized__in=chunk).values_list("name_normalized", "pk"):
            hits.setdefault(("name", key), pk)
    for chunk in chunks(sorted(phones), LOOKUP_CHUNK):
        contacts = Contact.objects.filter(mobile__in=chunk).exclude(customer__status=Customer.Status.MERGED)
        for key, pk in contacts.values_list("mobile", "customer_id"):
            hits.setdefault(("phone", key), pk)
    if not hits:
        return {}
    ids = sorted(set(hits.values()))
    customers, visible = {}, set()
    for chunk in chunks(ids, LOOKUP_CHUNK):
        queryset = (
            Customer.objects.filter(pk__in=chunk)
            .select_related("owner")
            .only("pk", "name", "number", "owner_id", "owner__name", "owner__username")
        )
        customers.update({c.pk: c for c in queryset})
        if actor is not None:
            visible |= set(Customer.objects.visible_to(actor).filter(pk__in=chunk).values_list("pk", flat=True))
    return {key: Duplicate(customers[pk], key[0], pk in visible) for key, pk in hits.items()}


def owned_room(owner: User) -> tuple[int | None, int, int]:
    """How many more customers `owner` may own (None: no limit), with the cap and the count owned now
    (the rule of `services.check_owned_limit`: the most generous of the owner's roles)."""
    limits = list(CustomerLimit.objects.filter(role__users=owner))
    if not limits or any(limit.max_owned is None for limit in limits):
        return None, 0, 0
    cap = max(limit.max_owned for limit in limits)
    owned = Customer.objects.filter(owner=owner).exclude(status=Customer.Status.MERGED).count()
    return max(0, cap - owned), cap, owned


@importing.register("customers")
class CustomerImport(importing.Importer):
    """Customers with their primary contact; option `owner` (default: the importer, see `check_importer`)."""

    columns = COLUMNS
    sheet_title = gettext_lazy("Customers")

    def __init__(self, actor, owner: User | None = None):
        super().__init__(actor, owner=owner)
        self.owner = owner or actor

    def check(self) -> None:
        self.owner = check_importer(self.actor, self.options.get("owner"))

    def column_label(self, name: str) -> str:
        return str(OWNER_LABEL) if name == "owner" else super().column_label(name)

    # --- one row --------------------------------------------------------------------------------
    def clean_row(self, number: int, values: dict[str, str]) -> tuple[CleanRow, list[RowError]]:
        errors: list[RowError] = []

        def error(name, message):
            errors.append(self.error(number, name, message))

        values["name"] = " ".join(values["name"].split())
        if not values["name"]:
            error("name", _("Enter the company name."))
        self.clean_lengths(number, values, errors)
        code = normalize_credit_code(values["credit_code"])
        if code and not valid_credit_code(code) and not any(e.field == "credit_code" for e in errors):
            error(
                "credit_code",
                _("This is not a valid unified social credit code (18 characters, check digit per GB 32100)."),
            )
        customer = {
            "name": values["name"],
            "credit_code": code,
            "address": values["address"],
            "tags": values["tags"],
            "notes": values["notes"],
        }
        for column in self.columns:
            if column.dictionary:
                customer[f"{column.field}_id"] = self.clean_dictionary(number, column, values[column.field], errors)
        website = values["website"]
        if website:
            website, problem = clean_website(website)
            if problem and not any(e.field == "website" for e in errors):
                error("website", problem)
        customer["website"] = website
        phone = normalize_phone(values["contact_mobile"])
        contact = None
        if any(values[f] for f in CONTACT_FIELDS):
            if not values["contact_name"]:
                error("contact_name", _("Enter the contact's name (or leave all contact columns empty)."))
            if values["contact_mobile"] and not valid_phone(phone):
                error(
                    "contact_mobile",
                    _("%(phone)s is not a valid phone number (a mobile number or a landline with its area code).")
                    % {"phone": values["contact_mobile"]},
                )
            email = values["contact_email"]
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    error("contact_email", _("Enter a valid e-mail address."))
            contact = {
                "name": values["contact_name"],
                "title": values["contact_title"],
                "mobile": phone,
                "email": email,
            }
        clean = CleanRow(number, customer, contact, normalize_name(values["name"]), code, phone if contact else "")
        return clean, errors

    # --- the whole file -------------------------------------------------------------------------
    def check_rows(self, rows: list[tuple[int, CleanRow]], errors: dict[int, list[RowError]]) -> None:
        messages = {
            "name": _("The same company as row %(row)d (the names match once normalised)."),
            "credit_code": _("The same credit code as row %(row)d."),
            "phone": _("The same phone number as row %(row)d."),
        }
        first: dict[str, dict[str, int]] = {reason: {} for reason, _field in KEYS}  # key → its first row
        for number, clean in rows:
            for reason, name in KEYS:
                key = clean.key(reason)
                if key and first[reason].setdefault(key, number) != number:
                    found = self.error(number, name, messages[reason] % {"row": first[reason][key]})
                    errors.setdefault(number, []).append(found)
        duplicates = existing_duplicates(self.actor, set(first["name"]), set(first["credit_code"]), set(first["phone"]))
        room, cap, owned = owned_room(self.owner)
        fields = dict(KEYS)
        for number, clean in rows:
            found = errors.setdefault(number, [])
            for reason in ("credit_code", "name", "phone"):
                key = clean.key(reason)
                duplicate = duplicates.get((reason, key)) if key else None
                if duplicate is not None:
                    found.append(self.error(number, fields[reason], duplicate.message()))
            if not found and room is not None:
                if room <= 0:
                    message = _("%(name)s may own at most %(cap)d customers and already owns %(owned)d.") % {
                        "name": self.owner.display_name,
                        "cap": cap,
                        "owned": owned,
                    }
                    found.append(self.error(number, "owner", message))
                else:
                    room -= 1

    # --- writing --------------------------------------------------------------------------------
    def write_rows(self, rows: list[CleanRow], progress: importing.Progress) -> int:
        """Customers numbered from one reserved block, their primary contacts, the history rows of both (the
        audit trail) and a "created" event each. Runs inside the engine's transaction."""
        actor, owner = self.actor, self.owner
        now = timezone.now()
        stamp = db_timestamp(now)
        reason = _("Imported from Excel")
        common = {
            "owner_id": owner.pk,
            "owner_department_id": owner.department_id,
            "status": Customer.Status.ACTIVE.value,
            "created_by_id": actor.pk,
            "created_at": stamp,
            "owned_since": stamp,
            "last_activity_at": stamp,
            "updated_by_id": actor.pk,
            "updated_at": stamp,
            "version": 1,
        }
        contact_common = {"is_primary": True, "updated_by_id": actor.pk, "updated_at": stamp, "version": 1}
        event = {"kind": CustomerEvent.Kind.CREATED.value, "actor_id": actor.pk, "text": reason[:300], "at": stamp}
        numbers = reserve_numbers("CU", len(rows), when=now)
        done = 0
        for batch in chunks(rows, WRITE_BATCH):
            customers = []
            for row, number in zip(batch, numbers[done : done + len(batch)], strict=True):
                full, initials = pinyin_fields(row.customer["name"])
                customers.append(
                    {
                        **row.customer,
                        **common,
                        "number": number,
                        "name_normalized": row.name_key[:100],
                        "name_pinyin": full[:400],
                        "name_initials": initials[:100],
                    }
                )
            ids = insert_created(Customer, customers, actor=actor, reason=reason, stamp=stamp)
            contacts = [
                {**row.contact, **contact_common, "customer_id": pk}
                for row, pk in zip(batch, ids, strict=True)
                if row.contact
            ]
            insert_created(Contact, contacts, actor=actor, reason=reason, stamp=stamp)
            insert_rows(CustomerEvent, [{**event, "customer_id": pk} for pk in ids])
            done += len(batch)
            progress("writing", done, len(rows))
        return done


def run_import(actor, source, *, mode: str = "validate", owner: User | None = None, progress=importing.no_progress):
    """Check every row of the workbook `source`, then write according to `mode` ("validate", "all",
    "valid_only"). Raises ImportFileError for an unreadable file and PermissionDenied / ValidationError for the
    importer and owner (see `check_importer`)."""
    return CustomerImport(actor, owner).run(source, mode=mode, progress=progress)
