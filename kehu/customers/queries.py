"""The read side of customers: one FilterSet for the list pages, the API and the export, always on top of
`Customer.objects.visible_to(user)`, and the search Chinese users expect (name fragment, full pinyin, pinyin
initials, contact name, phone number)."""

import re
import sys
from datetime import timedelta

import django_filters
from django.db import connection
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.filters import IdFilter
from kehu.core.models import DictionaryItem
from kehu.customers import extensions, name_index
from kehu.customers.activities import reviewable_q_departments
from kehu.customers.models import Contact, Customer, FollowUp, Visit
from kehu.customers.text import normalize_phone, to_half_width
from kehu.org.models import User
from kehu.org.scope import effective_scope

ASCII_WORD = re.compile(r"^[a-z]+$")


def _prefix_range(field: str, prefix: str) -> dict:
    """`field` starts with `prefix`, as a range both databases answer from a plain btree index (SQLite's
    case-insensitive LIKE and PostgreSQL's LIKE under a non-C collation cannot use one).

    The range is `[prefix, prefix with its last character's successor)`: exact under a code-point order (SQLite's
    BINARY, PostgreSQL's C and C.UTF-8 collations); callers that may meet another collation add the LIKE itself
    as a filter on the few rows the range finds (see `search_q`)."""
    following = ord(prefix[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates are no characters: the next one is U+E000
        following = 0xE000
    if following > sys.maxunicode:
        return {f"{field}__startswith": prefix}
    return {f"{field}__gte": prefix, f"{field}__lt": prefix[:-1] + chr(following)}


def customers_named_like(fragment: str):
    """The ids of the customers whose name contains `fragment`, through the trigram index of
    `kehu.customers.name_index` (pg_trgm on PostgreSQL, FTS5 on SQLite) when the fragment has three characters
    or more.

    A fragment of one or two characters has no trigram, so no trigram index can answer it: those fall back to
    the plain `LIKE '%…%'`, a scan of the names (on SQLite the FTS5 table would scan too)."""
    if len(fragment) >= name_index.TRIGRAM and connection.vendor == "sqlite":
        matches = RawSQL(
            f"SELECT rowid FROM {name_index.FTS} WHERE {name_index.FTS} MATCH %s", [name_index.fts_phrase(fragment)]
        )
        return Customer.objects.filter(pk__in=matches).values("pk")
    # PostgreSQL: the GIN trigram index answers the LIKE itself (three characters or more)
    return Customer.objects.filter(name__contains=fragment).values("pk")


def search_q(text: str) -> Q:
    """Name fragment, full pinyin or initials (`bjzy` → 北京致远…), customer number, contact name or phone.

    Each kind of match is its own indexed lookup; their ids are combined in one UNION subquery, so the list
    query joins a handful of ids instead of testing every customer against an OR of conditions. A name fragment
    of three characters or more goes through the trigram index (`customers_named_like`); one or two characters
    are a LIKE scan, as no trigram index can serve them.
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
        ids.append(customers_named_like(text))
        # the range finds the candidates through contact_name_idx; the LIKE keeps the result exact whatever the
        # collation (and, the range being case-sensitive, so is this match now on SQLite too)
        contacts = Contact.objects.filter(**_prefix_range("name", text)).filter(name__startswith=text)
        ids.append(contacts.values("customer_id"))
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
    owner = IdFilter(label=_("Owner"), field_name="owner_id")
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


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    customer = IdFilter(label=_("Customer"), field_name="customer_id")
    decision_role = django_filters.ChoiceFilter(label=_("Decision role"), choices=Contact.DecisionRole.choices)
    is_primary = django_filters.BooleanFilter(label=_("Primary contact"))

    class Meta:
        model = Contact
        fields = ["q", "customer", "decision_role", "is_primary"]

    def filter_search(self, queryset, name, value):
        """A name prefix or a mobile number prefix, both as index ranges."""
        text = to_half_width(value).strip()
        if not text:
            return queryset
        digits = normalize_phone(text)
        if digits and digits == re.sub(r"\D", "", text):
            return queryset.filter(**_prefix_range("mobile", digits))
        return queryset.filter(**_prefix_range("name", text))


SORTS = {
    "activity": "last_activity_at",
    "name": "name_pinyin",
    "created": "created_at",
    "number": "number",
}


def customers_for(user, scope: str = "mine"):
    """The customers of one list: "mine" (owned), "shared" (shared with me), "all" (everything in my scope)."""
    live = Customer.objects.exclude(status=Customer.Status.MERGED).exclude(owner__isnull=True)
    base = live.visible_to(user).select_related("owner", "level", "industry", "region")
    if scope == "mine":
        return base.filter(owner=user)
    if scope == "shared":
        return base.filter(Customer.shared_with_q(user, "view")).exclude(owner=user)
    return base


def open_next_steps_for(user):
    """`user`'s own next steps not done yet on customers in their scope, the soonest (and the overdue) first,
    undated last: the next-steps page and the workbench panel, so that a customer transferred away leaves both."""
    # next_step_of(user) as the union of its two indexed halves: the user's own rows drive the query (an OR of
    # two columns would have SQLite walk every author instead)
    # (each half matches its partial index: followup_open_handed_idx / followup_open_written_idx)
    open_steps = FollowUp.objects.filter(next_step_done_at__isnull=True).exclude(next_step="")
    handed = open_steps.filter(next_step_owner=user).values("pk").order_by()
    written = open_steps.filter(next_step_owner__isnull=True, author=user).values("pk").order_by()
    return (
        FollowUp.objects.visible_to(user)
        .select_related("customer", "author", "contact")
        .filter(pk__in=handed.union(written), next_step_done_at__isnull=True)
        .exclude(next_step="")
        .order_by(F("next_step_due").asc(nulls_last=True), "happened_at", "pk")
    )


def timeline_for(customer: Customer, limit: int = 100) -> list[dict]:
    """Everything that happened to a customer, newest first: follow-ups, visits, transfers, shares, the pool."""
    from kehu.customers.models import CustomerEvent, FollowUp, PoolEvent, Visit

    entries = []
    # A finished visit writes its summary as a follow-up too: the visit's own entry shows it, once.
    followups = FollowUp.objects.filter(customer=customer, visit__isnull=True).select_related("author", "contact")
    for followup in followups[:limit]:
        entries.append({"kind": "followup", "at": followup.happened_at, "actor": followup.author, "obj": followup})
    for visit in Visit.objects.filter(customer=customer).select_related("visitor")[:limit]:
        at = visit.checked_in_at or visit.planned_at
        entries.append({"kind": "visit", "at": at, "actor": visit.visitor, "obj": visit})
    for event in CustomerEvent.objects.filter(customer=customer).select_related("actor")[:limit]:
        entries.append({"kind": "event", "at": event.at, "actor": event.actor, "obj": event})
    for event in PoolEvent.objects.filter(customer=customer).select_related("actor", "owner")[:limit]:
        entries.append({"kind": "pool", "at": event.at, "actor": event.actor, "obj": event})
    entries.extend(extensions.timeline_entries(customer, limit))  # other modules' entries (opportunities ...)
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]


# --- follow-ups and visits -------------------------------------------------------------------
def contacts_of(customer: Customer):
    """The contacts a follow-up or visit of `customer` may name (the customer is already in the user's scope)."""
    return customer.contacts.all()


class FollowUpFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=FollowUp.Kind.choices)
    author = IdFilter(label=_("Author"), field_name="author_id")
    customer = IdFilter(label=_("Customer"), field_name="customer_id")
    date_from = django_filters.DateFilter(label=_("From"), field_name="happened_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="happened_at", lookup_expr="date__lte")
    overdue = django_filters.BooleanFilter(label=_("Overdue next steps only"), method="filter_overdue")

    class Meta:
        model = FollowUp
        fields = ["kind", "author", "customer", "date_from", "date_to", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(next_step_due__lt=timezone.localdate(), next_step_done_at__isnull=True).exclude(
            next_step=""
        )


FOLLOWUP_SORTS = {"when": "happened_at", "due": "next_step_due"}


def followups_for(user):
    """The follow-ups on customers in `user`'s scope."""
    return FollowUp.objects.visible_to(user).select_related("customer", "author", "contact")


def authors_in_scope(user):
    """The people whose follow-ups `user` may filter by: everyone in the departments of their scope, and them."""
    scope = effective_scope(user, "customers", "view")
    people = User.objects.filter(status=User.Status.ACTIVE)
    if not scope.everything:
        people = people.filter(Q(department_id__in=scope.department_ids) | Q(pk=user.pk))
    return people.order_by("name")


class VisitFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Visit.Status.choices)
    visitor = IdFilter(label=_("Visitor"), field_name="visitor_id")
    customer = IdFilter(label=_("Customer"), field_name="customer_id")
    date_from = django_filters.DateFilter(label=_("From"), field_name="planned_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="planned_at", lookup_expr="date__lte")

    class Meta:
        model = Visit
        fields = ["status", "visitor", "customer", "date_from", "date_to"]


VISIT_BOXES = {
    "upcoming": _("Upcoming"),
    "today": _("Today"),
    "done": _("Done"),
    "review": _("To review"),
    "all": _("All"),
}


def visits_for(user, box: str = "all"):
    """The visits of one tab: my open visits ("upcoming"), mine planned for today, mine done, the done visits of
    people I manage not reviewed yet ("review"), or every visit to customers in my scope ("all")."""
    visits = Visit.objects.visible_to(user).select_related("customer", "contact", "visitor")
    if box == "upcoming":
        open_statuses = [Visit.Status.PLANNED, Visit.Status.CHECKED_IN]
        return visits.filter(visitor=user, status__in=open_statuses).order_by("planned_at", "pk")
    if box == "today":
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        return visits.filter(visitor=user, planned_at__gte=start, planned_at__lt=start + timedelta(days=1)).order_by(
            "planned_at", "pk"
        )
    if box == "done":
        return visits.filter(visitor=user, status=Visit.Status.DONE).order_by("-checked_in_at", "-pk")
    if box == "review":
        return to_review_for(user, visits)
    return visits


def to_review_for(user, visits=None):
    visits = visits if visits is not None else Visit.objects.visible_to(user).select_related("customer", "visitor")
    visits = visits.filter(status=Visit.Status.DONE, reviewed_at__isnull=True).exclude(visitor=user)
    departments = reviewable_q_departments(user)
    if departments is not None:
        visits = visits.filter(visitor__department_id__in=departments)
    return visits.order_by("checked_in_at", "pk")


def reviews_anyone(user) -> bool:
    departments = reviewable_q_departments(user)
    return departments is None or bool(departments)
