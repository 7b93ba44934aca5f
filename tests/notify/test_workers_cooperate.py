"""Scale-out: two `kehu worker` processes on one Redis queue and one database process every task exactly once."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from kehu.notify.models import Message
from tests.factories import UserFactory
from tests.notify.test_worker_process import database_url

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/15"
TASKS = 40


def redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not reachable on 127.0.0.1:6379 (CI starts it in .ci/run)")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    client.flushdb()
    return client


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_queue_without_double_processing(tmp_path):
    redis_or_skip()
    person = UserFactory(username="queue_target", name="队列")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEHU_", "DJANGO_SETTINGS"))}
    env.update({"KEHU_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url(), "REDIS_URL": REDIS_URL})
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "kehu", "worker", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        code = (
            "from kehu.notify.tasks import deliver_message\n"
            f"for n in range({TASKS}): deliver_message([{person.pk}], f'任务 {{n}}')"
        )
        producer = subprocess.run(
            [sys.executable, "-m", "kehu", "shell", "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert producer.returncode == 0, producer.stderr
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and Message.objects.filter(recipient=person).count() < TASKS:
            time.sleep(0.2)
        time.sleep(1)  # a double delivery would show up as an extra row
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.communicate(timeout=30)
    titles = sorted(Message.objects.filter(recipient=person).values_list("title", flat=True))
    assert titles == sorted(f"任务 {n}" for n in range(TASKS))
    connection.close()
