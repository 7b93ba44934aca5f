"""Scale-out: two `kehu worker` processes on one Redis queue and one database process every task exactly once,
and both take part.

No clock decides anything: the workers are started and the test waits until both sit blocked on the queue (a
count of Redis clients in BRPOP). Redis hands a pushed task to the client that has waited longest, so with both
waiting before the first push each worker must take some of the tasks. After the last message is written the
workers are stopped gracefully (they finish what they hold), so every execution is in their logs and the
database: each task id ran once, in one worker, and wrote one message.
"""

import os
import re
import time

import pytest
from django.db import connection

from kehu.notify.models import Message
from tests.factories import UserFactory
from tests.support.processes import kehu_env, run_in_shell, start_worker, stop

REDIS_DB = 15
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
QUEUE = "huey.redis.kehu"
TASKS = 40
WORKERS = 2
GIVE_UP_AFTER = 90  # seconds: only ever turns a hang into a failure, never decides a pass
# Huey's own log line (the consumer also echoes each record unformatted; that copy is not counted).
EXECUTED = re.compile(r"INFO:huey:Worker-\d+:Executing kehu\.notify\.tasks\.deliver_message: ([0-9a-f-]{36})")


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


def consumers_waiting(client) -> int:
    """Worker threads blocked on this database's queue right now."""
    return sum(1 for c in client.client_list() if c["cmd"] == "brpop" and int(c["db"]) == REDIS_DB)


def wait_for(condition, what: str):
    deadline = time.monotonic() + GIVE_UP_AFTER
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_queue_without_double_processing(tmp_path):
    client = redis_or_skip()
    person = UserFactory(username="queue_target", name="队列")
    env = kehu_env(tmp_path, REDIS_URL=REDIS_URL)
    workers = [start_worker(env, threads=1) for _ in range(WORKERS)]
    logs = []
    try:
        wait_for(lambda: consumers_waiting(client) == WORKERS, "both workers to wait on the queue")
        producer = run_in_shell(
            env,
            f"from kehu.notify.tasks import deliver_message\nfor n in range({TASKS}): "
            f"deliver_message([{person.pk}], f'任务 {{n}}')",
        )
        assert producer.returncode == 0, producer.stderr
        wait_for(lambda: Message.objects.filter(recipient=person).count() >= TASKS, f"{TASKS} messages")
    finally:
        logs = [stop(worker, graceful=True) for worker in workers]
    executed = [EXECUTED.findall(log) for log in logs]
    every_run = [task_id for runs in executed for task_id in runs]
    assert len(every_run) == TASKS and len(set(every_run)) == TASKS  # each task ran exactly once
    assert all(runs for runs in executed), [len(runs) for runs in executed]  # both workers took tasks
    assert client.llen(QUEUE) == 0
    titles = sorted(Message.objects.filter(recipient=person).values_list("title", flat=True))
    assert titles == sorted(f"任务 {n}" for n in range(TASKS))
    connection.close()
