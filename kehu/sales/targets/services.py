"""Every change to sales targets: set one month (or a year of months) for a person or a department, copy last
year's, and the writer the Excel import uses. Each checks the `targets` permission and the actor's scope, runs
in one transaction and leaves the audit trail (simple-history). Two managers editing the same target: the
second save is refused with who changed it and when (`StaleEdit`)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kehu.core import metrics
from kehu.core.locking import StaleEdit, save_versioned
from kehu.org.models import Department, User
from kehu.org.scope import effective_scope
from kehu.org.services import require
from kehu.sales.targets.models import Target

MAX_AMOUNT = Decimal("9999999999999999.99")
NEW = 0  # the version a form carries for a month that had no target when it was opened


def may_set_for(actor, *, user: User | None = None, department: Department | None = None) -> bool:
    """Whether `actor`'s `targets` change scope covers the person (as one of their own records would be) or the
    department."""
    scope = effective_scope(actor, "targets", "change")
    if scope.everything:
        return True
    if user is not None:
        return (scope.own and user.pk == actor.pk) or user.department_id in scope.department_ids
    return department is not None and department.pk in scope.department_ids


def has_left(user: User) -> bool:
    return user.status == User.Status.LEFT or not user.is_active


def clean_amount(value) -> Decimal | None:
    """A target amount: empty → None (no target), else a Decimal ≥ 0 with at most two decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValidationError({"amount": _("Enter a number, e.g. 150000 or 150000.50.")}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": _("Enter a number, e.g. 150000 or 150000.50.")})
    if amount < 0:
        raise ValidationError({"amount": _("A target cannot be negative.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": _("A target can be at most 9,999,999,999,999,999.99.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("At most two decimals.")})
    return amount.quantize(Decimal("0.01"))


def check_subject(actor, *, user: User | None, department: Department | None) -> None:
    """The subject of a target: exactly one of a person who works here or an open department, in the scope."""
    if (user is None) == (department is None):
        raise ValidationError({"user": _("Choose either a person or a department.")})
    if user is not None:
        if has_left(user):
            raise ValidationError(
                {
                    "user": _("%(name)s has left the company: targets are set only for people who work here.")
                    % {"name": user.display_name}
                }
            )
        if user.department_id is None:
            raise ValidationError({"user": _("%(name)s belongs to no department.") % {"name": user.display_name}})
        if not may_set_for(actor, user=user):
            raise ValidationError({"user": _("You may set targets only for people in your data scope.")})
    else:
        if not department.is_active:
            raise ValidationError({"department": _("This department is closed.")})
        if not may_set_for(actor, department=department):
            raise ValidationError({"department": _("You may set targets only for departments in your data scope.")})


def check_period(metric: str, year, month) -> None:
    errors = {}
    if metrics.get(metric) is None:
        errors["metric"] = _("Choose a metric from the list.")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("Enter a year between 2000 and 2100.")
    if not isinstance(month, int) or not 1 <= month <= 12:
        errors["month"] = _("Enter a month from 1 to 12.")
    if errors:
        raise ValidationError(errors)


def _stale(row: Target) -> StaleEdit:
    return StaleEdit(row.updated_by, row.updated_at)


def _write(actor, metric, year, month, user, department, amount, expected_version) -> Target | None:
    """Create, change or (amount None) remove one month's target; `expected_version` None skips the check."""
    subject = {"user": user} if user is not None else {"user": None, "department": department}
    existing = Target.objects.select_for_update().filter(metric=metric, year=year, month=month, **subject).first()
    if existing is None:
        if expected_version not in (None, NEW):
            raise StaleEdit(None, None)  # it was removed after the form was opened
        if amount is None:
            return None
        target = Target(
            metric=metric,
            year=year,
            month=month,
            user=user,
            department=user.department if user is not None else department,
            amount=amount,
            updated_by=actor,
        )
        target._history_user = actor
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError:  # someone created it at the same moment
            raise _stale(
                Target.objects.select_related("updated_by").get(metric=metric, year=year, month=month, **subject)
            ) from None
        return target
    if expected_version == NEW or (expected_version is not None and expected_version != existing.version):
        raise _stale(existing)
    if amount is None:
        existing._history_user = actor
        existing.delete()
        return None
    if existing.amount == amount:
        return existing
    existing.amount = amount
    return save_versioned(existing, actor, existing.version, update_fields=["amount"])


def set_target(
    actor,
    *,
    metric: str,
    year: int,
    month: int,
    amount,
    user: User | None = None,
    department: Department | None = None,
    expected_version: int | None = None,
) -> Target | None:
    """Set (or, with an empty amount, remove) one month's target of a person or a department.

    Needs `targets.change` over the subject. Refused: a person who left, a closed department, a subject outside
    the scope, an unknown metric, a bad month or amount (ValidationError with the field), and a stale edit
    (`StaleEdit` naming who changed it; `expected_version` 0 means "there was no target when I opened it")."""
    require(actor, "targets", "change")
    check_period(metric, year, month)
    check_subject(actor, user=user, department=department)
    amount = clean_amount(amount)
    with transaction.atomic():
        return _write(actor, metric, year, month, user, department, amount, expected_version)


def set_year(actor, *, metric: str, year: int, amounts: dict, versions: dict, user=None, department=None) -> int:
    """Set the twelve months of one subject at once (the targets form): all or nothing. `amounts` and `versions`
    are keyed by month; returns the number of months changed."""
    require(actor, "targets", "change")
    check_period(metric, year, 1)
    check_subject(actor, user=user, department=department)
    errors = {}
    clean = {}
    for month in range(1, 13):
        try:
            clean[month] = clean_amount(amounts.get(month))
        except ValidationError as exc:
            errors[f"m{month}"] = exc.message_dict["amount"]
    if errors:
        raise ValidationError(errors)
    changed = 0
    with transaction.atomic():
        current = {
            t.month: t
            for t in Target.objects.filter(
                metric=metric, year=year, user=user, **({} if user is not None else {"department": department})
            )
        }
        for month in range(1, 13):
            before = current.get(month)
            if before is None and clean[month] is None:
                continue
            if before is not None and before.amount == clean[month] and versions.get(month) == before.version:
                continue
            _write(actor, metric, year, month, user, department, clean[month], versions.get(month))
            changed += 1
    return changed


@dataclass
class CopyResult:
    created: int = 0
    kept: int = 0  # the month already had a target this year: not overwritten
    left: int = 0  # last year's person left the company: not copied
    outside: int = 0  # moved out of the department or the scope since


def copy_last_year(actor, *, metric: str, year: int, department: Department) -> CopyResult:
    """Copy last year's targets of `department` and everyone in its subtree into `year`, month by month, without
    overwriting a target set already; people who left are skipped (and counted)."""
    require(actor, "targets", "change")
    check_period(metric, year, 1)
    check_subject(actor, user=None, department=department)
    subtree = set(Department.objects.filter(path__startswith=department.path).values_list("pk", flat=True))
    result = CopyResult()
    with transaction.atomic():
        previous = Target.objects.visible_to(actor, "change").filter(metric=metric, year=year - 1)
        previous = previous.filter(department_id__in=subtree).select_related("user", "department")
        existing = set(
            Target.objects.filter(metric=metric, year=year, department_id__in=subtree).values_list(
                "user_id", "department_id", "month"
            )
        )
        existing_people = {(u, m) for u, _d, m in existing if u is not None}
        existing_departments = {(d, m) for u, d, m in existing if u is None}
        new = []
        for old in previous:
            if old.user_id is not None:
                person = old.user
                if has_left(person):
                    result.left += 1
                    continue
                if person.department_id not in subtree or not may_set_for(actor, user=person):
                    result.outside += 1
                    continue
                if (person.pk, old.month) in existing_people:
                    result.kept += 1
                    continue
                new.append(
                    Target(
                        metric=metric,
                        year=year,
                        month=old.month,
                        user=person,
                        department_id=person.department_id,
                        amount=old.amount,
                        updated_by=actor,
                    )
                )
            else:
                if not old.department.is_active:
                    result.outside += 1
                    continue
                if (old.department_id, old.month) in existing_departments:
                    result.kept += 1
                    continue
                new.append(
                    Target(
                        metric=metric,
                        year=year,
                        month=old.month,
                        department_id=old.department_id,
                        amount=old.amount,
                        updated_by=actor,
                    )
                )
        for target in new:
            target._history_user = actor
            target.save()
        result.created = len(new)
    return result


def import_target(actor, row) -> None:
    """The import's writer for one checked row: set or overwrite the month (no version: the file is the truth)."""
    _write(actor, row.metric, row.year, row.month, row.user, row.department, row.amount, None)
