"""Every change to the case library: write up a won opportunity, edit, publish, withdraw, attach and remove
files. Each checks the `cases` permission, runs in one transaction and leaves the audit trail."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.locking import save_versioned
from kehu.org.services import require
from kehu.sales.cases.models import Case, CaseAttachment
from kehu.sales.models import Opportunity

TEXT_FIELDS = ("title", "problem", "solution", "products", "lessons")
EDITABLE = (*TEXT_FIELDS, "industry", "amount")
ATTACHMENT_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".png", ".jpg", ".jpeg", ".txt"}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 10


def get_case_for_user(user, pk, action: str = "view") -> Case:
    from kehu.sales.cases.resources import CASES

    return CASES.get_for_user(user, pk, action)


def _check_text(case: Case, data: dict) -> None:
    """Required write-up fields, and no customer name in it: the name is shown only to those who may see the
    customer, so the text must not carry it."""
    errors = {}
    for name, message in (
        ("title", _("Give the case a title.")),
        ("problem", _("Describe the customer's problem.")),
        ("solution", _("Describe the solution.")),
    ):
        if not (data.get(name) or "").strip():
            errors[name] = message
    customer_name = case.opportunity.customer.name.strip()
    for name in TEXT_FIELDS:
        if customer_name and customer_name in (data.get(name) or ""):
            errors.setdefault(
                name,
                _("Do not name the customer (%(name)s): readers who may not see the customer must not learn it.")
                % {"name": customer_name},
            )
    amount = data.get("amount")
    if amount is not None and amount < 0:
        errors["amount"] = _("The amount cannot be negative.")
    if errors:
        raise ValidationError(errors)


def create_case(actor, *, opportunity_id, **data) -> Case:
    """Write up a won opportunity the actor may see (`cases.add`); one case per opportunity; starts as a draft."""
    require(actor, "cases", "add")
    opportunity = Opportunity.objects.visible_to(actor).select_related("customer").filter(pk=opportunity_id).first()
    if opportunity is None:
        raise ValidationError({"opportunity": _("Choose a won opportunity you may see.")})
    if opportunity.status != Opportunity.Status.WON:
        raise ValidationError({"opportunity": _("Only a won opportunity can be written up as a case.")})
    if Case.objects.filter(opportunity=opportunity).exists():
        raise ValidationError({"opportunity": _("This opportunity has a case already.")})
    case = Case(opportunity=opportunity, author=actor, updated_by=actor)
    values = {name: data.get(name) or ("" if name in TEXT_FIELDS else None) for name in EDITABLE}
    if values["amount"] is None:
        values["amount"] = opportunity.won_amount
    _check_text(case, values)
    for name, value in values.items():
        setattr(case, name, value.strip() if isinstance(value, str) else value)
    case._history_user = actor
    with transaction.atomic():
        case.save()
    return case


def update_case(actor, pk, *, expected_version=None, **data) -> Case:
    """Edit the write-up (the author with `cases.change`, or `cases.manage`); a stale edit is refused."""
    require(actor, "cases", "change")
    case = get_case_for_user(actor, pk, "change")
    values = {name: data.get(name, getattr(case, name)) for name in EDITABLE}
    values.update({name: values[name] or "" for name in TEXT_FIELDS})
    _check_text(case, values)
    for name, value in values.items():
        setattr(case, name, value.strip() if isinstance(value, str) else value)
    return save_versioned(case, actor, expected_version)


def publish_case(actor, pk, *, expected_version=None) -> Case:
    """Publish a draft: every salesperson can then read it."""
    require(actor, "cases", "change")
    case = get_case_for_user(actor, pk, "change")
    if case.is_published:
        raise ValidationError({"status": _("This case is published already.")})
    _check_text(case, {name: getattr(case, name) for name in EDITABLE})
    case.status = Case.Status.PUBLISHED
    case.published_at = timezone.now()
    return save_versioned(case, actor, expected_version)


def withdraw_case(actor, pk, *, expected_version=None) -> Case:
    """Take a published case back to draft (only its author and the author's managers of the library read it)."""
    require(actor, "cases", "change")
    case = get_case_for_user(actor, pk, "change")
    if not case.is_published:
        raise ValidationError({"status": _("This case is not published.")})
    case.status = Case.Status.DRAFT
    case.published_at = None
    return save_versioned(case, actor, expected_version)


def check_attachment(upload) -> None:
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        raise ValidationError(
            {
                "file": _("Attach a PDF, Word, Excel, PowerPoint, text or image file (%(types)s).")
                % {"types": " ".join(sorted(ATTACHMENT_TYPES))}
            }
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("A file can be at most %(mb)d MB.") % {"mb": MAX_ATTACHMENT_BYTES // 2**20}})
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})


def add_attachment(actor, pk, upload) -> CaseAttachment:
    require(actor, "cases", "change")
    case = get_case_for_user(actor, pk, "change")
    check_attachment(upload)
    if case.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError({"file": _("A case can have at most %(n)d files.") % {"n": MAX_ATTACHMENTS}})
    with transaction.atomic():
        attachment = CaseAttachment(case=case, name=Path(upload.name).name[:200], size=upload.size, uploaded_by=actor)
        attachment.file.save(Path(upload.name).name, upload, save=False)
        attachment.save()
        case.version += 1
        case.save(update_fields=["version"])
    return attachment


def remove_attachment(actor, pk, attachment_id) -> None:
    require(actor, "cases", "change")
    case = get_case_for_user(actor, pk, "change")
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise PermissionDenied(_("This file is not attached to the case."))
    with transaction.atomic():
        attachment.delete()
        case.version += 1
        case.save(update_fields=["version"])
    transaction.on_commit(lambda: attachment.file.delete(save=False))
