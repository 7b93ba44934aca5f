"""Import and export jobs of any resource (`FileJob`): created and advanced by the services here, run inline for
small files and as Huey tasks for large ones (`kehu worker`, `kehu.core.tasks`); the job row records the outcome,
a small progress file the progress while it runs.

Progress cannot live on the job row while rows are written: the writing transaction would hide it until the
end (and on SQLite hold the only write lock). So a job reports progress to `<MEDIA_ROOT>/imports/<id>.progress`
(shared storage the worker writes anyway, since it reads the upload from there); the page polls it.

Importers are the `kehu.core.importing.Importer` classes registered per resource; exporters register here
(`register_exporter`): a function `(job, path, progress) -> rows written`.
"""

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kehu.core import importing
from kehu.core.models import FileJob
from kehu.core.xlsx import count_rows

logger = logging.getLogger(__name__)

Exporter = Callable[[FileJob, str, Callable[[int], None]], int]
_exporters: dict[str, Exporter] = {}


def register_exporter(resource: str, exporter: Exporter) -> None:
    _exporters[resource] = exporter


# --- progress -----------------------------------------------------------------------------------
def _progress_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"{job_id}.progress"


def report_progress(job_id: int, phase: str, done: int, of: int) -> None:
    """Write the job's progress, with the process that runs it (its heartbeat: see `worker_alive`)."""
    path = _progress_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    data = {"phase": phase, "done": done, "of": of, "pid": os.getpid(), "host": socket.gethostname()}
    temporary.write_text(json.dumps(data))
    os.replace(temporary, path)


# --- heartbeat and recovery ---------------------------------------------------------------------
HEARTBEAT_SECONDS = 5  # a running job's progress file is touched this often, progress or not
STALE_AFTER = 60  # seconds without a heartbeat: the process running the job is gone (another machine's, too)
MAX_ATTEMPTS = 3  # a job whose worker died this often is failed instead of resumed again
RUNNING = (FileJob.Status.VALIDATING, FileJob.Status.WRITING)


@contextmanager
def heartbeat(job_id: int):
    """While the block runs, touch the job's progress file every HEARTBEAT_SECONDS (a long step between two
    progress reports still shows the job alive)."""
    stop = threading.Event()

    def beat():
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                os.utime(_progress_path(job_id))
            except OSError:
                pass

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def worker_alive(job: FileJob, now: float | None = None) -> bool:
    """Whether the process running `job` is still there: on this machine its process id answers; anywhere, its
    heartbeat is younger than STALE_AFTER. A running job without a progress file has lost its process."""
    path = _progress_path(job.pk)
    try:
        data = json.loads(path.read_text())
        touched = path.stat().st_mtime
    except (OSError, ValueError):
        return False
    if data.get("host") == socket.gethostname() and data.get("pid"):
        try:
            os.kill(int(data["pid"]), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # somebody else's process of that id: decide by the heartbeat
    return (now or time.time()) - touched < STALE_AFTER


def recover(job: FileJob) -> bool:
    """A running job whose process died: validation and exports are resumed (queued again: they write nothing but
    their outcome); an interrupted write — one transaction, so nothing of it was written — goes back to "checked"
    with a message, for the user to write again. After MAX_ATTEMPTS the job fails with a message. Returns whether
    this call recovered it (several pollers may try at once: one wins)."""
    attempts = int(job.params.get("attempts", 0)) + 1
    params = {**job.params, "attempts": attempts}
    with _language(job):
        if attempts >= MAX_ATTEMPTS:
            status = FileJob.Status.FAILED
            message = _("The background worker stopped while running this job, %(n)d times; it was given up.") % {
                "n": attempts
            }
        elif job.kind == FileJob.Kind.IMPORT and job.status == FileJob.Status.WRITING:
            status = FileJob.Status.VALIDATED
            message = _("The background worker stopped while writing: nothing was written. Write the rows again.")
        else:
            status = FileJob.Status.QUEUED
            message = _("The background worker stopped; the job was started again.")
    updated = FileJob.objects.filter(pk=job.pk, status=job.status).update(
        status=status,
        message=message[:500],
        params=params,
        finished_at=timezone.now() if status == FileJob.Status.FAILED else None,
    )
    if not updated:
        return False
    _clear_progress(job.pk)
    logger.warning("file job %s: its worker died; %s", job.pk, status)
    if status == FileJob.Status.QUEUED:
        job.refresh_from_db()
        if job.kind == FileJob.Kind.EXPORT:
            from kehu.core.tasks import export_job_task

            export_job_task(job.pk)
        else:
            _run_import(job, "validate")
    return True


def recover_stalled_jobs() -> list[int]:
    """Recover every running job whose process is gone (the worker's periodic task, and any job page asks)."""
    return [job.pk for job in FileJob.objects.filter(status__in=RUNNING) if not worker_alive(job) and recover(job)]


def read_progress(job: FileJob) -> dict:
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


def _language(job: FileJob):
    """The language of the request that started (or last advanced) the job, so row errors and the error report
    are in the language the person is using now, not the one saved on their profile."""
    return translation.override(job.params.get("language") or job.created_by.language or settings.LANGUAGE_CODE)


def _request_language() -> str | None:
    return translation.get_language()


def _fail(job: FileJob, message: str) -> None:
    FileJob.objects.filter(pk=job.pk).update(
        status=FileJob.Status.FAILED, message=message[:500], finished_at=timezone.now()
    )
    _clear_progress(job.pk)


# --- reading jobs -------------------------------------------------------------------------------
def get_job_for_user(user, pk, kind: str | None = None) -> FileJob:
    """The user's own job, or 404 (another person's job, or one of another kind, is not found)."""
    job = FileJob.objects.filter(pk=pk, created_by=user).select_related("owner").first()
    if job is None or (kind and job.kind != kind):
        raise Http404
    if job.status in RUNNING and not worker_alive(job) and recover(job):  # its page shows the recovery at once
        job.refresh_from_db()
    return job


def recent_imports(user, resource: str, limit: int = 5):
    return FileJob.objects.filter(created_by=user, kind=FileJob.Kind.IMPORT, resource=resource)[:limit]


# --- services -----------------------------------------------------------------------------------
def start_import(actor, resource: str, upload, *, owner=None) -> FileJob:
    """Store the upload as a new import job of `resource` and check every row (nothing is written yet): in the
    request for small files, as a background task for those above `importing.BACKGROUND_ROWS` rows. Raises
    PermissionDenied / ValidationError when the importer may not import (the importer's `check`)."""
    importer = importing.importer_for(resource)(actor, owner=owner)
    importer.check()
    rows = count_rows(upload)
    job = FileJob(
        kind=FileJob.Kind.IMPORT,
        resource=resource,
        created_by=actor,
        owner=getattr(importer, "owner", owner),
        file_name=upload.name[:200],
        total=rows or 0,
        background=rows is None or rows > importing.BACKGROUND_ROWS,
        params={"language": _request_language()},
    )
    job.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    job.save()
    _run_import(job, "validate")
    return job


def write_import(actor, job_id: int, mode: str) -> bool:
    """Step 2 of a checked import: write all rows ("all", only when none has an error) or only the valid
    ones ("valid_only"). Only the job's creator (404 for anyone else). Returns False (nothing started) when
    the job is not checked, the mode is unknown or "all" is asked of a file with errors."""
    job = get_job_for_user(actor, job_id, FileJob.Kind.IMPORT)
    if job.status != FileJob.Status.VALIDATED or mode not in {"all", "valid_only"}:
        return False
    if mode == "all" and job.invalid:
        return False
    if not FileJob.objects.filter(pk=job.pk, status=FileJob.Status.VALIDATED).update(
        status=FileJob.Status.QUEUED, mode=mode, params={**job.params, "language": _request_language()}
    ):
        return False  # a double submit: the first one runs
    job.refresh_from_db()
    _run_import(job, mode)
    return True


def start_export(actor, resource: str, params: dict, total: int) -> FileJob:
    """A background export of `resource` with the list parameters `params` (the exporter re-checks access)."""
    job = FileJob.objects.create(
        kind=FileJob.Kind.EXPORT,
        resource=resource,
        created_by=actor,
        params={**params, "language": _request_language()},
        total=total,
        background=True,
    )
    from kehu.core.tasks import export_job_task

    export_job_task(job.pk)
    return job


def _run_import(job: FileJob, mode: str) -> None:
    if job.background:
        from kehu.core.tasks import import_job_task

        import_job_task(job.pk, mode)
    else:
        process_import(job.pk, mode)


# --- the work (inline or in the worker) -----------------------------------------------------------
def process_import(job_id: int, mode: str) -> None:
    """Check (mode "validate") or write (mode "all" / "valid_only") the job's file, recording the outcome."""
    job = FileJob.objects.select_related("created_by", "owner").get(pk=job_id)
    phase = FileJob.Status.VALIDATING if mode == "validate" else FileJob.Status.WRITING
    report_progress(job.pk, "validating", 0, job.total)  # first: a running job always has its heartbeat
    FileJob.objects.filter(pk=job.pk).update(status=phase, mode=mode)
    importer = importing.importer_for(job.resource)(job.created_by, owner=job.owner)
    with _language(job), heartbeat(job.pk):
        try:
            with job.file.open("rb") as source:
                result = importer.run(
                    source,
                    mode=mode,
                    progress=lambda phase, done, of: report_progress(job.pk, phase, done, of or job.total),
                )
        except importing.ImportFileError as exc:
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
        report = importer.error_report(result) if result.invalid else None
    refused = mode == "all" and result.invalid
    job.status = FileJob.Status.VALIDATED if mode == "validate" or refused else FileJob.Status.DONE
    job.total, job.valid, job.invalid, job.created = result.total, result.valid, result.invalid, result.created
    job.processed = result.total
    job.errors = [e.as_dict() for e in result.errors[: importing.MAX_STORED_ERRORS]]
    job.finished_at = timezone.now() if job.status == FileJob.Status.DONE else None
    if report is not None:
        if job.error_report:
            job.error_report.delete(save=False)
        job.error_report.save(f"{job.pk}-errors.xlsx", ContentFile(report), save=False)
    job.save()
    _clear_progress(job.pk)  # after the outcome is saved: a job is never "running" without its heartbeat


def process_export(job_id: int) -> None:
    job = FileJob.objects.select_related("created_by").get(pk=job_id)
    report_progress(job.pk, "writing", 0, job.total)
    FileJob.objects.filter(pk=job.pk).update(status=FileJob.Status.WRITING)
    with _language(job), heartbeat(job.pk):
        try:
            path = Path(settings.MEDIA_ROOT) / "exports" / f"{job.pk}.xlsx"
            path.parent.mkdir(parents=True, exist_ok=True)
            count = _exporters[job.resource](
                job, str(path), lambda done: report_progress(job.pk, "writing", done, job.total)
            )
        except PermissionDenied as exc:
            _fail(job, str(exc) or _("You do not have permission to do this."))
            return
    job.result.name = f"exports/{job.pk}.xlsx"
    job.status, job.total, job.processed, job.finished_at = FileJob.Status.DONE, count, count, timezone.now()
    job.save()
    _clear_progress(job.pk)
