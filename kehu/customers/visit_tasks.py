"""Background work of visits: remind reps of the visits they have planned (run by the Huey consumer)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kehu.customers.activities import remind_upcoming_visits

__all__ = ["remind_upcoming_visits_task"]


@db_periodic_task(crontab(minute="*/15"))
def remind_upcoming_visits_task() -> int:
    """Every 15 minutes: a message to each rep for their visits planned within the next two hours, once a visit."""
    return remind_upcoming_visits()
