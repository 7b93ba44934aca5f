"""Reviews (审阅) and carbon copies never hold the flow up, and reviews end with the flow. The document is
`tests.expense` (tests/scoped_app/models.py) unless a test says otherwise."""

import pytest

from kehu.approvals import services
from kehu.approvals.models import FlowInstance, FlowTask
from tests.approvals.helpers import approval, flow, holders, people, publish, submit, task_of

pytestmark = pytest.mark.django_db
State = FlowInstance.State


def test_review_and_carbon_copy_do_not_hold_the_flow_up(org):
    graph = flow(
        {
            "n1": {"type": "review", "name": "财务审阅", "approvers": people(org.everyone_viewer), "next": "c1"},
            "c1": {"type": "cc", "name": "抄送", "approvers": people(org.chosen_viewer), "next": "n2"},
            "n2": approval("经理", people(org.manager)),
        }
    )
    publish(org.admin, graph)
    instance = submit(org.rep)
    assert holders(instance) == ["manager"]
    review = FlowTask.objects.get(instance=instance, kind="review")
    cc = FlowTask.objects.get(instance=instance, kind="cc")
    assert (review.assignee, review.state, cc.assignee, cc.state) == (
        org.everyone_viewer,
        "open",
        org.chosen_viewer,
        "open",
    )
    services.approve(org.manager, task_of(org.manager, instance).pk)
    instance.refresh_from_db()
    assert instance.state == State.APPROVED
    services.acknowledge(org.everyone_viewer, review.pk, "已阅")
    review.refresh_from_db()
    assert (review.state, review.result) == ("done", "acknowledged")
    assert instance.actions.get(kind="acknowledge").comment == "已阅"


def test_reviews_end_with_a_rejection_and_are_not_duplicated_by_a_return(org):
    graph = flow(
        {
            "r1": {"type": "review", "name": "财务审阅", "approvers": people(org.everyone_viewer), "next": "n1"},
            "n1": approval("经理", people(org.manager), "n2"),
            "n2": approval("总监", people(org.director)),
        },
        start="r1",
    )
    publish(org.admin, graph)
    instance = submit(org.rep)
    services.approve(org.manager, task_of(org.manager, instance).pk)
    services.return_(org.director, task_of(org.director, instance).pk, "重来", "submitter")
    services.resubmit(org.rep, instance.pk)
    assert FlowTask.objects.filter(instance=instance, kind="review", state="open").count() == 1
    services.reject(org.manager, task_of(org.manager, instance).pk, "不行")
    assert FlowTask.objects.filter(instance=instance, kind="review", state="open").count() == 0
