"""Import and export jobs: the steps a job goes through, run inline for small files and as Huey tasks for large
ones (`kehu worker`); the job row records the outcome, a small progress file the progress while it runs.

Progress cannot live on the job row while rows are written: the writing transaction would hide it until the
end (and on SQLite hold the only write lock). So a job reports progress to `<MEDIA_ROOT>/imports/<id>.progress`
(shared storage the worker writes anyway, since it reads the upload from there); the page polls it.
"""

import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from kehu.customers import exports, imports
from kehu.customers.models import ImportJob

logger = logging.getLogger(__name__)


def _progress_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"{job_id}.progress"


def report_progress(job_id: int, phase: str, done: int, of: int) -> None:
    path = _progress_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"phase": phase, "done": done, "of": of}))
    os.replace(temporary, path)


def read_progress(job: ImportJob) -> dict:
    """{"phase", "done", "of", "percent"} of a running job (from its progress file)."""
    try:
        data = json.loads(_progress_path(job.pk).read_text())
    except (OSError, ValueError):
        data = {"phase": job.status, "done": 0, "of": 0}
    of = data.get("of") or job.total or 0
    done = min(data.get("done") or 0, of) if of else data.get("done") or 0
    data.update(of=of, done=done, percent=int(done * 100 / of) if of else 0)
    return data


def _clear_progress(job_id: int) -> None:
    _progress_path(job_id).unlink(missing_ok=True)


def _language(job: ImportJob):
    return translation.override(job.created_by.language or settings.LANGUAGE_CODE)


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, message=message[:500], finished_at=timezone.now()
    )


def process_import(job_id: int, mode: str) -> None:
    """Check (mode "validate") or write (mode "all" / "valid_only") the job's file, recording the outcome."""
    job = ImportJob.objects.select_related("created_by", "owner").get(pk=job_id)
    phase = ImportJob.Status.VALIDATING if mode == "validate" else ImportJob.Status.WRITING
    ImportJob.objects.filter(pk=job.pk).update(status=phase, mode=mode)
    report_progress(job.pk, "validating", 0, job.total)
    with _language(job):
        try:
            with job.file.open("rb") as source:
                result = imports.run_import(
                    job.created_by,
                    source,
                    mode=mode,
                    owner=job.owner,
                    progress=lambda phase, done, of: report_progress(job.pk, phase, done, of or job.total),
                )
        except imports.ImportFileError as exc:
            _fail(job, str(exc))
            return
        except (PermissionDenied, ValidationError) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            _fail(job, message or _("You do not have permission to do this."))
            return
        except (DatabaseError, OSError):  # e.g. a concurrent import took the same credit code
            logger.exception("import job %s failed", job.pk)
            _fail(job, _("The import failed and nothing was written; check the file and try again."))
            return
        finally:
            _clear_progress(job.pk)
        report = imports.error_report(result) if result.invalid else None
    refused = mode == "all" and result.invalid
    job.status = ImportJob.Status.VALIDATED if mode == "validate" or refused else ImportJob.Status.DONE
    job.total, job.valid, job.invalid, job.created = result.total, result.valid, result.invalid, result.created
    job.processed = result.total
    job.errors = [e.as_dict() for e in result.errors[: imports.MAX_STORED_ERRORS]]
    job.finished_at = timezone.now() if job.status == ImportJob.Status.DONE else None
    if report is not None:
        if job.error_report:
            job.error_report.delete(save=False)
        job.error_report.save(f"{job.pk}-errors.xlsx", ContentFile(report), save=False)
    job.save()


def process_export(job_id: int) -> None:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.WRITING)
    params = QueryDict(job.params.get("query", ""))
    with _language(job):
        try:
            queryset = exports.export_queryset(job.created_by, params, job.params.get("scope", "mine"))
            path = Path(settings.MEDIA_ROOT) / "exports" / f"{job.pk}.xlsx"
            path.parent.mkdir(parents=True, exist_ok=True)
            count = exports.write_export(
                queryset, str(path), progress=lambda done: report_progress(job.pk, "writing", done, job.total)
            )
        except PermissionDenied as exc:
            _fail(job, str(exc) or _("You do not have permission to do this."))
            return
        finally:
            _clear_progress(job.pk)
    job.result.name = f"exports/{job.pk}.xlsx"
    job.status, job.total, job.processed, job.finished_at = ImportJob.Status.DONE, count, count, timezone.now()
    job.save()


@db_task()
def import_job_task(job_id: int, mode: str) -> None:
    process_import(job_id, mode)


@db_task()
def export_job_task(job_id: int) -> None:
    process_export(job_id)
