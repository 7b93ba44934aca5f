"""Delegation (代理): while someone is away, their new approval tasks go to a delegate. Users set their own; ops
(approvals.manage) set anyone's. Who actually receives a step is decided when it opens (`routing.py`)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.approvals import registry
from kehu.approvals.access import require_manage
from kehu.approvals.models import Delegation
from kehu.org.models import User


def delegate_of(user, doc_type: str, day=None) -> User | None:
    """Who receives `user`'s new tasks of `doc_type` on `day` (None: nobody, the user handles them)."""
    day = day or timezone.localdate()
    for delegation in Delegation.objects.filter(
        user=user, cancelled_at__isnull=True, starts_on__lte=day, ends_on__gte=day
    ).select_related("delegate"):
        if delegation.covers(doc_type) and delegation.delegate.is_active:
            return delegation.delegate
    return None


def set_delegation(actor, user, delegate, starts_on, ends_on, doc_types=(), reason: str = "") -> Delegation:
    """While `user` is away, their new approval tasks go to `delegate`. Users set their own; ops set anyone's."""
    if user.pk != actor.pk:
        require_manage(actor)
    errors = {}
    if delegate is None or not delegate.is_active or delegate.status != User.Status.ACTIVE:
        errors["delegate"] = _("Choose someone who is still with the company.")
    elif delegate.pk == user.pk:
        errors["delegate"] = _("Choose someone other than the person who is away.")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The end date is before the start date.")
    unknown = [t for t in doc_types or [] if registry.get(t) is None]
    if unknown:
        errors["doc_types"] = _("Unknown document type: %(types)s") % {"types": ", ".join(unknown)}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk=user.pk))
        overlapping = Delegation.objects.filter(
            user=user, cancelled_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).first()
        if overlapping:
            raise ValidationError(
                {
                    "starts_on": _("%(name)s already delegates to %(delegate)s from %(start)s to %(end)s.")
                    % {
                        "name": user.display_name,
                        "delegate": overlapping.delegate.display_name,
                        "start": overlapping.starts_on,
                        "end": overlapping.ends_on,
                    }
                }
            )
        return Delegation.objects.create(
            user=user,
            delegate=delegate,
            starts_on=starts_on,
            ends_on=ends_on,
            doc_types=list(doc_types or []),
            reason=reason[:200],
            created_by=actor,
        )


def cancel_delegation(actor, delegation: Delegation) -> None:
    if delegation.user_id != actor.pk:
        require_manage(actor)
    Delegation.objects.filter(pk=delegation.pk, cancelled_at__isnull=True).update(cancelled_at=timezone.now())
