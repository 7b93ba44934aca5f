"""The public pool (公海): customers without an owner, which reps may claim.

- Rules (`PoolRule`: one per customer level, plus the default rule for every level without its own) send idle
  customers back to the pool and say for how long their previous owner may not claim them back.
- Caps (`CustomerLimit`, per role; the most generous of a person's roles applies, no row = no cap) bound how
  many customers a person owns and how many they claim a day.
- Every change is one atomic service here that checks permission and leaves a trail: a `PoolEvent`, a
  history row with its reason, and a message to the people it affects.

Concurrency: a claim takes the customer with a conditional UPDATE (only while it has no owner), so of two
reps claiming at once exactly one wins and the other is told who did. The automatic return and the warnings
re-check each customer under a row lock before acting, so two workers running the task at once act once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehu.customers.models import Customer, CustomerLimit, CustomerShare, PoolEvent, PoolRule
from kehu.customers.services import check_owned_limit, require, role_limit
from kehu.notify.models import Message
from kehu.notify.services import send_message
from kehu.org.models import User
from kehu.org.scope import effective_scope, has_module_perm

ACTIVE = Customer.Status.ACTIVE
# The automatic return runs every night at this local time (the Huey schedule in `tasks.py` is derived from it).
RUN_AT = time(1, 30)


# --- the opportunity clock ----------------------------------------------------------------------
# "Return after N days without a new opportunity" needs opportunities, which a later module brings. That module
# registers a clock: `clock(customer) -> datetime | None`, when the customer's latest opportunity was created.
# Until one is registered the rule field is stored but NOT applied (the rules page says so): counting every
# customer as "without an opportunity" would return every customer N days after it was claimed.
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


def _reclaim_block_days(rule: PoolRule | None) -> int:
    # A rule that is not in force neither returns customers nor blocks their previous owner.
    return rule.reclaim_block_days if rule is not None and rule.is_active else 0


def daily_claim_cap(user: User) -> int | None:
    """How many customers `user` may claim a day: the most generous of their roles; None = no cap."""
    return role_limit(user, "max_claims_per_day")


def local_midnight(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def claims_today(user: User, now: datetime | None = None) -> int:
    """Claims `user` made since local midnight (assignments by ops do not count)."""
    now = now or timezone.now()
    return PoolEvent.objects.filter(actor=user, kind=PoolEvent.Kind.CLAIMED, at__gte=local_midnight(now)).count()


def _lock_user(user: User) -> None:
    """Serialise one person's claims (PostgreSQL row lock; SQLite's IMMEDIATE transactions queue anyway), so two
    claims at once cannot both pass the cap check."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def _date(value: datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d")


def _datetime(value: datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


# --- reading the pool ---------------------------------------------------------------------------
def pool_customers(user):
    """Customers in the pool, open to everyone with customers.view (the pool has no owner and so no scope).

    Annotated with `pool_reason`: why it last went into the pool."""
    if not has_module_perm(user, "customers", "view"):
        return Customer.objects.none()
    last_reason = (
        PoolEvent.objects.filter(customer=OuterRef("pk"), kind__in=[PoolEvent.Kind.RELEASED, PoolEvent.Kind.RETURNED])
        .order_by("-at", "-id")
        .values("reason")[:1]
    )
    return (
        Customer.objects.filter(owner__isnull=True, status=ACTIVE)
        .select_related("level", "industry", "region", "previous_owner")
        .annotate(pool_reason=Subquery(last_reason))
    )


def get_pool_customer(user, pk) -> Customer:
    """A customer in the pool, or 404 (owned customers are reached through their own, scoped page)."""
    try:
        return pool_customers(user).get(pk=pk)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_release(user, customer: Customer) -> bool:
    """The owner, or someone whose role scope lets them change the customer (an editable share is not enough)."""
    if customer.owner_id is None or customer.status != ACTIVE:
        return False
    if not has_module_perm(user, "customers", "change"):
        return False
    condition = effective_scope(user, "customers", "change").q(user)
    candidates = Customer.objects.filter(pk=customer.pk)
    return (candidates if condition is None else candidates.filter(condition)).exists()


def may_claim(user, customer: Customer) -> bool:
    return customer.in_pool and has_module_perm(user, "customers", "add")


def may_assign(user) -> bool:
    return has_module_perm(user, "customers", "manage") or has_module_perm(user, "customers", "transfer")


# --- release ------------------------------------------------------------------------------------
@dataclass
class PoolSummary:
    done: list = field(default_factory=list)  # ids of the customers that moved
    skipped: list = field(default_factory=list)  # ids that did not (not found, not allowed, not eligible)

    @property
    def count(self) -> int:
        return len(self.done)


def _release(customer: Customer, actor, kind: str, reason: str, now: datetime, rule: PoolRule | None) -> User:
    """Move one locked customer into the pool. Returns its former owner."""
    former = customer.owner
    block = _reclaim_block_days(rule)
    customer.owner, customer.owner_department, customer.owned_since = None, None, None
    customer.previous_owner, customer.released_at = former, now
    customer.reclaim_blocked_until = now + timedelta(days=block) if block else None
    customer.version += 1
    customer.updated_by, customer.updated_at = actor, now
    customer._history_user = actor
    customer._change_reason = reason
    customer.save()
    CustomerShare.objects.filter(customer=customer).delete()
    PoolEvent.objects.create(customer=customer, kind=kind, actor=actor, owner=former, reason=reason[:300], at=now)
    return former


def release_to_pool(actor, customers, reason: str, *, now: datetime | None = None) -> PoolSummary:
    """Put customers back into the public pool (放入公海). Needs customers.change; each customer must be the actor's
    own or in their role's change scope (an editable share is not enough). Owner and department are cleared, the
    former owner is remembered and blocked from reclaiming for the rule's days, shares end, and a former owner
    who is not the actor gets a message. Customers not allowed or not owned are skipped, not an error."""
    require(actor, "change")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why these customers go back to the pool.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("Keep the reason under 200 characters.")})
    now = now or timezone.now()
    ids = list(dict.fromkeys(getattr(c, "pk", c) for c in customers))
    condition = effective_scope(actor, "customers", "change").q(actor)
    allowed = Customer.objects.filter(pk__in=ids, status=ACTIVE, owner__isnull=False)
    if condition is not None:
        allowed = allowed.filter(condition)
    summary = PoolSummary()
    rules = rules_by_level()
    released_from: dict[int, tuple[User, list]] = {}
    with transaction.atomic():
        for customer in allowed.select_for_update(of=("self",)).select_related("owner").order_by("pk"):
            former = _release(customer, actor, PoolEvent.Kind.RELEASED, reason, now, rule_for(customer, rules))
            summary.done.append(customer.pk)
            if former.pk != actor.pk:
                released_from.setdefault(former.pk, (former, []))[1].append(customer)
        for former, released in released_from.values():
            with translation.override(former.language or settings.LANGUAGE_CODE):
                title = ngettext(
                    "%(name)s put %(count)d of your customers into the public pool",
                    "%(name)s put %(count)d of your customers into the public pool",
                    len(released),
                ) % {"name": actor.display_name, "count": len(released)}
                body = "\n".join(c.name for c in released) + "\n" + _("Reason: %(reason)s") % {"reason": reason}
            send_message([former], title, body, link=reverse("customers:pool"))
    summary.skipped = [pk for pk in ids if pk not in set(summary.done)]
    return summary


# --- claim and assign ---------------------------------------------------------------------------
def _refuse_taken(pk) -> None:
    """The customer is no longer in the pool. Name who took it if it left the pool through a claim or an
    assignment (the race a claimer can lose); otherwise it was never a pool customer to this user: 404."""
    customer = Customer.objects.filter(pk=pk).select_related("owner").first()
    last = PoolEvent.objects.filter(customer_id=pk).order_by("-at", "-id").first()
    taken = last is not None and last.kind in (PoolEvent.Kind.CLAIMED, PoolEvent.Kind.ASSIGNED)
    if customer is None or customer.owner is None or not taken or customer.status != ACTIVE:
        raise Http404
    raise ValidationError(
        {
            "customer": _("Too late: %(name)s took this customer from the pool at %(when)s.")
            % {"name": customer.owner.display_name, "when": _datetime(last.at)}
        }
    )


def _take(customer_id, owner: User, actor, kind: str, reason: str, now: datetime) -> Customer | None:
    """Give a pool customer to `owner` if it is still in the pool (conditional UPDATE); None if someone was faster."""
    taken = Customer.objects.filter(pk=customer_id, owner__isnull=True, status=ACTIVE).update(
        owner=owner,
        owner_department=owner.department_id,
        owned_since=now,
        last_activity_at=now,
        released_at=None,
        reclaim_blocked_until=None,
        version=F("version") + 1,
        updated_by=actor,
        updated_at=now,
    )
    if not taken:
        return None
    customer = Customer.objects.get(pk=customer_id)
    # The UPDATE above bypasses the model's history; this save records the new state with its author and reason.
    customer._history_user = actor
    customer._change_reason = reason
    customer.save(update_fields=["updated_at"])
    PoolEvent.objects.create(customer=customer, kind=kind, actor=actor, owner=owner, reason=reason[:300], at=now)
    return customer


def claim(actor, customer, *, now: datetime | None = None) -> Customer:
    """A rep takes a customer from the pool (领取). Needs customers.add. Refused with a message when the customer
    was just taken by someone else (naming them), when the actor released it and the reclaim block has not
    ended, or when the actor's owned-customers or daily-claims cap is reached."""
    require(actor, "add")
    pk = getattr(customer, "pk", customer)
    with transaction.atomic():
        _lock_user(actor)
        now = now or timezone.now()  # read after the lock: the claims counted below are all before it
        current = Customer.objects.filter(pk=pk, status=ACTIVE).first()
        if current is None or current.owner_id is not None:
            _refuse_taken(pk)
        if (
            current.previous_owner_id == actor.pk
            and current.reclaim_blocked_until
            and current.reclaim_blocked_until > now
        ):
            raise ValidationError(
                {
                    "customer": _("You released this customer; you may claim it again from %(date)s.")
                    % {"date": _datetime(current.reclaim_blocked_until)}
                }
            )
        check_owned_limit(actor)
        cap = daily_claim_cap(actor)
        if cap is not None:
            done = claims_today(actor, now)
            if done >= cap:
                raise ValidationError(
                    {
                        "customer": _("You have claimed %(count)d customers today; the daily limit is %(cap)d.")
                        % {"count": done, "cap": cap}
                    }
                )
        claimed = _take(pk, actor, actor, PoolEvent.Kind.CLAIMED, _("Claimed from the pool"), now)
        if claimed is None:
            _refuse_taken(pk)
    return claimed


def assign_from_pool(actor, customer_ids, to_user: User, *, now: datetime | None = None) -> PoolSummary:
    """Sales ops or a manager give pool customers to someone (分配). Needs customers.manage or customers.transfer.
    The recipient's owned cap applies; the daily claim cap and the reclaim block do not (a deliberate decision by
    ops). Customers that are no longer in the pool are skipped. The recipient gets a message."""
    if not may_assign(actor):
        raise PermissionDenied(_("You do not have permission to do this."))
    if not to_user.is_active:
        raise ValidationError({"to_user": _("The new owner has left the company.")})
    if not has_module_perm(to_user, "customers", "view"):
        raise ValidationError({"to_user": _("The new owner has no access to customers.")})
    now = now or timezone.now()
    ids = list(dict.fromkeys(customer_ids))
    summary = PoolSummary()
    reason = _("Assigned from the pool by %(name)s") % {"name": actor.display_name}
    with transaction.atomic():
        _lock_user(to_user)
        in_pool = list(
            Customer.objects.filter(pk__in=ids, owner__isnull=True, status=ACTIVE)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        check_owned_limit(to_user, adding=len(in_pool))
        names = []
        for pk in in_pool:
            customer = _take(pk, to_user, actor, PoolEvent.Kind.ASSIGNED, reason, now)
            if customer is not None:
                summary.done.append(pk)
                names.append(customer.name)
        if names and to_user.pk != actor.pk:
            with translation.override(to_user.language or settings.LANGUAGE_CODE):
                title = ngettext(
                    "%(name)s assigned you %(count)d customer from the public pool",
                    "%(name)s assigned you %(count)d customers from the public pool",
                    len(names),
                ) % {"name": actor.display_name, "count": len(names)}
            send_message([to_user], title, "\n".join(names), link=reverse("customers:mine"))
    summary.skipped = [pk for pk in ids if pk not in set(summary.done)]
    return summary


# --- automatic return ---------------------------------------------------------------------------
@dataclass
class PendingReturn:
    """A customer the rules will return to the pool, and why."""

    customer: Customer
    rule: PoolRule
    cause: str  # "followup" | "opportunity"
    days: int  # the rule's N
    idle_since: datetime  # the moment the rule counts from
    due_at: datetime  # when it goes back
    as_of: datetime  # the moment this was worked out for

    @property
    def owner(self):
        return self.customer.owner

    @property
    def last_followup_at(self):
        return self.customer.last_followup_at

    @property
    def idle_days(self) -> int:
        return max((self.as_of - self.idle_since).days, 0)

    @property
    def reason(self) -> str:
        if self.cause == "opportunity":
            return _("No new opportunity for %(days)d days") % {"days": self.days}
        return _("No follow-up for %(days)d days") % {"days": self.days}


def _owned_since(customer: Customer) -> datetime:
    return customer.owned_since or customer.created_at


def _idle_since(customer: Customer, cause: str) -> datetime:
    """What the rule counts from. A follow-up or a new opportunity resets the clock, and so does a new owner:
    a customer claimed today is not returned tomorrow for its previous owner's silence."""
    if cause == "opportunity":
        last = last_opportunity_at(customer)
    else:
        last = customer.last_followup_at
    return max(last, _owned_since(customer)) if last else _owned_since(customer)


def pending_returns(customers, now: datetime, *, include_upcoming: bool = False) -> list[PendingReturn]:
    """Which of `customers` (a queryset) the rules return at `now`; with `include_upcoming`, also those due
    within their rule's warning window. The earliest cause wins; sorted by due time."""
    rules = list(PoolRule.objects.select_related("level"))
    own_levels = [rule.level_id for rule in rules if rule.level_id is not None]
    base = (
        customers.filter(status=ACTIVE, owner__isnull=False)
        .select_related("owner", "level")
        .annotate(
            followup_clock=Greatest(
                Coalesce("last_followup_at", "owned_since", "created_at"), Coalesce("owned_since", "created_at")
            ),
            owned_clock=Coalesce("owned_since", "created_at"),
        )
    )
    found: dict[int, PendingReturn] = {}

    def keep(pending: PendingReturn):
        known = found.get(pending.customer.pk)
        if known is None or pending.due_at < known.due_at:
            found[pending.customer.pk] = pending

    for rule in rules:
        if not rule.is_active:
            continue
        governed = base.filter(level_id=rule.level_id) if rule.level_id else base.exclude(level_id__in=own_levels)
        ahead = timedelta(days=rule.warn_days_before) if include_upcoming else timedelta(0)
        if rule.days_without_followup is not None:
            days = rule.days_without_followup
            cutoff = now + ahead - timedelta(days=days)
            for customer in governed.filter(followup_clock__lte=cutoff):
                since = _idle_since(customer, "followup")
                keep(PendingReturn(customer, rule, "followup", days, since, since + timedelta(days=days), now))
        if rule.days_without_opportunity is not None and opportunity_rule_applies():
            days = rule.days_without_opportunity
            cutoff = now + ahead - timedelta(days=days)
            # Owned for long enough is necessary; the clock then decides for each candidate.
            for customer in governed.filter(owned_clock__lte=cutoff):
                since = _idle_since(customer, "opportunity")
                if since <= cutoff:
                    keep(PendingReturn(customer, rule, "opportunity", days, since, since + timedelta(days=days), now))
    return sorted(found.values(), key=lambda p: (p.due_at, p.customer.pk))


def _still_pending(pending: PendingReturn, now: datetime, *, due: bool) -> Customer | None:
    """Lock the customer and check, on fresh data, that the reason still holds (a follow-up or a claim may have
    come in since the scan, or another worker may have acted). Must run inside a transaction."""
    customer = (
        Customer.objects.select_for_update(of=("self",))
        .select_related("owner")
        .filter(pk=pending.customer.pk, owner_id=pending.customer.owner_id, status=ACTIVE)
        .first()
    )
    if customer is None:
        return None
    due_at = _idle_since(customer, pending.cause) + timedelta(days=pending.days)
    if due and due_at > now:
        return None
    if not due and due_at != pending.due_at:
        return None
    return customer


def auto_return(now: datetime | None = None) -> list[PendingReturn]:
    """Return every customer the rules say is due (the nightly task). Each return is its own transaction with a
    RETURNED event, a history reason, the reclaim block, and one message per former owner."""
    now = now or timezone.now()
    returned: list[PendingReturn] = []
    with translation.override(settings.LANGUAGE_CODE):
        for pending in pending_returns(Customer.objects.all(), now):
            with transaction.atomic():
                customer = _still_pending(pending, now, due=True)
                if customer is None:
                    continue
                pending.customer = customer
                _release(customer, None, PoolEvent.Kind.RETURNED, pending.reason, now, pending.rule)
                returned.append(pending)
    by_owner: dict[int, list[PendingReturn]] = {}
    for pending in returned:
        by_owner.setdefault(pending.customer.previous_owner_id, []).append(pending)
    for items in by_owner.values():
        former = items[0].customer.previous_owner
        with translation.override(former.language or settings.LANGUAGE_CODE):
            title = ngettext(
                "%(count)d of your customers went back to the public pool",
                "%(count)d of your customers went back to the public pool",
                len(items),
            ) % {"count": len(items)}
            lines = []
            for p in items:
                line = f"{p.customer.name}: {p.reason}"
                if p.customer.reclaim_blocked_until:
                    line += " · " + _("you may claim it again from %(date)s") % {
                        "date": _date(p.customer.reclaim_blocked_until)
                    }
                lines.append(line)
        send_message([former], title, "\n".join(lines), link=reverse("customers:pool"), level=Message.Level.WARNING)
    return returned


def _warning_text(pending: PendingReturn) -> str:
    # The text carries the due date: it is what tells one warning from the next (see `warn_upcoming_returns`).
    return _("%(date)s: returns to the pool (%(reason)s)") % {"date": _date(pending.due_at), "reason": pending.reason}


def warn_upcoming_returns(now: datetime | None = None) -> int:
    """Warn owners of customers that will return within their rule's warning window (warn_days_before). Once per
    customer and due date: a WARNED event for the same owner, clock and date means it was done. Returns how many
    customers were warned; each owner gets one message listing theirs."""
    now = now or timezone.now()
    warned: dict[int, list[PendingReturn]] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for pending in pending_returns(Customer.objects.all(), now, include_upcoming=True):
            if pending.due_at <= now:
                continue  # due now: the return itself tells the owner
            with transaction.atomic():
                customer = _still_pending(pending, now, due=False)
                if customer is None:
                    continue
                already = PoolEvent.objects.filter(
                    customer=customer,
                    kind=PoolEvent.Kind.WARNED,
                    owner_id=customer.owner_id,
                    at__gte=pending.idle_since,
                    reason__contains=_date(pending.due_at),
                )
                if already.exists():
                    continue
                PoolEvent.objects.create(
                    customer=customer,
                    kind=PoolEvent.Kind.WARNED,
                    owner=customer.owner,
                    reason=_warning_text(pending),
                    at=now,
                )
                pending.customer = customer
                warned.setdefault(customer.owner_id, []).append(pending)
    for items in warned.values():
        owner = items[0].customer.owner
        with translation.override(owner.language or settings.LANGUAGE_CODE):
            title = ngettext(
                "%(count)d of your customers will go back to the public pool soon",
                "%(count)d of your customers will go back to the public pool soon",
                len(items),
            ) % {"count": len(items)}
            lines = [
                _("%(name)s: on %(date)s (%(reason)s)")
                % {"name": p.customer.name, "date": _date(p.due_at), "reason": p.reason}
                for p in items
            ]
            lines.append(_("A follow-up resets the clock."))
        send_message([owner], title, "\n".join(lines), link=reverse("core:workbench"), level=Message.Level.WARNING)
    return sum(len(items) for items in warned.values())


# --- preview --------------------------------------------------------------------------------------
def next_run_at(now: datetime) -> datetime:
    local = timezone.localtime(now)
    run = local.replace(hour=RUN_AT.hour, minute=RUN_AT.minute, second=0, microsecond=0)
    return run if run > local else run + timedelta(days=1)


@dataclass
class ReturnPreview:
    run_at: datetime
    due: list  # returned by the run at `run_at`
    soon: list  # in their warning window after that run


def preview_returns(actor, when: datetime | None = None) -> ReturnPreview:
    """What the next automatic return would do among the customers the actor can see: the customers it returns
    and why, and those due soon after it. Needs customers.transfer or customers.manage."""
    if not may_assign(actor):
        raise PermissionDenied(_("You do not have permission to do this."))
    when = when or next_run_at(timezone.now())
    items = pending_returns(Customer.objects.visible_to(actor), when, include_upcoming=True)
    return ReturnPreview(
        run_at=when, due=[p for p in items if p.due_at <= when], soon=[p for p in items if p.due_at > when]
    )


def upcoming_returns_for_owner(user: User, now: datetime | None = None) -> list[PendingReturn]:
    """The user's own customers that are due or in their warning window (the workbench to-do)."""
    return pending_returns(Customer.objects.filter(owner=user), now or timezone.now(), include_upcoming=True)


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
