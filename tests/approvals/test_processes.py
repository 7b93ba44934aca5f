"""Scale-out: two separate `kehu` processes (as two app servers would be) approving the same any-one step at the
same moment against one database advance the flow exactly once."""

import subprocess
import sys
import time

import pytest

from kehu.approvals.models import FlowAction, FlowInstance
from kehu.customers import services as customers
from tests.approvals.helpers import approval, flow, holders, people, publish, task_of
from tests.support.processes import ROOT, kehu_env

pytestmark = pytest.mark.django_db(transaction=True)

APPROVE = """
import time
from kehu.approvals import services
from kehu.org.models import User
user = User.objects.get(pk={user})
while time.time() < {at}:
    time.sleep(0.001)
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
    at = time.time() + 6  # both processes are up by then (Django starts in about a second)
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kehu",
                "shell",
                "-c",
                APPROVE.format(user=u.pk, task=task_of(u, instance).pk, at=at),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for u in (org.manager, org.director)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    results = sorted(line for out in outputs for line in out.split() if line in ("APPROVED", "CLOSED"))
    assert results == ["APPROVED", "CLOSED"], outputs
    assert FlowAction.objects.filter(instance=instance, kind="approve").count() == 1
    assert holders(instance) == ["admin"]
