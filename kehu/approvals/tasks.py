"""Background work of the approval engine (`kehu worker`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kehu.approvals import services


@db_periodic_task(crontab(minute="*/15"))
def approval_timeouts() -> dict:
    """Every 15 minutes: remind or escalate approval tasks past their step's time-out."""
    return services.handle_timeouts()
