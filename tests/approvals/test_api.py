"""The approvals REST API: to-dos, acting (409 when already handled), the trail, flows with node-pointed
problems, delegations, and 404 for outsiders."""

import pytest
from rest_framework.test import APIClient

from kehu.approvals.models import FlowInstance
from tests.approvals.helpers import approval, flow, people, publish, submit, task_of

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_todo_act_and_trail(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager), editable_fields=["amount"])}))
    instance = submit(org.rep, "300")
    todo = api(org.manager).get("/api/approval-tasks/").json()
    assert [(t["instance"], t["node_name"], t["kind"]) for t in todo["results"]] == [(instance.pk, "经理", "approval")]
    task_id = todo["results"][0]["id"]
    response = api(org.manager).post(
        f"/api/approval-tasks/{task_id}/act/",
        {"action": "approve", "comment": "好", "changes": {"amount": "280"}},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["form"]["amount"], body["trail_intact"]) == ("approved", "280", True)
    assert [(a["kind"], a["actor"]) for a in body["trail"]] == [
        ("submit", org.rep.display_name),
        ("approve", org.manager.display_name),
        ("finish", None),
    ]
    assert body["trail"][1]["changes"] == [
        {
            "field": "amount",
            "label": "Amount",
            "before": "300.00",
            "after": "280",
            "before_value": "300.00",
            "after_value": "280",
        }
    ]
    again = api(org.manager).post(f"/api/approval-tasks/{task_id}/act/", {"action": "approve"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "task_closed"
    done = api(org.manager).get("/api/approval-tasks/?box=done").json()
    assert [t["result"] for t in done["results"]] == ["approved"]
    mine = api(org.rep).get("/api/approvals/").json()
    assert [(i["id"], i["state"]) for i in mine["results"]] == [(instance.pk, "approved")]
    assert [i["id"] for i in api(org.manager).get("/api/approvals/?box=involved").json()["results"]] == [instance.pk]
    assert api(org.manager).get("/api/approvals/").json()["results"] == []  # submitted nothing himself
    assert [i["id"] for i in api(org.admin).get("/api/approvals/?box=all").json()["results"]] == [instance.pk]
    # "all approvals" needs approvals.manage on the API as on the page
    assert api(org.rep_east).get("/api/approvals/?box=all").status_code == 403
    assert api(org.rep_east).get("/api/approvals/?box=involved").json()["results"] == []  # took no part


def test_field_errors_and_outsiders(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    task = task_of(org.manager, instance)
    response = api(org.manager).post(f"/api/approval-tasks/{task.pk}/act/", {"action": "reject"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"comment": ["请说明驳回的理由。"]}
    response = api(org.manager).post(f"/api/approval-tasks/{task.pk}/act/", {"action": "transfer"}, format="json")
    assert response.json()["error"]["fields"] == {"to_user": ["请选择由谁接手这一步。"]}
    assert api(org.rep_east).get(f"/api/approvals/{instance.pk}/").status_code == 404
    assert (
        api(org.rep_east).post(f"/api/approval-tasks/{task.pk}/act/", {"action": "approve"}, format="json").status_code
        == 404
    )
    assert (
        api(org.rep_east).post(f"/api/approvals/{instance.pk}/comment/", {"comment": "x"}, format="json").status_code
        == 404
    )
    assert api(org.rep).get(f"/api/approvals/{instance.pk}/").json()["open_tasks"][0]["assignee_id"] == org.manager.pk
    assert (
        api(org.rep).post(f"/api/approvals/{instance.pk}/withdraw/", {}, format="json").json()["state"] == "withdrawn"
    )


def test_flows_through_the_api(org):
    assert api(org.rep).get("/api/approval-flows/").status_code == 403
    bad = {"start": "n1", "nodes": {"n1": {"type": "approval", "name": "经理", "next": "end"}}}
    created = api(org.admin).post(
        "/api/approval-flows/", {"doc_type": "tests.expense", "name": "报销", "graph": bad}, format="json"
    )
    assert created.status_code == 201
    flow_id = created.json()["id"]
    refused = api(org.admin).post(f"/api/approval-flows/{flow_id}/publish/")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"n1": ["步骤“经理”：请选择此步骤的处理人。"]}
    good = flow({"n1": approval("经理", people(org.manager))})
    assert api(org.admin).patch(f"/api/approval-flows/{flow_id}/", {"graph": good}, format="json").status_code == 200
    published = api(org.admin).post(f"/api/approval-flows/{flow_id}/publish/").json()
    assert (published["version"], published["status"]) == (1, "published")
    unknown = api(org.admin).post("/api/approval-flows/", {"doc_type": "nope", "name": "x", "graph": {}}, format="json")
    assert unknown.json()["error"]["fields"] == {"doc_type": ["未知的单据类型。"]}


def test_delegations_through_the_api(org):
    response = api(org.manager).post(
        "/api/approval-delegations/",
        {
            "delegate": org.director.pk,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-03",
            "doc_types": ["tests.expense"],
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["user"], body["delegate"], body["doc_types"]) == (org.manager.pk, org.director.pk, ["tests.expense"])
    assert [d["id"] for d in api(org.director).get("/api/approval-delegations/").json()["results"]] == [body["id"]]
    assert api(org.rep).get("/api/approval-delegations/").json()["results"] == []
    assert api(org.manager).delete(f"/api/approval-delegations/{body['id']}/").status_code == 204


def test_customers_submit_through_the_api(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}), "customers.create")
    created = api(org.rep).post("/api/customers/", {"name": "接口审批有限公司"}, format="json").json()
    assert created["status"] == "pending"
    instance = FlowInstance.objects.get(object_id=created["id"])
    api(org.manager).post(
        f"/api/approval-tasks/{task_of(org.manager, instance).pk}/act/",
        {"action": "return", "comment": "补资料"},
        format="json",
    )
    assert api(org.rep).get(f"/api/customers/{created['id']}/").json()["status"] == "draft"
    assert api(org.rep).post(f"/api/customers/{created['id']}/submit/").json()["status"] == "pending"


def test_opening_an_approval_through_the_api_reads_my_copy_as_the_page_does(org):
    from kehu.approvals.models import FlowTask

    graph = flow(
        {
            "c1": {"type": "cc", "name": "抄送", "approvers": people(org.chosen_viewer), "next": "n1"},
            **flow({"n1": approval("经理", people(org.manager))})["nodes"],
        },
        start="c1",
    )
    publish(org.admin, graph)
    instance = submit(org.rep)
    copy = FlowTask.objects.get(instance=instance, kind="cc")
    assert copy.state == "open"
    api(org.manager).get(f"/api/approvals/{instance.pk}/")  # not the manager's copy: it stays unread
    copy.refresh_from_db()
    assert copy.state == "open"
    assert api(org.chosen_viewer).get(f"/api/approvals/{instance.pk}/").status_code == 200
    copy.refresh_from_db()
    assert (copy.state, copy.result) == ("done", "read")
