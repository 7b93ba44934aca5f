"""The read side of customers: one FilterSet for the list pages, the API and the export, always on top of
`Customer.objects.visible_to(user)`, and the search Chinese users expect (name fragment, full pinyin, pinyin
initials, contact name, phone number)."""

import re

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.models import DictionaryItem
from kehu.customers.models import Contact, Customer, CustomerShare, FollowUp, next_step_of
from kehu.customers.text import normalize_phone, to_half_width
from kehu.org.scope import has_module_perm

ASCII_WORD = re.compile(r"^[a-z]+$")


def _prefix_range(field: str, prefix: str) -> dict:
    """`field` starts with `prefix`, as a range both databases answer from a plain btree index (SQLite's
    case-insensitive LIKE and PostgreSQL's LIKE under a non-C collation cannot use one)."""
    return {f"{field}__gte": prefix, f"{field}__lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)}


def search_q(text: str) -> Q:
    """Name fragment, full pinyin or initials (`bjzy` → 北京致远…), customer number, contact name or phone.

    Each kind of match is its own indexed lookup; their ids are combined in one UNION subquery, so the list
    query joins a handful of ids instead of testing every customer against an OR of conditions.
    """
    text = to_half_width(text).strip().lower()
    if not text:
        return Q()
    ids = [Customer.objects.filter(number=text.upper()).values("pk")]
    digits = normalize_phone(text)
    if ASCII_WORD.match(text):
        ids.append(Customer.objects.filter(**_prefix_range("name_initials", text)).values("pk"))
        ids.append(Customer.objects.filter(**_prefix_range("name_pinyin", text)).values("pk"))
        if len(text) >= 5:  # a syllable inside the name ("zhiyuan" for 北京致远): no index can serve it
            ids.append(Customer.objects.filter(name_pinyin__contains=text).values("pk"))
    elif len(digits) >= 7 and digits == re.sub(r"\D", "", text):
        ids.append(Contact.objects.filter(**_prefix_range("mobile", digits)).values("customer_id"))
    else:
        ids.append(Customer.objects.filter(name__contains=text).values("pk"))
        ids.append(Contact.objects.filter(name__startswith=text).values("customer_id"))
    ids = [queryset.order_by() for queryset in ids]  # a compound SELECT takes no ORDER BY in its parts
    union = ids[0].union(*ids[1:]) if len(ids) > 1 else ids[0]
    return Q(pk__in=union)


def dictionary_items(code: str):
    return DictionaryItem.objects.filter(dictionary__code=code, is_active=True)


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    industry = django_filters.ModelChoiceFilter(label=_("Industry"), queryset=dictionary_items("industry"))
    level = django_filters.ModelChoiceFilter(label=_("Level"), queryset=dictionary_items("customer_level"))
    source = django_filters.ModelChoiceFilter(label=_("Source"), queryset=dictionary_items("customer_source"))
    region = django_filters.ModelChoiceFilter(label=_("Region"), queryset=dictionary_items("region"))
    owner = django_filters.NumberFilter(label=_("Owner"), field_name="owner_id")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Customer.Status.choices)
    tag = django_filters.CharFilter(label=_("Tag"), field_name="tags", lookup_expr="icontains")
    view = django_filters.ChoiceFilter(
        label=_("Saved view"),
        method="filter_view",
        choices=[("new_this_week", _("New this week")), ("idle_30", _("No follow-up for 30 days"))],
    )

    class Meta:
        model = Customer
        fields = ["q", "industry", "level", "source", "region", "owner", "status", "tag"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value))

    def filter_view(self, queryset, name, value):
        now = timezone.now()
        if value == "new_this_week":
            start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
            start -= timezone.timedelta(days=start.weekday())
            return queryset.filter(created_at__gte=start)
        if value == "idle_30":
            cutoff = now - timezone.timedelta(days=30)
            return queryset.filter(Q(last_followup_at__lt=cutoff) | Q(last_followup_at__isnull=True))
        return queryset


SORTS = {
    "activity": "last_activity_at",
    "name": "name_pinyin",
    "created": "created_at",
    "number": "number",
}


LIST_SCOPES = ("mine", "shared", "all")
DEFAULT_LIST_SCOPE = "mine"  # what the customers menu opens and the API lists without ?scope=
LIST_SCOPE_ACTIONS = {"mine": "view", "shared": "view", "all": "transfer"}


def require_list_scope(user, scope: str | None) -> str:
    """The one rule for which customer list a user may open, for the pages, the API and the export alike: "mine"
    and "shared" need customers.view, "all" (the management list of every customer in the scope) needs
    customers.transfer, the permission of the management page. An unknown scope is the default one. Returns the
    scope; raises PermissionDenied (403) without the permission. An export needs customers.export on top."""
    if scope not in LIST_SCOPES:
        scope = DEFAULT_LIST_SCOPE
    if not has_module_perm(user, "customers", LIST_SCOPE_ACTIONS[scope]):
        raise PermissionDenied(_("You do not have permission to do this."))
    return scope


def customers_for(user, scope: str = "mine"):
    """The customers of one list: "mine" (owned), "shared" (shared with me), "all" (everything in my scope)."""
    live = Customer.objects.exclude(status=Customer.Status.MERGED).exclude(owner__isnull=True)
    base = live.visible_to(user).select_related("owner", "level", "industry", "region")
    if scope == "mine":
        return base.filter(owner=user)
    if scope == "shared":
        now = timezone.now()
        shares = CustomerShare.objects.filter(Q(user=user) | Q(department_id=user.department_id)).filter(
            Q(until__isnull=True) | Q(until__gt=now)
        )
        return base.filter(pk__in=shares.values("customer_id")).exclude(owner=user)
    return base


def open_next_steps_for(user):
    """`user`'s own next steps not done yet on customers in their scope, the soonest (and the overdue) first,
    undated last: the next-steps page and the workbench panel, so that a customer transferred away leaves both."""
    return (
        FollowUp.objects.visible_to(user)
        .select_related("customer", "author", "contact")
        .filter(next_step_of(user), next_step_done_at__isnull=True)
        .exclude(next_step="")
        .order_by(F("next_step_due").asc(nulls_last=True), "happened_at", "pk")
    )


def timeline_for(customer: Customer, limit: int = 100) -> list[dict]:
    """Everything that happened to a customer, newest first: follow-ups, visits, transfers, shares, the pool."""
    from kehu.customers.models import CustomerEvent, FollowUp, PoolEvent, Visit

    entries = []
    for followup in FollowUp.objects.filter(customer=customer).select_related("author", "contact")[:limit]:
        entries.append({"kind": "followup", "at": followup.happened_at, "actor": followup.author, "obj": followup})
    for visit in Visit.objects.filter(customer=customer).select_related("visitor")[:limit]:
        at = visit.checked_in_at or visit.planned_at
        entries.append({"kind": "visit", "at": at, "actor": visit.visitor, "obj": visit})
    for event in CustomerEvent.objects.filter(customer=customer).select_related("actor")[:limit]:
        entries.append({"kind": "event", "at": event.at, "actor": event.actor, "obj": event})
    for event in PoolEvent.objects.filter(customer=customer).select_related("actor", "owner")[:limit]:
        entries.append({"kind": "pool", "at": event.at, "actor": event.actor, "obj": event})
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]
