"""Background work of opportunities, run by the Huey consumer (`kehu worker`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kehu.sales import services


@db_periodic_task(crontab(minute="15"))
def warn_stalled_opportunities() -> dict:
    """Hourly: open opportunities past their stage's rotting threshold get their "stalled" warning (once)."""
    return {"warned": services.warn_stalled()}
