"""Settings of the public pool: the rules (`PoolRule`: one per customer level, plus the default rule for every
level without its own) that send idle customers back to the pool and say for how long their previous owner may
not claim them back, the caps (`CustomerLimit`, per role; the most generous of a person's roles applies, no row =
no cap) on how many customers a person owns and claims a day, and when the automatic return runs.

The reclaim rule lives here once: `reclaim_blocked_until` when a customer goes back, `reclaim_blocked` when
someone wants it again (the claim service, the pool pages and their templates all ask it).
"""

from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kehu.customers.models import Customer, CustomerLimit, PoolRule
from kehu.customers.services import require, role_limit
from kehu.org.models import User

# The automatic return runs every night at this local time (the Huey schedule in `tasks.py` is derived from it).
RUN_AT = time(1, 30)


def next_run_at(now: datetime) -> datetime:
    local = timezone.localtime(now)
    run = local.replace(hour=RUN_AT.hour, minute=RUN_AT.minute, second=0, microsecond=0)
    return run if run > local else run + timedelta(days=1)


def format_date(value: datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d")


def format_datetime(value: datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


# --- the opportunity clock ----------------------------------------------------------------------
# "Return after N days without a new opportunity" needs opportunities: the opportunities module (kehu.sales,
# customer_side.py) registers a clock: `clock(customer) -> datetime | None`, when the customer's latest opportunity
# was created. Without one registered the rule is not applied: counting every customer as "without an opportunity"
# would return every customer N days after it was claimed.
_opportunity_clock: Callable | None = None


def register_opportunity_clock(clock: Callable | None) -> None:
    global _opportunity_clock
    _opportunity_clock = clock


def opportunity_rule_applies() -> bool:
    return _opportunity_clock is not None


def last_opportunity_at(customer: Customer):
    """When the customer's latest opportunity was created; None without one (or without an opportunities module)."""
    return _opportunity_clock(customer) if _opportunity_clock is not None else None


# --- rules and caps -----------------------------------------------------------------------------
def rules_by_level() -> dict:
    """Every rule keyed by its level id (None = the default rule)."""
    return {rule.level_id: rule for rule in PoolRule.objects.select_related("level")}


def rule_for(customer: Customer, rules: dict | None = None) -> PoolRule | None:
    """The rule of the customer's level if there is one (in force or not), else the default rule."""
    rules = rules_by_level() if rules is None else rules
    if customer.level_id is not None and customer.level_id in rules:
        return rules[customer.level_id]
    return rules.get(None)


def reclaim_blocked_until(rule: PoolRule | None, released_at: datetime) -> datetime | None:
    """Until when the previous owner of a customer released at `released_at` under `rule` may not claim it back
    (None: they may at once). A rule that is not in force neither returns customers nor blocks anyone."""
    days = rule.reclaim_block_days if rule is not None and rule.is_active else 0
    return released_at + timedelta(days=days) if days else None


def reclaim_blocked(user, customer: Customer, now: datetime | None = None) -> bool:
    """Whether `user` released `customer` and may not claim it back yet."""
    until = customer.reclaim_blocked_until
    return customer.previous_owner_id == user.pk and until is not None and until > (now or timezone.now())


def daily_claim_cap(user: User) -> int | None:
    """How many customers `user` may claim a day: the most generous of their roles; None = no cap."""
    return role_limit(user, "max_claims_per_day")


# --- settings: rules and caps ---------------------------------------------------------------------
RULE_FIELDS = [
    "level",
    "days_without_followup",
    "days_without_opportunity",
    "warn_days_before",
    "reclaim_block_days",
    "is_active",
]


def save_pool_rule(actor, rule: PoolRule | None, data: dict) -> PoolRule:
    """Create or change a pool rule. Needs customers.manage. One rule per level; the default rule has no level."""
    require(actor, "manage")
    errors: dict[str, list] = {}
    rule = rule or PoolRule()
    level = data.get("level", rule.level) if rule.pk is None else rule.level  # a rule's level never changes
    if rule.pk is None:
        if level is None and PoolRule.objects.filter(level__isnull=True).exists():
            errors["level"] = [_("Choose the customer level this rule is for.")]
        elif level is not None and PoolRule.objects.filter(level=level).exists():
            errors["level"] = [_("This level already has a rule.")]
        if level is not None and (level.dictionary.code != "customer_level" or not level.is_active):
            errors["level"] = [_("Choose a value from the list.")]
    for name in ("days_without_followup", "days_without_opportunity"):
        value = data.get(name)
        if value is not None and value < 1:
            errors[name] = [_("Enter at least 1 day, or leave it empty for no limit.")]
    warn, followup = data.get("warn_days_before") or 0, data.get("days_without_followup")
    if followup is not None and warn >= followup:
        errors["warn_days_before"] = [
            _("Warn fewer days ahead than the return period (%(days)d).") % {"days": followup}
        ]
    if data.get("reclaim_block_days") is None:
        errors["reclaim_block_days"] = [_("Enter a number of days (0 for none).")]
    if errors:
        raise ValidationError(errors)
    rule.level = level
    for name in RULE_FIELDS[1:]:
        setattr(rule, name, data.get(name) if name != "warn_days_before" else warn)
    rule._history_user = actor
    rule.save()
    return rule


def delete_pool_rule(actor, rule: PoolRule) -> None:
    """Remove a level's rule (its customers then follow the default rule). The default rule stays."""
    require(actor, "manage")
    if rule.level_id is None:
        raise ValidationError({"level": _("The default rule cannot be removed; turn it off instead.")})
    rule._history_user = actor
    rule.delete()


def save_customer_limit(actor, role, max_owned: int | None, max_claims_per_day: int | None) -> CustomerLimit | None:
    """Set a role's caps (None = no cap). Both empty removes the row. Needs customers.manage."""
    require(actor, "manage")
    errors = {}
    for name, value in (("max_owned", max_owned), ("max_claims_per_day", max_claims_per_day)):
        if value is not None and value < 0:
            errors[name] = [_("Enter 0 or more, or leave it empty for no limit.")]
    if errors:
        raise ValidationError(errors)
    if max_owned is None and max_claims_per_day is None:
        CustomerLimit.objects.filter(role=role).delete()
        return None
    limit, _created = CustomerLimit.objects.update_or_create(
        role=role, defaults={"max_owned": max_owned, "max_claims_per_day": max_claims_per_day}
    )
    return limit
