"""The opportunity metrics of sales targets: new opportunities and won amount (declared here, not in the
opportunities app, because only targets read them). Both count only opportunities that count (`counting()`:
approved, or created where no approval was needed)."""

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from kehu.core.metrics import Metric, Monthly, grouped, register
from kehu.customers.metrics import local_start
from kehu.sales.models import Opportunity
from kehu.sales.targets.arithmetic import weighted_total

WON_AMOUNT = "sales.won_amount"
NEW_OPPORTUNITIES = "sales.new_opportunities"


def new_opportunities(user_ids, start, end) -> Monthly:
    """Opportunities created in the period, credited to their owner."""
    rows = (
        Opportunity.objects.counting()
        .filter(owner_id__in=user_ids, created_at__gte=local_start(start), created_at__lt=local_start(end))
        .annotate(month=TruncMonth("created_at"))
        .values_list("owner_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return grouped(rows)


def won_amount(user_ids, start, end) -> Monthly:
    """The won amount of opportunities won in the period (their `closed_on`), credited to their owner."""
    rows = (
        Opportunity.objects.counting()
        .won()
        .filter(owner_id__in=user_ids, closed_on__gte=start, closed_on__lt=end)
        .annotate(month=TruncMonth("closed_on"))
        .values_list("owner_id", "month")
        .annotate(total=Sum("won_amount"))
        .order_by()
    )
    return grouped(rows)


def open_pipeline_rows(queryset, start, end):
    """(owner, month of expected close, stage probability, sum of amounts) of the open counting opportunities of
    `queryset` expected to close in [start, end): grouped by stage so weighting stays exact (see weighted_total)."""
    return (
        queryset.counting()
        .open()
        .filter(expected_close_date__gte=start, expected_close_date__lt=end)
        .annotate(month=TruncMonth("expected_close_date"))
        .values_list("owner_id", "month", "stage__probability")
        .annotate(total=Sum("amount"))
        .order_by()
    )


def weighted_pipeline(user_ids, start, end) -> Monthly:
    """The weighted open pipeline expected to close in each month, per owner: Σ amount × stage probability."""
    sums: dict = {}
    for owner_id, month, probability, total in open_pipeline_rows(
        Opportunity.objects.filter(owner_id__in=user_ids), start, end
    ):
        sums.setdefault((owner_id, month), []).append((total or 0, probability))
    return grouped((owner, month, weighted_total(parts)) for (owner, month), parts in sums.items())


register(Metric(WON_AMOUNT, _("Won amount"), "money", won_amount, order=10, pipeline=weighted_pipeline))
register(Metric(NEW_OPPORTUNITIES, _("New opportunities"), "count", new_opportunities, order=20))
