"""Background work of the customers module, run by the Huey consumer (`kehu worker`)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kehu.customers import pool, pool_rules


def _utc_crontab(local):
    """Huey schedules in UTC: the crontab for `local` (a time of day in TIME_ZONE), e.g. 01:30 in Asia/Shanghai →
    17:30 UTC. The offset is taken when the worker starts (time zones with summer time shift by an hour)."""
    offset = datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset()
    moment = datetime.combine(date(2000, 1, 2), local) - offset
    return crontab(hour=str(moment.hour), minute=str(moment.minute))


@db_periodic_task(_utc_crontab(pool_rules.RUN_AT))
def return_idle_customers_to_pool() -> dict:
    """Nightly: customers idle past their level's rule go back to the public pool; owners of customers in the
    warning window are warned (once per due date). Safe to run twice or on two workers at once."""
    returned = pool.auto_return()
    warned = pool.warn_upcoming_returns()
    return {"returned": len(returned), "warned": warned}


from kehu.customers.visit_tasks import remind_upcoming_visits_task  # noqa: E402, F401  (visits: reminders)
