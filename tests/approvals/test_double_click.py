"""A double click on approve advances the flow once and tells who handled it. The document is `tests.expense`
(tests/scoped_app/models.py) unless a test says otherwise."""

import pytest

from kehu.approvals import services
from kehu.approvals.models import FlowTask
from tests.approvals.helpers import approval, flow, people, publish, submit, task_of

pytestmark = pytest.mark.django_db


def test_a_double_click_advances_the_flow_once(org):
    graph = flow({"n1": approval("经理", people(org.manager), "n2"), "n2": approval("总监", people(org.director))})
    publish(org.admin, graph)
    instance = submit(org.rep)
    task = task_of(org.manager, instance)
    services.approve(org.manager, task.pk)
    with pytest.raises(services.TaskClosed) as closed:
        services.approve(org.manager, task.pk)
    assert closed.value.messages[0].startswith(f"已经处理过了：{org.manager.display_name} — 同意，于 ")
    assert FlowTask.objects.filter(instance=instance, assignee=org.director).count() == 1
    assert instance.actions.filter(kind="approve").count() == 1
