"""The read side of the public pool: the pool's customers, who may do what, the claims a person made today, and
which customers the rules return (now, soon, at the next run)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from kehu.core.text import Translatable
from kehu.customers.models import Customer, PoolEvent, PoolRule
from kehu.customers.pool_rules import last_opportunity_at, next_run_at, opportunity_rule_applies
from kehu.org.models import User
from kehu.org.scope import effective_scope, has_module_perm

ACTIVE = Customer.Status.ACTIVE


def local_midnight(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def claims_today(user: User, now: datetime | None = None) -> int:
    """Claims `user` made since local midnight (assignments by ops do not count)."""
    now = now or timezone.now()
    return PoolEvent.objects.filter(actor=user, kind=PoolEvent.Kind.CLAIMED, at__gte=local_midnight(now)).count()


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
            return Translatable(N_("No new opportunity for %(days)d days"), days=self.days)
        return Translatable(N_("No follow-up for %(days)d days"), days=self.days)


def owned_since(customer: Customer) -> datetime:
    return customer.owned_since or customer.created_at


def idle_since(customer: Customer, cause: str) -> datetime:
    """What the rule counts from. A follow-up or a new opportunity resets the clock, and so does a new owner:
    a customer claimed today is not returned tomorrow for its previous owner's silence."""
    if cause == "opportunity":
        last = last_opportunity_at(customer)
    else:
        last = customer.last_followup_at
    return max(last, owned_since(customer)) if last else owned_since(customer)


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
                since = idle_since(customer, "followup")
                keep(PendingReturn(customer, rule, "followup", days, since, since + timedelta(days=days), now))
        if rule.days_without_opportunity is not None and opportunity_rule_applies():
            days = rule.days_without_opportunity
            cutoff = now + ahead - timedelta(days=days)
            # Owned for long enough is necessary; the clock then decides for each candidate.
            for customer in governed.filter(owned_clock__lte=cutoff):
                since = idle_since(customer, "opportunity")
                if since <= cutoff:
                    keep(PendingReturn(customer, rule, "opportunity", days, since, since + timedelta(days=days), now))
    return sorted(found.values(), key=lambda p: (p.due_at, p.customer.pk))


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
