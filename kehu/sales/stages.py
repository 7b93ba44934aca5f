"""The stage rules, in one place for the form, the kanban drop and the API (and mutation tests):

- **gates**: entering a stage needs its `required_fields` filled in; a refusal lists every missing field, on the
  `stage` key and on each missing field's own key, in the user's language;
- **moving back**: moving to an earlier stage (lower position) is refused when that stage may not be re-entered;
- **only open opportunities move**, only into stages in use;
- **rotting**: an open opportunity with no stage change or follow-up for its stage's `rotting_days` is stalled from
  `rots_at` (kept on the row so that lists and the kanban filter on an index);
- days in stage: `StageHistory.days()`.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kehu.sales.models import Opportunity, Stage

# The fields a stage may require, and how "filled in" is read for each (relations: at least one row).
GATE_FIELDS = (
    "amount",
    "expected_close_date",
    "decision_maker",
    "source",
    "contacts",
    "competitors",
    "lines",
    "description",
    "next_step",
)
MANY = {"contacts", "competitors", "lines"}


def field_label(name: str) -> str:
    if name == "lines":
        return str(capfirst(_("products of interest")))
    return str(capfirst(Opportunity._meta.get_field(name).verbose_name))


def clean_required_fields(names) -> list[str]:
    """What ops may require (the stage settings form and API): known gate fields, each once, in the listed order."""
    if not isinstance(names, list | tuple):
        raise ValidationError({"required_fields": [_("Choose the fields from the list.")]})
    unknown = [str(n) for n in names if n not in GATE_FIELDS]
    if unknown:
        raise ValidationError(
            {"required_fields": [_("These fields cannot be required: %(fields)s.") % {"fields": ", ".join(unknown)}]}
        )
    return [name for name in GATE_FIELDS if name in names]


def is_filled(opportunity: Opportunity, name: str, values: dict | None = None) -> bool:
    """Whether `name` is filled in, reading `values` (a change being made with the move) before the record."""
    if values is not None and name in values:
        value = values[name]
    elif name in MANY:
        if opportunity.pk is None:
            return False
        value = list(getattr(opportunity, name).all()[:1])
    else:
        value = getattr(opportunity, name)
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | set):
        return bool(value)
    return value is not None


def missing_fields(opportunity: Opportunity, stage: Stage, values: dict | None = None) -> list[str]:
    return [name for name in stage.required_fields if name in GATE_FIELDS and not is_filled(opportunity, name, values)]


def gate_error(stage: Stage, missing: list[str]) -> ValidationError:
    labels = [field_label(name) for name in missing]
    separator = pgettext("list separator", ", ")
    message = _("To enter “%(stage)s”, fill in: %(fields)s.") % {"stage": stage.name, "fields": separator.join(labels)}
    errors = {"stage": [message]}
    for name in missing:
        errors[name] = [_("Required to enter “%(stage)s”.") % {"stage": stage.name}]
    return ValidationError(errors, code="gate")


def check_entry(opportunity: Opportunity, target: Stage, values: dict | None = None) -> bool:
    """Raise when `opportunity` may not enter `target` (with `values` changed at the same time); False when it is
    there already (nothing to do), True for a move."""
    if not target.is_active:
        raise ValidationError({"stage": [_("The stage “%(stage)s” is no longer in use.") % {"stage": target.name}]})
    if opportunity.pk is not None and opportunity.stage_id == target.pk:
        return False
    if opportunity.pk is not None and opportunity.status != Opportunity.Status.OPEN:
        raise ValidationError(
            {"stage": [_("A won or lost opportunity does not change stage; a manager may reopen it first.")]}
        )
    if opportunity.pk is not None and opportunity.stage_id is not None:
        current = opportunity.stage
        if target.position < current.position and not target.may_reenter:
            raise ValidationError(
                {"stage": [_("An opportunity cannot move back into “%(stage)s”.") % {"stage": target.name}]},
                code="no_reentry",
            )
    missing = missing_fields(opportunity, target, values)
    if missing:
        raise gate_error(target, missing)
    return True


def rots_at(stage: Stage, last_activity_at: datetime | None) -> datetime | None:
    """When an open opportunity in `stage`, last active at `last_activity_at`, counts as stalled (None: never)."""
    if stage.rotting_days is None or last_activity_at is None:
        return None
    return last_activity_at + timedelta(days=stage.rotting_days)
