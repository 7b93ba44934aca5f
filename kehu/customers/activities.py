"""Follow-ups (跟进记录) and visits (客户拜访): every change to them, each one atomic and permission-checked.

Rules
- Recording a follow-up or planning a visit needs *change* rights on the customer (owner, role scope or an
  editable share): they reset the public-pool clock, so a colleague with a read-only share must not be able to
  keep someone else's customer out of the pool.
- A follow-up or visit is visible exactly when its customer is (`FollowUp.objects.visible_to`); outside the
  scope it answers 404.
- Only the author edits or deletes a follow-up, and only within 24 hours of writing it (afterwards it is
  part of the record). A visit's summary follow-up cannot be deleted (edit it instead).
- Only the visitor checks in, writes the summary or cancels. The check-in time is the server's clock.
- A visit is reviewed by someone other than the visitor who sees the visit and whose customers scope covers
  the visitor's department (a manager above them); a read-only or editable share is not enough.
"""

import math
import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.events import emit
from kehu.core.geo import coordinate_errors
from kehu.customers import events
from kehu.customers.models import Contact, Customer, FollowUp, Visit
from kehu.customers.services import get_customer_for_user, touch_activity
from kehu.org.scope import effective_scope, has_module_perm

EDIT_WINDOW = timedelta(hours=24)
# A little slack for clocks: a follow-up typed "now" on a phone whose clock runs ahead is not in the future.
FUTURE_SLACK = timedelta(minutes=5)
EARTH_RADIUS_M = 6_371_000
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "webp": "webp"}
PHOTO_CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
REMIND_AHEAD = timedelta(hours=2)


# --- reading one record -----------------------------------------------------------------------
def get_followup_for_user(user, pk) -> FollowUp:
    """The follow-up if `user` may see its customer; 404 otherwise."""
    try:
        return FollowUp.objects.visible_to(user).select_related("customer", "author", "contact").get(pk=pk)
    except (FollowUp.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_visit_for_user(user, pk) -> Visit:
    """The visit if `user` may see its customer; 404 otherwise."""
    try:
        return (
            Visit.objects.visible_to(user)
            .select_related("customer", "contact", "visitor", "visitor__department", "followup", "reviewed_by")
            .get(pk=pk)
        )
    except (Visit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- follow-ups -------------------------------------------------------------------------------
def _clean_contact(customer: Customer, contact) -> Contact | None:
    if contact is None or contact == "":
        return None
    contact_id = contact.pk if isinstance(contact, Contact) else contact
    found = Contact.objects.filter(pk=contact_id, customer=customer).first() if str(contact_id).isdigit() else None
    if found is None:
        raise ValidationError({"contact": [_("Choose a contact of this customer.")]})
    return found


def _clean_followup(kind, content, next_step, next_step_due, happened_at, *, check_due: bool = True) -> dict:
    errors: dict[str, list[str]] = {}
    content = (content or "").strip()
    next_step = " ".join((next_step or "").split())
    if kind not in FollowUp.Kind.values:
        errors["kind"] = [_("Choose a kind of follow-up from the list.")]
    if not content:
        errors["content"] = [_("Write what was discussed.")]
    if len(next_step) > 200:
        errors["next_step"] = [_("Keep the next step under 200 characters.")]
    if next_step_due and not next_step:
        errors["next_step"] = [_("Describe the next step that is due on this date.")]
    if check_due and next_step_due and next_step_due < timezone.localdate():
        errors["next_step_due"] = [_("The due date of the next step cannot be in the past.")]
    if happened_at and happened_at > timezone.now() + FUTURE_SLACK:
        errors["happened_at"] = [_("A follow-up cannot have happened in the future.")]
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "content": content, "next_step": next_step, "next_step_due": next_step_due or None}


def _reset_pool_clock(customer_id: int, happened_at) -> None:
    """The follow-up resets the pool clock (`last_followup_at`) — never backwards for a follow-up logged late."""
    locked = Customer.objects.select_for_update().only("pk", "last_followup_at", "last_activity_at").get(pk=customer_id)
    newer_followup = locked.last_followup_at is None or happened_at > locked.last_followup_at
    newer_activity = happened_at > locked.last_activity_at
    if newer_followup and newer_activity:
        touch_activity(customer_id, happened_at, followup=True)
    elif newer_followup:
        Customer.objects.filter(pk=customer_id).update(last_followup_at=happened_at)
    elif newer_activity:
        touch_activity(customer_id, happened_at)


def _create_followup(author, customer, data: dict, contact, happened_at) -> FollowUp:
    followup = FollowUp.objects.create(
        customer=customer, contact=contact, author=author, happened_at=happened_at, **data
    )
    _reset_pool_clock(customer.pk, happened_at)
    return followup


def record_followup(
    actor,
    customer: Customer,
    kind: str,
    content: str,
    contact=None,
    next_step: str = "",
    next_step_due=None,
    happened_at=None,
) -> FollowUp:
    """A rep records a call, meeting, visit, WeChat or e-mail with a customer and the next step it leads to.

    Needs change rights on the customer (404 outside the scope). The next step's due date may not be in the
    past, nor the follow-up in the future. Resets the customer's pool clock (`last_followup_at`)."""
    customer = get_customer_for_user(actor, customer.pk, "change")
    happened_at = happened_at or timezone.now()
    data = _clean_followup(kind, content, next_step, next_step_due, happened_at)
    contact = _clean_contact(customer, contact)
    with transaction.atomic():
        return _create_followup(actor, customer, data, contact, happened_at)


def _check_own_recent(actor, followup: FollowUp) -> None:
    if followup.author_id != actor.pk:
        raise ValidationError(_("Only the author can change or delete a follow-up."))
    if timezone.now() - followup.created_at > EDIT_WINDOW:
        raise ValidationError(
            _("A follow-up can only be changed within 24 hours of writing it; add a new follow-up instead.")
        )


def update_followup(
    actor, followup: FollowUp, *, kind, content, contact=None, next_step="", next_step_due=None
) -> FollowUp:
    """The author corrects their follow-up within 24 hours of writing it."""
    followup = get_followup_for_user(actor, followup.pk)
    _check_own_recent(actor, followup)
    unchanged_due = next_step_due == followup.next_step_due
    data = _clean_followup(kind, content, next_step, next_step_due, None, check_due=not unchanged_due)
    contact = _clean_contact(followup.customer, contact)
    with transaction.atomic():
        for name, value in data.items():
            setattr(followup, name, value)
        followup.contact = contact
        if not followup.next_step:
            followup.next_step_done_at = None
        followup.save()
        Visit.objects.filter(followup=followup).update(summary=followup.content)
    return followup


def delete_followup(actor, followup: FollowUp) -> None:
    """The author deletes their follow-up within 24 hours; the pool clock goes back to the latest remaining one."""
    followup = get_followup_for_user(actor, followup.pk)
    _check_own_recent(actor, followup)
    if Visit.objects.filter(followup=followup).exists():
        raise ValidationError(_("This follow-up is the summary of a visit: edit it instead of deleting it."))
    with transaction.atomic():
        customer_id = followup.customer_id
        Customer.objects.select_for_update().only("pk").get(pk=customer_id)
        followup.delete()
        latest = FollowUp.objects.filter(customer_id=customer_id).order_by("-happened_at").first()
        Customer.objects.filter(pk=customer_id).update(last_followup_at=latest.happened_at if latest else None)


def complete_next_step(actor, followup: FollowUp) -> FollowUp:
    """Mark a follow-up's next step done: its author, or anyone who may change the customer."""
    followup = get_followup_for_user(actor, followup.pk)
    may = (
        followup.author_id == actor.pk
        or followup.next_step_owner_id == actor.pk
        or Customer.objects.visible_to(actor, "change").filter(pk=followup.customer_id).exists()
    )
    if not may:
        raise ValidationError(_("Only the author or someone who may edit the customer can complete this step."))
    if not followup.next_step:
        raise ValidationError(_("This follow-up has no next step."))
    now = timezone.now()
    with transaction.atomic():
        done = FollowUp.objects.filter(pk=followup.pk, next_step_done_at__isnull=True).update(next_step_done_at=now)
        if not done:
            raise ValidationError(_("This next step is already done."))
        touch_activity(followup.customer_id, now)
    followup.next_step_done_at = now
    return followup


def can_edit_followup(user, followup: FollowUp) -> bool:
    return followup.author_id == user.pk and timezone.now() - followup.created_at <= EDIT_WINDOW


# --- visits: plan -----------------------------------------------------------------------------
def plan_visit(actor, customer: Customer, *, purpose: str, planned_at, contact=None) -> Visit:
    """Plan a visit to a customer (with one of its contacts) at a future time. Needs change rights on it."""
    customer = get_customer_for_user(actor, customer.pk, "change")
    errors: dict[str, list[str]] = {}
    purpose = " ".join((purpose or "").split())
    if not purpose:
        errors["purpose"] = [_("Say what the visit is for.")]
    elif len(purpose) > 200:
        errors["purpose"] = [_("Keep the purpose under 200 characters.")]
    if planned_at is None:
        errors["planned_at"] = [_("Choose when you will visit.")]
    elif planned_at <= timezone.now():
        errors["planned_at"] = [_("The visit must be planned for a time in the future.")]
    try:
        contact = _clean_contact(customer, contact)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = Visit.objects.create(
            customer=customer, contact=contact, visitor=actor, purpose=purpose, planned_at=planned_at
        )
        touch_activity(customer.pk)
    return visit


def _lock_own_visit(actor, visit: Visit, expected_status: str) -> Visit:
    """The visit, locked, if `actor` is its visitor and it is in `expected_status` (else a message why not)."""
    visit = get_visit_for_user(actor, visit.pk)
    if visit.visitor_id != actor.pk:
        raise ValidationError(_("Only %(name)s, who is visiting, can do this.") % {"name": visit.visitor.display_name})
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    if locked.status != expected_status:
        messages = {
            Visit.Status.PLANNED: _("This visit is no longer planned (%(status)s)."),
            Visit.Status.CHECKED_IN: _("Check in before writing the summary (the visit is %(status)s)."),
        }
        raise ValidationError(messages[expected_status] % {"status": locked.get_status_display()})
    locked.customer = visit.customer
    locked.visitor = visit.visitor
    return locked


def cancel_visit(actor, visit: Visit) -> Visit:
    """The visitor cancels a visit that is still planned."""
    with transaction.atomic():
        visit = _lock_own_visit(actor, visit, Visit.Status.PLANNED)
        visit.status = Visit.Status.CANCELLED
        visit.save(update_fields=["status"])
    return visit


# --- visits: check in ---------------------------------------------------------------------------
def distance_m(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance in metres (haversine, mean earth radius 6,371 km)."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    d_phi = phi2 - phi1
    d_lambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def photo_kind(head: bytes) -> str | None:
    """The image type from the file's first bytes (magic numbers): "jpeg", "png", "webp" or None."""
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def clean_photo(photo) -> ContentFile | None:
    """A JPEG, PNG or WebP photo up to 5 MB: the name's extension and the file's first bytes must agree.
    Returns the photo under a fresh random name (the uploaded name is never used on disk)."""
    if not photo:
        return None
    name = getattr(photo, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in PHOTO_TYPES:
        raise ValidationError({"photo": [_("Upload a JPEG, PNG or WebP photo.")]})
    if photo.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": [_("The photo is larger than 5 MB.")]})
    photo.seek(0)
    head = photo.read(12)
    if photo_kind(head) != PHOTO_TYPES[extension]:
        raise ValidationError({"photo": [_("This file is not a JPEG, PNG or WebP image.")]})
    photo.seek(0)
    kind = PHOTO_TYPES[extension]
    return ContentFile(photo.read(), name=f"{uuid.uuid4().hex}.{'jpg' if kind == 'jpeg' else kind}")


def _clean_location(latitude, longitude, accuracy):
    errors: dict[str, list[str]] = {}
    if latitude is None and longitude is None:
        return None, None, None
    if latitude is None or longitude is None:
        raise ValidationError({"latitude": [_("Send both latitude and longitude, or neither.")]})
    try:
        latitude, longitude = Decimal(str(latitude)), Decimal(str(longitude))
        if not latitude.is_finite() or not longitude.is_finite():
            raise ValueError
    except (ArithmeticError, ValueError):
        raise ValidationError({"latitude": [_("The location is not a valid coordinate.")]}) from None
    errors.update(coordinate_errors(latitude, longitude))
    if accuracy is not None:
        try:
            accuracy = float(accuracy)
            if not math.isfinite(accuracy) or accuracy < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors["accuracy"] = [_("The accuracy must be a number of metres.")]
    if errors:
        raise ValidationError(errors)
    quantum = Decimal("0.000001")
    accuracy_m = None if accuracy is None else min(round(accuracy), 2_000_000_000)
    return latitude.quantize(quantum), longitude.quantize(quantum), accuracy_m


def check_in(actor, visit: Visit, *, latitude=None, longitude=None, accuracy=None, photo=None) -> Visit:
    """The visitor checks in on site. The time is the server's; the location is what the browser reported
    (none when it refused: "location unavailable"); the distance to the customer is computed when both are
    known. An optional photo must be a JPEG, PNG or WebP image up to 5 MB."""
    latitude, longitude, accuracy_m = _clean_location(latitude, longitude, accuracy)
    photo = clean_photo(photo)
    with transaction.atomic():
        visit = _lock_own_visit(actor, visit, Visit.Status.PLANNED)
        now = timezone.now()
        visit.status, visit.checked_in_at = Visit.Status.CHECKED_IN, now
        visit.checkin_latitude, visit.checkin_longitude, visit.checkin_accuracy_m = latitude, longitude, accuracy_m
        customer = visit.customer
        if latitude is not None and customer.latitude is not None and customer.longitude is not None:
            visit.checkin_distance_m = round(distance_m(customer.latitude, customer.longitude, latitude, longitude))
        if photo is not None:
            visit.checkin_photo.save(photo.name, photo, save=False)
        visit.save()
        touch_activity(customer.pk, now)
    return visit


# --- visits: summary and review ---------------------------------------------------------------
def write_summary(actor, visit: Visit, summary: str, *, next_step: str = "", next_step_due=None) -> Visit:
    """The visitor writes what came of the visit: the visit is done and becomes a follow-up (kind visit, at the
    check-in time), which resets the pool clock. Exactly one follow-up per visit."""
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": [_("Write what came of the visit.")]})
    with transaction.atomic():
        visit = _lock_own_visit(actor, visit, Visit.Status.CHECKED_IN)
        errors = {}
        try:
            data = _clean_followup(FollowUp.Kind.VISIT, summary, next_step, next_step_due, None)
        except ValidationError as exc:
            errors = exc.message_dict
        if errors:
            raise ValidationError({("summary" if k == "content" else k): v for k, v in errors.items()})
        visit.followup = _create_followup(actor, visit.customer, data, visit.contact, visit.checked_in_at)
        visit.summary, visit.status = summary, Visit.Status.DONE
        visit.save(update_fields=["summary", "status", "followup"])
    return visit


def reviewable_q_departments(user):
    """The departments whose people's visits `user` reviews: None = everyone, an empty set = nobody."""
    scope = effective_scope(user, "customers", "view")
    if scope.everything:
        return None
    return set(scope.department_ids)


def can_review(user, visit: Visit) -> bool:
    """Managers review: people who may transfer customers (a manager's right) with the visitor in their scope."""
    if visit.visitor_id == user.pk or visit.status != Visit.Status.DONE:
        return False
    if not has_module_perm(user, "customers", "transfer"):
        return False
    departments = reviewable_q_departments(user)
    return departments is None or visit.visitor.department_id in departments


def review_visit(actor, visit: Visit, comment: str = "") -> Visit:
    """A manager acknowledges a done visit of someone in their scope, optionally with a comment; the visitor is
    told in the message centre (`visit.reviewed`). A visit is reviewed once."""
    visit = get_visit_for_user(actor, visit.pk)
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": [_("Keep the comment under 500 characters.")]})
    if visit.status != Visit.Status.DONE:
        raise ValidationError(_("Only a visit with its summary written can be reviewed."))
    if not can_review(actor, visit):
        raise ValidationError(_("Only a manager of the visitor can review this visit."))
    with transaction.atomic():
        updated = Visit.objects.filter(pk=visit.pk, reviewed_at__isnull=True).update(
            reviewed_by=actor, reviewed_at=timezone.now(), review_comment=comment
        )
        if not updated:
            raise ValidationError(_("This visit has already been reviewed."))
        emit(events.VISIT_REVIEWED, actor=actor, visit=visit, comment=comment)
    visit.refresh_from_db()
    return visit


# --- reminders --------------------------------------------------------------------------------
def remind_upcoming_visits(now=None) -> int:
    """Tell each visitor about their planned visits in the next two hours, once per visit. Safe to run on
    several workers at once: a visit is claimed by setting `reminded_at` before its message is sent
    (`visit.reminder_due`). Returns how many reminders were sent (visitors who left get none)."""
    now = now or timezone.now()
    due = Visit.objects.filter(
        status=Visit.Status.PLANNED, reminded_at__isnull=True, planned_at__gt=now, planned_at__lte=now + REMIND_AHEAD
    ).select_related("customer", "visitor")
    sent = 0
    for visit in due:
        with transaction.atomic():
            if not Visit.objects.filter(pk=visit.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            emit(events.VISIT_REMINDER_DUE, visit=visit)  # the message goes out when this visit's claim commits
            sent += visit.visitor.is_active
    return sent
