from django.core.files.uploadedfile import SimpleUploadedFile

from kehu.core.leakcheck import Call, action_route, scoped, unscoped
from kehu.customers.models import Contact, Customer, CustomerShare, FollowUp, Visit
from kehu.org.models import User

LEAK_MARK = "LEAK-CHECK"  # what the calls below write, so that "the change happened" is one query


def _number(c):
    return c.number


def _someone_else(record, person):
    """Whom an action gives the record to: the person, or another active user when the person owns it already."""
    if record is None or record.owner_id != person.pk:
        return person
    return User.objects.filter(status=User.Status.ACTIVE).exclude(pk=person.pk).order_by("pk").first()


def _owner_is(record, user):
    """The action gave the record to `user` (it was not theirs before)."""
    return lambda: record.owner_id != user.pk and Customer.objects.filter(pk=record.pk, owner=user).exists()


def _transfer(api):
    def call(customer, person):
        to_user = _someone_else(customer, person)
        data = {"customers": [customer.pk]} if api else {"ids": [customer.pk]}
        return Call(data={**data, "to_user": to_user.pk}, changed=_owner_is(customer, to_user))

    return call


def _handover(customer, person):
    successor = _someone_else(customer, person)
    return Call(data={"leaver": customer.owner_id, "successor": successor.pk}, changed=_owner_is(customer, successor))


def _merge(api):
    def call(customer, person):
        duplicate = Customer.objects.create(
            owner=person,
            owner_department=person.department,
            number=f"CU-LEAK-{person.pk}",
            name=f"{LEAK_MARK}-{person.pk}",
            name_normalized=f"{LEAK_MARK}-{person.pk}",
        )
        if api:
            data = {"keep": customer.pk, "duplicate": duplicate.pk}
        else:
            data = {"keep": customer.number, "duplicate": duplicate.number, "confirm": "1"}
        merged = Customer.objects.filter(pk=duplicate.pk, status=Customer.Status.MERGED, merged_into=customer.pk)
        return Call(data=data, changed=merged.exists)

    return call


def _submit(customer, person):
    """A draft goes into approval (no flow published in the walk: it becomes active)."""
    Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.DRAFT)
    return Call(
        kwargs={"pk": customer.pk},
        changed=Customer.objects.filter(pk=customer.pk, status=Customer.Status.ACTIVE).exists,
    )


def _colleague(person, customer):
    """Someone to share with: neither the person nor the customer's owner."""
    users = User.objects.filter(status=User.Status.ACTIVE).exclude(pk=person.pk)
    return users.exclude(pk=customer.owner_id or 0).order_by("pk").first()


def _share(customer, person):
    colleague = _colleague(person, customer)
    shares = CustomerShare.objects.filter(customer=customer, user=colleague)
    return Call(kwargs={"pk": customer.pk}, data={"users": [colleague.pk]}, changed=shares.exists)


def _share_end(customer, person):
    share = CustomerShare.objects.create(customer=customer, user=_colleague(person, customer))
    return Call(
        kwargs={"pk": customer.pk, "share_pk": share.pk},
        changed=lambda: not CustomerShare.objects.filter(pk=share.pk).exists(),
    )


def _contact_data():
    return {"name": LEAK_MARK, "decision_role": Contact.DecisionRole.OTHER}


def _contact_add(customer, person):
    added = Contact.objects.filter(customer=customer, name=LEAK_MARK)
    return Call(kwargs={"pk": customer.pk}, data=_contact_data(), changed=added.exists)


def _contact_edit(customer, person):
    contact = Contact.objects.create(customer=customer, name="旧名")
    renamed = Contact.objects.filter(pk=contact.pk, name=LEAK_MARK)
    return Call(
        kwargs={"pk": customer.pk, "contact_pk": contact.pk},
        data={**_contact_data(), "version": contact.version},
        changed=renamed.exists,
    )


def _contact_delete(customer, person):
    contact = Contact.objects.create(customer=customer, name="旧名")
    return Call(
        kwargs={"pk": customer.pk, "contact_pk": contact.pk},
        changed=lambda: not Contact.objects.filter(pk=contact.pk).exists(),
    )


def _claim(customer, person):
    return Call(kwargs={"pk": customer.pk}, changed=_owner_is(customer, person))


def _claim_many(customer, person):
    return Call(data={"ids": [customer.pk]}, changed=_owner_is(customer, person))


def _assign(api):
    def call(customer, person):
        data = {"customers": [customer.pk]} if api else {"ids": [customer.pk]}
        return Call(data={**data, "to_user": person.pk}, changed=_owner_is(customer, person))

    return call


def _release_many(api):
    def call(customer, person):
        data = {"customers": [customer.pk]} if api else {"ids": [customer.pk]}
        released = Customer.objects.filter(pk=customer.pk, owner__isnull=True)
        return Call(
            data={**data, "reason": LEAK_MARK},
            changed=lambda: customer.owner_id is not None and released.exists(),
        )

    return call


def _import_file(record, person):
    from kehu.customers.imports import CustomerImport

    upload = SimpleUploadedFile("customers.xlsx", CustomerImport(person).template())
    return Call(data={"file": upload, "mode": "validate"}, multipart=True)


def xlsx_text(response) -> str:
    """An exported workbook as text, one cell a line, for the list check."""
    from kehu.core.xlsx import read_cells

    content = b"".join(response.streaming_content) if response.streaming else response.content
    return "\n".join(str(value) for row in read_cells(content) for value in row if value is not None)


# --- customer lists and pages ---------------------------------------------------------------------
# The customer, contact, follow-up, visit and next-step lists (pages and API) are declared in resources.py, which
# registers them with their permissions; the "all" tab needs customers.transfer on the page, the API and the export.
scoped(
    "customers:export",
    Customer,
    "list",
    marker=_number,
    list_query="scope=all",
    complete=False,
    perm=(("customers", "export"), ("customers", "transfer")),
    read=xlsx_text,
)
scoped(
    "api:customer-export",
    Customer,
    "list",
    marker=_number,
    list_query="scope=all",
    complete=False,
    perm=(("customers", "export"), ("customers", "transfer")),
    read=xlsx_text,
)
scoped("customers:detail", Customer, "detail")
scoped("customers:edit", Customer, "detail", action="change")
scoped("customers:share", Customer, "detail", action="change")


def _owned(customer):
    """Actions that start from an owner (share, handover) are walked with owned customers."""
    return customer.owner_id is not None


# --- customer actions: 403 without the permission, 404 outside the change scope, done with both ---------------
action_route("customers:submit", Customer, call=_submit)
action_route("api:customer-submit", Customer, api=True, call=_submit)
action_route("api:customer-share", Customer, api=True, call=_share, applies=_owned)
action_route("customers:share_end", Customer, call=_share_end)
action_route("customers:contact_add", Customer, call=_contact_add)
action_route("customers:contact_edit", Customer, call=_contact_edit)
action_route("customers:contact_delete", Customer, call=_contact_delete)
action_route("customers:transfer", Customer, perm=("customers", "transfer"), call=_transfer(api=False))
action_route("api:customer-transfer", Customer, api=True, perm=("customers", "transfer"), call=_transfer(api=True))
action_route("customers:handover", Customer, perm=("customers", "transfer"), call=_handover, applies=_owned)
action_route(
    "api:customer-handover", Customer, api=True, perm=("customers", "transfer"), call=_handover, applies=_owned
)
action_route("customers:merge", Customer, perm=("customers", "manage"), call=_merge(api=False))
action_route("api:customer-merge", Customer, api=True, perm=("customers", "manage"), call=_merge(api=True))
unscoped(
    "creates a new customer owned by the actor (or, with customers.transfer, by someone chosen); shows no record",
    "customers:create",
)
unscoped(
    "the duplicate check names an existing customer only when visible_to allows, else only its owner's name "
    "(tests/customers/test_create_and_dedupe.py)",
    "customers:check_duplicates",
    "api:customer-duplicates",
)

# --- follow-ups and visits (activity_views.py, activity_api.py): visible exactly when their customer is --------
scoped("customers:followup_add", Customer, "detail", action="change")
scoped("customers:visit_plan", Customer, "detail", action="change")
scoped("customers:followup_edit", FollowUp, "detail")  # read-only for all but the author within 24 hours
scoped("customers:followup_delete", FollowUp, "detail", method="post")
scoped("customers:followup_complete", FollowUp, "detail", method="post")
scoped("customers:visit_detail", Visit, "detail")
scoped("customers:visit_check_in", Visit, "detail", method="post")
scoped("customers:visit_summary", Visit, "detail", method="post")
scoped("customers:visit_cancel", Visit, "detail", method="post")
scoped("customers:visit_review", Visit, "detail", method="post")
scoped("api:followup-complete", FollowUp, "detail", api=True, method="post")
scoped("api:visit-check-in", Visit, "detail", api=True, method="post")
scoped("api:visit-summary", Visit, "detail", api=True, method="post")
scoped("api:visit-review", Visit, "detail", api=True, method="post")
scoped("api:visit-cancel", Visit, "detail", api=True, method="post")
unscoped(
    "the check-in photo, served through get_visit_for_user (404 outside the scope; tests/customers/test_visits.py)",
    "customers:visit_photo",
)

# --- the workbench: the next-steps panel shows no follow-up or customer outside the scope ------------------------
scoped("core:workbench", FollowUp, "list", marker=lambda f: f.next_step, complete=False, also=True)
scoped("core:workbench", Customer, "list", marker=lambda c: c.name, complete=False, also=True, needs=(FollowUp,))

# --- the public pool: customers without an owner, open to everyone with customers.view (oracle "pool") ----------
scoped("customers:pool", Customer, "list", marker=_number, oracle="pool", perm=("customers", "view"))
scoped("api:pool-list", Customer, "list", api=True, oracle="pool", perm=("customers", "view"))
scoped("customers:pool_detail", Customer, "detail", oracle="pool")
scoped("api:pool-detail", Customer, "detail", api=True, oracle="pool")
action_route("customers:pool_claim", Customer, action="view", oracle="pool", perm=("customers", "add"), call=_claim)
action_route("api:pool-claim", Customer, api=True, action="view", oracle="pool", perm=("customers", "add"), call=_claim)
# Bulk pool actions skip what the user may not touch, with the answer a missing id gets (nothing moves).
action_route(
    "customers:pool_claim_many",
    Customer,
    action="view",
    oracle="pool",
    perm=("customers", "add"),
    call=_claim_many,
    outside="missing",
)
action_route(
    "customers:pool_assign",
    Customer,
    action="view",
    oracle="pool",
    perm=("customers", "transfer"),  # or customers.manage (pool.may_assign); the test roles have transfer
    call=_assign(api=False),
    outside="missing",
)
action_route(
    "api:pool-assign",
    Customer,
    api=True,
    action="view",
    oracle="pool",
    perm=("customers", "transfer"),
    call=_assign(api=True),
    outside="missing",
)
# Release needs the role's change scope (an editable share is not enough): oracle "release".
action_route(
    "customers:pool_release_many",
    Customer,
    oracle="release",
    perm=("customers", "change"),
    call=_release_many(api=False),
    outside="missing",
)
action_route(
    "api:pool-release",
    Customer,
    api=True,
    oracle="release",
    perm=("customers", "change"),
    call=_release_many(api=True),
    outside="missing",
)
# The one-customer release page resolves the customer in the change scope (404 outside it, shares included) and
# then refuses with a message what the role scope does not cover: found, but not necessarily released.
scoped("customers:pool_release", Customer, "detail", action="change", method="post")
action_route("customers:pool_preview", perm=("customers", "transfer"), method="get")
action_route("api:pool-preview", api=True, perm=("customers", "transfer"), method="get")
action_route("customers:pool_settings", perm=("customers", "manage"), method="get")

# --- Excel import: creates customers owned by the importer; the file itself shows no existing record ------------
action_route("customers:import", perm=("customers", "add"), method="get")
action_route("customers:import_template", perm=("customers", "add"), method="get")
action_route("api:customer-import", api=True, perm=("customers", "add"), call=_import_file)
unscoped(
    "import and export jobs answer 404 to anyone but their creator (tests/customers/test_import_pages.py, "
    "test_export.py); an export job holds exactly export_queryset(creator, ...) (checked above as customers:export)",
    "customers:import_job",
    "customers:import_job_progress",
    "customers:import_job_run",
    "customers:import_job_errors",
    "customers:export_download",
)
