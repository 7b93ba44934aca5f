"""Background work of core, run by the Huey consumer (`kehu worker`): import and export jobs of any resource."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kehu.core.filejobs import process_export, process_import, recover_stalled_jobs


@db_task()
def import_job_task(job_id: int, mode: str) -> None:
    process_import(job_id, mode)


@db_task()
def export_job_task(job_id: int) -> None:
    process_export(job_id)


@db_periodic_task(crontab(minute="*"))
def recover_stalled_jobs_task() -> None:
    """Every minute: jobs whose worker died are resumed or failed (`filejobs.recover_stalled_jobs`)."""
    recover_stalled_jobs()
