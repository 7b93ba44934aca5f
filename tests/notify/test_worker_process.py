"""A real Huey consumer (`kehu worker`) picks up a task queued by another process and writes to the database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from kehu.notify.models import Message
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_task_queued_by_another_process(tmp_path):
    person = UserFactory(username="worker_target", name="后台")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEHU_", "REDIS_URL", "DJANGO_SETTINGS"))}
    env.update({"KEHU_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url(), "PYTHONPATH": str(ROOT)})
    worker = subprocess.Popen(
        [sys.executable, "-m", "kehu", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        code = f"from kehu.notify.tasks import deliver_message; deliver_message([{person.pk}], '来自后台任务')"
        producer = subprocess.run(
            [sys.executable, "-m", "kehu", "shell", "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert producer.returncode == 0, producer.stderr
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Message.objects.filter(recipient=person).exists():
            time.sleep(0.2)
        assert list(Message.objects.filter(recipient=person).values_list("title", flat=True)) == ["来自后台任务"]
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert "kehu.notify.tasks.deliver_message" in output
