"""Scale-out: two separate `kehu` processes (as two app servers would be) approving the same any-one step at the
same moment against one database advance the flow exactly once.

No clock decides when they meet. Each process announces that its approval starts (a file) and then approves;
whichever takes the instance's lock first keeps it — its transaction open — until the other has announced its
start. So the second approval always begins while the first one's transaction is still open, however slowly
either process starts, and it must be refused as already handled once the first commits."""

import subprocess
import sys

import pytest

from kehu.approvals.models import FlowAction, FlowInstance
from kehu.customers import services as customers
from tests.approvals.helpers import approval, flow, holders, people, publish, task_of
from tests.support.processes import ROOT, kehu_env

pytestmark = pytest.mark.django_db(transaction=True)

APPROVE = """
import os
import time
from pathlib import Path

from kehu.approvals import routing, services
from kehu.org.models import User

meeting = Path({meeting!r})
started, other_started, holder = meeting / "started-{me}", meeting / "started-{other}", meeting / "holder"
take_lock = routing.locked_instance


def take_lock_and_wait_for_the_other(instance_id):
    instance = take_lock(instance_id)
    try:
        os.close(os.open(holder, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return instance  # the second to hold it: the first has committed
    while not other_started.exists():  # the first: keep the lock until the other approval has begun
        time.sleep(0.001)
    print("HELD")
    return instance


routing.locked_instance = take_lock_and_wait_for_the_other
user = User.objects.get(pk={user})
started.touch()
try:
    services.approve(user, {task}, "ok")
    print("APPROVED")
except services.TaskClosed:
    print("CLOSED")
"""


def test_two_app_processes_approving_at_once_advance_the_flow_once(org, tmp_path):
    graph = flow(
        {
            "n1": approval("经理或总监", people(org.manager, org.director), "n2"),
            "n2": approval("运营", people(org.admin)),
        }
    )
    publish(org.admin, graph, "customers.create")
    customer = customers.create_customer(org.rep, {"name": "多进程审批有限公司"})
    instance = FlowInstance.objects.get(object_id=customer.pk)
    env = kehu_env(tmp_path)
    meeting = tmp_path / "meeting"
    meeting.mkdir()
    approvers = (org.manager, org.director)
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kehu",
                "shell",
                "-c",
                APPROVE.format(meeting=str(meeting), me=i, other=1 - i, user=u.pk, task=task_of(u, instance).pk),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i, u in enumerate(approvers)
    ]
    try:
        outputs = [p.communicate(timeout=120)[0] for p in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    words = sorted(word for out in outputs for word in out.split() if word in ("APPROVED", "CLOSED", "HELD"))
    assert words == ["APPROVED", "CLOSED", "HELD"], outputs
    held = next(out for out in outputs if "HELD" in out)
    assert "APPROVED" in held, outputs  # the one that waited with the lock is the one that approved
    assert sorted(p.name for p in meeting.iterdir()) == ["holder", "started-0", "started-1"]
    assert FlowAction.objects.filter(instance=instance, kind="approve").count() == 1
    assert holders(instance) == ["admin"]
