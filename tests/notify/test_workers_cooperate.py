"""Scale-out: two `kehu worker` processes on one Redis queue and one database process every task exactly once."""

import os
import time

import pytest
from django.db import connection

from kehu.notify.models import Message
from tests.factories import UserFactory
from tests.support.processes import kehu_env, run_in_shell, start_worker, stop

REDIS_URL = "redis://127.0.0.1:6379/15"
TASKS = 40


def redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("KEHU_REDIS") == "required" or os.environ.get("CI"):
            pytest.fail("KEHU_REDIS=required but Redis is not reachable on 127.0.0.1:6379 (.ci/run starts it)")
        pytest.skip(
            "Redis is not running on 127.0.0.1:6379: the two-workers-on-one-queue test needs it "
            "(start redis-server, or set KEHU_REDIS=required to make this a failure)"
        )
    client.flushdb()
    return client


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_queue_without_double_processing(tmp_path):
    redis_or_skip()
    person = UserFactory(username="queue_target", name="队列")
    env = kehu_env(tmp_path, REDIS_URL=REDIS_URL)
    workers = [start_worker(env, threads=2) for _ in range(2)]
    try:
        producer = run_in_shell(
            env,
            f"from kehu.notify.tasks import deliver_message\nfor n in range({TASKS}): "
            f"deliver_message([{person.pk}], f'任务 {{n}}')",
        )
        assert producer.returncode == 0, producer.stderr
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and Message.objects.filter(recipient=person).count() < TASKS:
            time.sleep(0.2)
        time.sleep(1)  # a double delivery would show up as an extra row
    finally:
        for worker in workers:
            stop(worker)
    titles = sorted(Message.objects.filter(recipient=person).values_list("title", flat=True))
    assert titles == sorted(f"任务 {n}" for n in range(TASKS))
    connection.close()
