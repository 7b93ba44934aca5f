"""The read side of opportunities: one FilterSet (page, API, export), the saved views, the tabs' rows, the
kanban (counts and sums per stage in one grouped query, the first cards of each stage), days in stage."""

from datetime import date, timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.filters import IdFilter
from kehu.core.models import DictionaryItem
from kehu.sales.models import Opportunity, OpportunityFollowUp, Stage, StageHistory


def dictionary_items(code: str):
    return DictionaryItem.objects.filter(dictionary__code=code, is_active=True)


def month_range(today: date) -> tuple[date, date]:
    start = today.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)


def quarter_range(today: date) -> tuple[date, date]:
    first_month = (today.month - 1) // 3 * 3 + 1
    start = today.replace(month=first_month, day=1)
    end_month = first_month + 2
    following = date(today.year + (end_month == 12), end_month % 12 + 1, 1)
    return start, following - timedelta(days=1)


VIEWS = [
    ("my_open", _("My open")),
    ("closing_this_month", _("Closing this month")),
    ("stalled", _("Stalled")),
    ("overdue", _("Close date passed")),
    ("won_this_quarter", _("Won this quarter")),
]


def apply_view(queryset, value: str, user=None, today: date | None = None, now=None):
    """The saved views of the list and the kanban."""
    today = today or timezone.localdate()
    if value == "my_open":
        return queryset.open().filter(owner=user) if user is not None else queryset.open()
    if value == "closing_this_month":
        start, end = month_range(today)
        return queryset.open().filter(expected_close_date__gte=start, expected_close_date__lte=end)
    if value == "stalled":
        return queryset.stalled(now)
    if value == "overdue":
        return queryset.open().filter(expected_close_date__lt=today)
    if value == "won_this_quarter":
        start, end = quarter_range(today)
        return queryset.won().filter(closed_on__gte=start, closed_on__lte=end)
    return queryset


class OpportunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    view = django_filters.ChoiceFilter(label=_("Saved view"), method="filter_view", choices=VIEWS)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Opportunity.Status.choices)
    stage = django_filters.ModelChoiceFilter(label=_("Stage"), queryset=Stage.objects.all())
    owner = IdFilter(label=_("Owner"), field_name="owner_id")
    customer = IdFilter(label=_("Customer"), field_name="customer_id")
    source = django_filters.ModelChoiceFilter(
        label=_("Opportunity source"), queryset=dictionary_items("opportunity_source")
    )
    approval = django_filters.ChoiceFilter(
        label=_("Approval"), field_name="approval_status", choices=Opportunity.ApprovalStatus.choices
    )
    close_from = django_filters.DateFilter(label=_("Closing from"), field_name="expected_close_date", lookup_expr="gte")
    close_to = django_filters.DateFilter(label=_("Closing until"), field_name="expected_close_date", lookup_expr="lte")

    class Meta:
        model = Opportunity
        fields = ["q", "view", "status", "stage", "owner", "customer", "source", "approval", "close_from", "close_to"]

    def filter_search(self, queryset, name, value):
        text = " ".join(value.split())
        if not text:
            return queryset
        return queryset.filter(Q(name__icontains=text) | Q(number=text.upper()) | Q(customer__name__icontains=text))

    def filter_view(self, queryset, name, value):
        user = getattr(self.request, "user", None) if self.request is not None else None
        return apply_view(queryset, value, user)


SORTS = {
    "close": "expected_close_date",
    "amount": "amount",
    "created": "created_at",
}


def opportunities_for(user, tab: str = "mine"):
    """The opportunities of one list: "mine" (I own them or am on the team) or "all" (everything in my scope,
    opportunity management)."""
    base = Opportunity.objects.visible_to(user).select_related("customer", "owner", "stage")
    if tab == "mine":
        return base.filter(Q(owner=user) | Q(Opportunity.shared_with_q(user, "view")))
    return base


# --- one opportunity ----------------------------------------------------------------------------------
def stage_history(opportunity: Opportunity, now=None) -> list[dict]:
    now = now or timezone.now()
    return [
        {"row": row, "stage": row.stage, "days": row.days(now), "current": row.left_at is None}
        for row in StageHistory.objects.filter(opportunity=opportunity).select_related("stage", "entered_by")
    ]


def followups_of(opportunity: Opportunity):
    return (
        OpportunityFollowUp.objects.filter(opportunity=opportunity)
        .select_related("followup__author", "followup__contact", "moved_to", "moved_from", "reviewed_by")
        .order_by("-followup__happened_at", "-pk")
    )
