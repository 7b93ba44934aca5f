"""The customers app's metrics for sales targets (kehu.core.metrics): new customers, follow-ups, visits."""

from datetime import date, datetime, time

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.metrics import Metric, Monthly, grouped, register
from kehu.customers.models import Customer, FollowUp, Visit


def local_start(day: date) -> datetime:
    """Midnight at the start of `day` in the configured time zone: period bounds of datetime fields."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _count_by_month(queryset, person: str, moment: str, user_ids, start: date, end: date) -> Monthly:
    rows = (
        queryset.filter(**{f"{person}_id__in": user_ids, f"{moment}__gte": local_start(start)})
        .filter(**{f"{moment}__lt": local_start(end)})
        .annotate(month=TruncMonth(moment))
        .values_list(f"{person}_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return grouped(rows)


def new_customers(user_ids, start, end) -> Monthly:
    """Customers created in the period, credited to their owner (active ones: drafts, pending and merged away
    do not count; customers in the public pool have no owner)."""
    active = Customer.objects.filter(status=Customer.Status.ACTIVE)
    return _count_by_month(active, "owner", "created_at", user_ids, start, end)


def follow_ups(user_ids, start, end) -> Monthly:
    """Follow-ups that happened in the period, credited to their author."""
    return _count_by_month(FollowUp.objects.all(), "author", "happened_at", user_ids, start, end)


def visits(user_ids, start, end) -> Monthly:
    """Visits checked in during the period (checked in or done), credited to the visitor; planned and cancelled
    visits were never checked in and do not count."""
    done = Visit.objects.filter(checked_in_at__isnull=False)
    return _count_by_month(done, "visitor", "checked_in_at", user_ids, start, end)


register(Metric("customers.new_customers", _("New customers"), "count", new_customers, order=30))
register(Metric("customers.follow_ups", pgettext_lazy("metric", "Follow-ups"), "count", follow_ups, order=40))
register(Metric("customers.visits", pgettext_lazy("metric", "Visits"), "count", visits, order=50))
