"""The public pool (公海): customers without an owner, which reps may claim. Every change is one atomic service
here that checks permission and leaves a trail (a `PoolEvent`, a history row with its reason) and raises a
domain event; the messages to the people it affects are written by the subscribers in `events.py`, after
the commit. Rules and caps: `pool_rules.py`; reads: `pool_queries.py`.

Concurrency: a claim takes the customer with a conditional UPDATE (only while it has no owner), so of two
reps claiming at once exactly one wins and the other is told who did. The automatic return and the warnings
re-check each customer under a row lock before acting, so two workers running the task at once act once.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from kehu.core.events import emit
from kehu.core.text import Translatable, fit
from kehu.customers import events
from kehu.customers.models import Customer, CustomerShare, PoolEvent, PoolRule
from kehu.customers.pool_queries import PendingReturn, claims_today, idle_since, may_assign, pending_returns
from kehu.customers.pool_rules import (
    daily_claim_cap,
    format_date,
    format_datetime,
    reclaim_blocked,
    reclaim_blocked_until,
    rule_for,
    rules_by_level,
)
from kehu.customers.services import check_owned_limit, require
from kehu.org.models import User
from kehu.org.scope import effective_scope, has_module_perm

ACTIVE = Customer.Status.ACTIVE


def _lock_user(user: User) -> None:
    """Serialise one person's claims (PostgreSQL row lock; SQLite's IMMEDIATE transactions queue anyway), so two
    claims at once cannot both pass the cap check."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def _history_reason(text: str) -> str:
    """The reason as the history row can hold it (100 characters; PostgreSQL refuses a longer one)."""
    return text[: Customer.history.model._meta.get_field("history_change_reason").max_length]


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
    customer.owner, customer.owner_department, customer.owned_since = None, None, None
    customer.previous_owner, customer.released_at = former, now
    customer.reclaim_blocked_until = reclaim_blocked_until(rule, now)
    customer.version += 1
    customer.updated_by, customer.updated_at = actor, now
    customer._history_user = actor
    customer._change_reason = _history_reason(str(reason))
    customer.save()
    CustomerShare.objects.filter(customer=customer).delete()
    PoolEvent.objects.create(customer=customer, kind=kind, actor=actor, owner=former, reason=fit(reason, 300), at=now)
    return former


def release_to_pool(actor, customers, reason: str, *, now: datetime | None = None) -> PoolSummary:
    """Put customers back into the public pool (放入公海). Needs customers.change; each customer must be the actor's
    own or in their role's change scope (an editable share is not enough). Owner and department are cleared, the
    former owner is remembered and blocked from reclaiming for the rule's days, shares end, and a former owner
    who is not the actor is told (event `customer.released_to_pool`). Customers not allowed or not owned are
    skipped, not an error."""
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
    released = []
    with transaction.atomic():
        for customer in allowed.select_for_update(of=("self",)).select_related("owner").order_by("pk"):
            _release(customer, actor, PoolEvent.Kind.RELEASED, reason, now, rule_for(customer, rules))
            summary.done.append(customer.pk)
            released.append(customer)
        if released:
            emit(events.RELEASED_TO_POOL, actor=actor, customers=released, reason=reason)
    summary.skipped = [pk for pk in ids if pk not in set(summary.done)]
    return summary


# --- claim and assign ---------------------------------------------------------------------------
TOO_LATE_WINDOW = timedelta(minutes=10)


def _refuse_taken(pk, now: datetime) -> None:
    """The customer is no longer in the pool. Name who took it if it left the pool through a claim or an
    assignment in the last minutes (the race a claimer can lose: it was in the pool everyone sees moments ago);
    otherwise it is not a pool customer to this user and answers exactly like an id that does not exist (404),
    so the claim button cannot be used to learn who owns any customer ever claimed."""
    customer = Customer.objects.filter(pk=pk).select_related("owner").first()
    last = PoolEvent.objects.filter(customer_id=pk).order_by("-at", "-id").first()
    taken = (
        last is not None
        and last.kind in (PoolEvent.Kind.CLAIMED, PoolEvent.Kind.ASSIGNED)
        and last.at >= now - TOO_LATE_WINDOW
    )
    if customer is None or customer.owner is None or not taken or customer.status != ACTIVE:
        raise Http404
    raise ValidationError(
        {
            "customer": _("Too late: %(name)s took this customer from the pool at %(when)s.")
            % {"name": customer.owner.display_name, "when": format_datetime(last.at)}
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
    customer._change_reason = _history_reason(str(reason))
    customer.save(update_fields=["updated_at"])
    PoolEvent.objects.create(customer=customer, kind=kind, actor=actor, owner=owner, reason=fit(reason, 300), at=now)
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
            _refuse_taken(pk, now)
        if reclaim_blocked(actor, current, now):
            raise ValidationError(
                {
                    "customer": _("You released this customer; you may claim it again from %(date)s.")
                    % {"date": format_datetime(current.reclaim_blocked_until)}
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
            _refuse_taken(pk, now)
    return claimed


def assign_from_pool(actor, customer_ids, to_user: User, *, now: datetime | None = None) -> PoolSummary:
    """Sales ops or a manager give pool customers to someone (分配). Needs customers.manage or customers.transfer.
    The recipient's owned cap applies; the daily claim cap and the reclaim block do not (a deliberate decision by
    ops). Customers that are no longer in the pool are skipped. The recipient is told
    (`customer.assigned_from_pool`)."""
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
        assigned = []
        for pk in in_pool:
            customer = _take(pk, to_user, actor, PoolEvent.Kind.ASSIGNED, reason, now)
            if customer is not None:
                summary.done.append(pk)
                assigned.append(customer)
        if assigned:
            emit(events.ASSIGNED_FROM_POOL, actor=actor, to_user=to_user, customers=assigned)
    summary.skipped = [pk for pk in ids if pk not in set(summary.done)]
    return summary


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
    due_at = idle_since(customer, pending.cause) + timedelta(days=pending.days)
    if due and due_at > now:
        return None
    if not due and due_at != pending.due_at:
        return None
    return customer


def auto_return(now: datetime | None = None) -> list[PendingReturn]:
    """Return every customer the rules say is due (the nightly task). Each return is its own transaction with a
    RETURNED event, a history reason and the reclaim block; then `customer.returned_to_pool` (one message per
    former owner)."""
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
    if returned:  # outside any transaction: the former owners are told at once, one message each
        emit(events.RETURNED_TO_POOL, returns=returned)
    return returned


def _warning_text(pending: PendingReturn) -> str:
    # The text carries the due date: it is what tells one warning from the next (see `warn_upcoming_returns`).
    date = format_date(pending.due_at)
    return Translatable(N_("%(date)s: returns to the pool (%(reason)s)"), date=date, reason=pending.reason)


def warn_upcoming_returns(now: datetime | None = None) -> int:
    """Warn owners of customers that will return within their rule's warning window (warn_days_before). Once per
    customer and due date: a WARNED event for the same owner, clock and date means it was done. Returns how many
    customers were warned; `pool.return_warning_due` gives each owner one message listing theirs."""
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
                    reason__contains=format_date(pending.due_at),
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
    if warned:
        emit(events.RETURN_WARNING_DUE, warnings=[p for items in warned.values() for p in items])
    return sum(len(items) for items in warned.values())
