"""Withdrawing: only the submitter, and only while no approver has acted. The document is `tests.expense`
(tests/scoped_app/models.py) unless a test says otherwise."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from kehu.approvals import services
from kehu.approvals.models import FlowInstance
from tests.approvals.helpers import approval, flow, holders, people, publish, status, submit, task_of

pytestmark = pytest.mark.django_db
State = FlowInstance.State


def test_withdraw_only_by_the_submitter_and_only_while_nobody_acted(org):
    graph = flow({"n1": approval("经理", people(org.manager), "n2"), "n2": approval("总监", people(org.director))})
    publish(org.admin, graph)
    first = submit(org.rep)
    with pytest.raises(Http404):
        services.withdraw(org.manager, first.pk)
    services.withdraw(org.rep, first.pk, "写错了")
    first.refresh_from_db()
    assert (first.state, status(first), holders(first)) == (State.WITHDRAWN, "draft", [])
    second = submit(org.rep)
    services.approve(org.manager, task_of(org.manager, second).pk)
    with pytest.raises(ValidationError) as refused:
        services.withdraw(org.rep, second.pk)
    assert refused.value.messages == ["已经有审批人处理过，不能再撤回。"]
