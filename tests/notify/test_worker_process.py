"""A real Huey consumer (`kehu worker`) picks up a task queued by another process and writes to the database."""

import time

import pytest

from kehu.notify.models import Message
from tests.factories import UserFactory
from tests.support.processes import kehu_env, run_in_shell, start_worker, stop


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_task_queued_by_another_process(tmp_path):
    person = UserFactory(username="worker_target", name="后台")
    env = kehu_env(tmp_path)
    worker = start_worker(env)
    try:
        producer = run_in_shell(
            env, f"from kehu.notify.tasks import deliver_message; deliver_message([{person.pk}], '来自后台任务')"
        )
        assert producer.returncode == 0, producer.stderr
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Message.objects.filter(recipient=person).exists():
            time.sleep(0.2)
        assert list(Message.objects.filter(recipient=person).values_list("title", flat=True)) == ["来自后台任务"]
    finally:
        output = stop(worker)
    assert "kehu.notify.tasks.deliver_message" in output
