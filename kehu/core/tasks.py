"""Background work of core, run by the Huey consumer (`kehu worker`): import and export jobs of any resource."""

from huey.contrib.djhuey import db_task

from kehu.core.filejobs import process_export, process_import


@db_task()
def import_job_task(job_id: int, mode: str) -> None:
    process_import(job_id, mode)


@db_task()
def export_job_task(job_id: int) -> None:
    process_export(job_id)
