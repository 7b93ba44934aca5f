"""Background jobs survive their worker's death: a job whose process is gone (a real `kehu worker` killed with
SIGKILL mid-job) is resumed — or, after too many deaths, failed with a message — instead of showing "Checking…"
forever; `kehu serve` starts a dead worker again and keeps serving."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from kehu.core import filejobs
from kehu.core.models import FileJob
from tests.customers.test_import_helpers import workbook
from tests.support.processes import ROOT, kehu_env, run_in_shell, start_worker, stop

ROWS = 3000


def wait_until(condition, seconds=120, every=0.2, explain=lambda: ""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"the condition did not come true {explain()}")


def progress(job_pk, media) -> dict:
    try:
        return json.loads((media / "imports" / f"{job_pk}.progress").read_text())
    except (OSError, ValueError):
        return {}


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_worker_was_killed_is_resumed_by_a_new_worker(tmp_path, org, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    env = kehu_env(tmp_path)
    source = tmp_path / "big.xlsx"
    source.write_bytes(workbook([{"name": f"恢复测试{n}有限公司"} for n in range(ROWS)]))
    started = run_in_shell(  # queued while no worker runs: the worker below takes it as it starts
        env,
        "from django.core.files import File; from kehu.core import filejobs; from kehu.org.models import User;"
        f"job = filejobs.start_import(User.objects.get(pk={org.admin.pk}), 'customers',"
        f" File(open({str(source)!r}, 'rb'), name='big.xlsx')); print(job.pk)",
    )
    assert started.returncode == 0, started.stderr
    job_pk = int(started.stdout.strip().splitlines()[-1])
    assert FileJob.objects.get(pk=job_pk).status == FileJob.Status.QUEUED
    worker = start_worker(env)
    try:
        media = tmp_path / "media"
        running = wait_until(
            lambda: (p := progress(job_pk, media)) and p.get("pid") == worker.pid and p,
            every=0.05,
            explain=lambda: (FileJob.objects.filter(pk=job_pk).values_list("status", "total").first(), worker.poll()),
        )
        assert running["host"] == socket.gethostname()
        worker.send_signal(signal.SIGKILL)  # the worker dies mid-job: no clean-up of any kind runs
        worker.wait(timeout=30)
    finally:
        stop(worker)
    job = FileJob.objects.get(pk=job_pk)
    assert job.status == FileJob.Status.VALIDATING  # what the page showed forever before
    assert not filejobs.worker_alive(job)
    recovered = run_in_shell(env, "from kehu.core import filejobs; print(filejobs.recover_stalled_jobs())")
    assert recovered.returncode == 0, recovered.stderr
    assert recovered.stdout.strip().splitlines()[-1] == f"[{job_pk}]"
    job.refresh_from_db()
    assert (job.status, job.params["attempts"]) == (FileJob.Status.QUEUED, 1)
    assert job.message == "后台任务进程已停止，任务已重新开始。"
    second = start_worker(env)
    try:
        wait_until(lambda: FileJob.objects.get(pk=job_pk).status == FileJob.Status.VALIDATED, seconds=300)
    finally:
        stop(second)
    job.refresh_from_db()
    assert (job.total, job.valid, job.invalid) == (ROWS, ROWS, 0)


@pytest.mark.django_db
def test_an_interrupted_write_goes_back_to_checked_and_repeated_deaths_fail_the_job(tmp_path, org, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    dead = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead.send_signal(signal.SIGKILL)
    dead.wait()
    job = FileJob.objects.create(created_by=org.admin, status=FileJob.Status.WRITING, mode="all", total=10, valid=10)
    filejobs.report_progress(job.pk, "writing", 3, 10)
    path = tmp_path / "media" / "imports" / f"{job.pk}.progress"
    path.write_text(json.dumps({**json.loads(path.read_text()), "pid": dead.pid}))
    page = filejobs.get_job_for_user(org.admin, job.pk)  # the job's page notices at once
    assert (page.status, page.message) == (
        FileJob.Status.VALIDATED,
        "后台任务进程在写入时停止：未写入任何数据。请重新写入。",
    )
    FileJob.objects.filter(pk=job.pk).update(status=FileJob.Status.WRITING, params={"attempts": 2})
    assert filejobs.recover_stalled_jobs() == [job.pk]  # no progress file at all: its process is gone
    job.refresh_from_db()
    assert job.status == FileJob.Status.FAILED and job.finished_at is not None
    assert job.message == "后台任务进程在运行此任务时已停止 3 次，任务已放弃。"


@pytest.mark.django_db
def test_a_job_with_a_live_worker_is_left_alone_and_a_silent_one_is_stale(tmp_path, org, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    job = FileJob.objects.create(created_by=org.admin, status=FileJob.Status.VALIDATING, total=10)
    filejobs.report_progress(job.pk, "validating", 1, 10)  # this process: alive
    assert filejobs.worker_alive(job)
    assert filejobs.recover_stalled_jobs() == []
    path = tmp_path / "media" / "imports" / f"{job.pk}.progress"
    path.write_text(json.dumps({"phase": "validating", "done": 1, "of": 10, "pid": 1, "host": "another-machine"}))
    assert filejobs.worker_alive(job, now=path.stat().st_mtime + filejobs.STALE_AFTER - 1)
    assert not filejobs.worker_alive(job, now=path.stat().st_mtime + filejobs.STALE_AFTER + 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_kehu_serve_starts_a_killed_worker_again_and_keeps_serving(tmp_path):
    port = _free_port()
    env = kehu_env(tmp_path, KEHU_PORT=str(port), KEHU_WEB_WORKERS="1")
    serve = subprocess.Popen(
        [sys.executable, "-m", "kehu", "serve"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        login = f"http://127.0.0.1:{port}/login/"
        wait_until(lambda: _answers(login), seconds=120)

        def workers():
            out = subprocess.run(["pgrep", "-P", str(serve.pid), "-f", "kehu worker"], capture_output=True, text=True)
            return [int(pid) for pid in out.stdout.split()]

        [first] = wait_until(workers)
        os.kill(first, signal.SIGKILL)
        [second] = wait_until(lambda: [p for p in workers() if p != first])
        assert second != first
        assert serve.poll() is None
        assert _answers(login)
    finally:
        serve.send_signal(signal.SIGTERM)
        output = serve.communicate(timeout=60)[0].decode()
    assert "the background worker stopped (exit code -9); starting it again." in output


def _answers(url) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False
