"""Approval pages over HTTP: inboxes, the approval page and its actions, PC-only steps from a phone, the
designer's publish with problems pointed at nodes, delegation, and 404 for outsiders."""

import json

import pytest

from kehu.approvals.models import FlowDefinition, FlowInstance, FlowTask
from tests.approvals.helpers import approval, flow, holders, people, publish, submit, task_of
from tests.factories import log_in

pytestmark = pytest.mark.django_db
PHONE_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def client_for(client, user):
    assert log_in(client, user.username, "secret-pass-123")
    return client


def test_todo_done_and_mine_boxes(client, org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep, title="出差北京")
    client_for(client, org.manager)
    page = client.get("/approvals/").content.decode()
    assert f'data-instance="{instance.pk}"' in page
    assert "Expense · 出差北京" in page
    assert client.get("/approvals/done/").content.decode().count('class="approval-row"') == 0
    response = client.post(
        f"/approvals/tasks/{task_of(org.manager, instance).pk}/act/", {"action": "approve", "comment": "可以"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/approvals/"  # nothing else to do: back to the to-do list
    assert client.get("/approvals/").content.decode().count('class="approval-row"') == 0
    done = client.get("/approvals/done/").content.decode()
    assert f'data-instance="{instance.pk}"' in done and "同意" in done
    client.logout()
    client_for(client, org.rep)
    mine = client.get("/approvals/mine/?state=approved").content.decode()
    assert f'data-instance="{instance.pk}"' in mine and "已通过" in mine


def test_the_approval_page_shows_form_diagram_trail_and_the_holders_decision_panel(client, org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager), editable_fields=["amount"])}))
    instance = submit(org.rep, "2500")
    client_for(client, org.manager)
    page = client.get(f"/approvals/{instance.pk}/").content.decode()
    assert 'data-field="amount">2500.00<' in page
    assert 'data-node="n1" data-state="current"' in page
    assert 'name="f_amount" value="2500.00"' in page
    assert 'value="approve"' in page and 'value="reject"' in page
    client.post(f"/approvals/tasks/{task_of(org.manager, instance).pk}/act/", {"action": "approve", "f_amount": "2400"})
    page = client.get(f"/approvals/{instance.pk}/").content.decode()
    assert (
        'class="change-row"><td>Amount</td><td class="text-decoration-line-through text-secondary">2500.00</td>' in page
    )
    assert "记录完整" in page


def test_reject_without_a_reason_is_refused_with_a_message_and_nothing_changes(client, org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    client_for(client, org.manager)
    response = client.post(
        f"/approvals/tasks/{task_of(org.manager, instance).pk}/act/", {"action": "reject", "comment": ""}, follow=True
    )
    assert "请说明驳回的理由。" in response.content.decode()
    instance.refresh_from_db()
    assert instance.state == FlowInstance.State.RUNNING


def test_a_pc_only_step_says_why_on_the_phone_and_refuses_a_phone_post(client, org):
    publish(org.admin, flow({"n1": approval("财务", people(org.manager), pc_only=True)}))
    instance = submit(org.rep)
    client_for(client, org.manager)
    page = client.get(f"/approvals/{instance.pk}/", HTTP_USER_AGENT=PHONE_AGENT).content.decode()
    assert "这个步骤只能在电脑上处理，请在电脑上打开客户系统进行审批。" in page
    task = task_of(org.manager, instance)
    response = client.post(
        f"/approvals/tasks/{task.pk}/act/", {"action": "approve"}, HTTP_USER_AGENT=PHONE_AGENT, follow=True
    )
    assert "这个步骤只能在电脑上处理。" in response.content.decode()
    response = client.post(f"/approvals/tasks/{task.pk}/act/", {"action": "approve", "layout": "phone"}, follow=True)
    assert "这个步骤只能在电脑上处理。" in response.content.decode()
    assert holders(instance) == ["manager"]
    client.post(f"/approvals/tasks/{task.pk}/act/", {"action": "approve", "layout": "pc"})
    instance.refresh_from_db()
    assert instance.state == FlowInstance.State.APPROVED


def test_outsiders_get_404_on_the_approval_and_its_actions(client, org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    task = task_of(org.manager, instance)
    client_for(client, org.rep_east)
    assert client.get(f"/approvals/{instance.pk}/").status_code == 404
    assert client.post(f"/approvals/tasks/{task.pk}/act/", {"action": "approve"}).status_code == 404
    assert client.post(f"/approvals/{instance.pk}/comment/", {"comment": "x"}).status_code == 404
    assert client.post(f"/approvals/{instance.pk}/withdraw/").status_code == 404
    assert client.get("/approvals/all/").status_code == 403
    assert client.get("/approvals/flows/").status_code == 403
    assert holders(instance) == ["manager"]


def test_copies_show_in_the_cc_box_and_are_read_when_opened(client, org):
    graph = flow(
        {"c1": {"type": "cc", "name": "抄送", "approvers": people(org.chosen_viewer), "next": "end"}}, start="c1"
    )
    publish(org.admin, graph)
    instance = submit(org.rep)
    client_for(client, org.chosen_viewer)
    assert "未读" in client.get("/approvals/cc/").content.decode()
    assert client.get(f"/approvals/{instance.pk}/").status_code == 200
    assert FlowTask.objects.get(instance=instance, kind="cc").state == "done"


def test_designer_publish_points_problems_at_nodes_and_a_valid_flow_becomes_the_published_version(client, org):
    client_for(client, org.admin)
    assert client.get("/approvals/flows/tests.expense/").status_code == 200
    bad = flow(
        {
            "n1": approval("经理", {"kind": "users", "users": []}, "b1"),
            "b1": {
                "type": "branch",
                "name": "金额",
                "branches": [
                    {"name": "大额", "condition": {"field": "amount", "op": "gt", "value": "很多"}, "next": "end"}
                ],
            },
            "n9": approval("孤岛", people(org.manager)),
        }
    )
    response = client.post(
        "/approvals/flows/tests.expense/", {"name": "报销", "graph": json.dumps(bad), "publish": "1"}
    )
    page = response.content.decode()
    assert '<li data-node="n1">步骤“经理”：请至少选择一个人。</li>' in page
    assert '<li data-node="n9">步骤“孤岛”：没有任何路径通向此步骤。</li>' in page
    assert '<li data-node="b1">步骤“金额”：条件分支缺少默认（其他情况）路径。</li>' in page
    assert '<li data-node="b1">步骤“金额”：大额：Amount 比较的值“很多”不是数字。</li>' in page
    assert FlowDefinition.objects.get().status == "draft"  # kept as a draft, not published
    good = flow({"n1": approval("经理", people(org.manager))})
    response = client.post(
        "/approvals/flows/tests.expense/", {"name": "报销", "graph": json.dumps(good), "publish": "1"}
    )
    assert response.status_code == 302
    assert list(FlowDefinition.objects.values_list("version", "status")) == [(1, "published")]


def test_unreachable_node_and_loop_are_pointed_at(client, org):
    client_for(client, org.admin)
    graph = flow(
        {
            "n1": approval("经理", people(org.manager), "n2"),
            "n2": approval("总监", people(org.director), "n1"),
            "n3": approval("孤岛", people(org.admin)),
        }
    )
    page = client.post("/approvals/flows/tests.expense/preview/", {"graph": json.dumps(graph)}).content.decode()
    assert '<li data-node="n3">步骤“孤岛”：没有任何路径通向此步骤。</li>' in page
    assert '<li data-node="n1">步骤“经理”：流程在此形成了循环。</li>' in page


def test_delegation_page(client, org):
    client_for(client, org.manager)
    response = client.post(
        "/approvals/delegations/",
        {"user": org.manager.pk, "delegate": org.manager.pk, "starts_on": "2026-12-01", "ends_on": "2026-11-30"},
    )
    page = response.content.decode()
    assert "结束日期早于开始日期。" in page
    response = client.post(
        "/approvals/delegations/",
        {
            "user": org.manager.pk,
            "delegate": org.director.pk,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-05",
            "reason": "年假",
        },
    )
    assert response.status_code == 302
    page = client.get("/approvals/delegations/").content.decode()
    assert "2026-12-01 – 2026-12-05" in page and org.director.display_name in page


def test_workbench_and_bottom_bar_show_the_to_do_count(client, org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    submit(org.rep)
    submit(org.rep)
    client_for(client, org.manager)
    page = client.get("/").content.decode()
    assert '<span class="bottom-badge" data-badge="todos">2</span>' in page
    for instance in FlowInstance.objects.all():
        assert f'd-flex gap-2 align-items-start" href="/approvals/{instance.pk}/">' in page


def test_a_transfer_or_an_added_signer_without_a_person_is_refused_by_the_services_one_rule(client, org):
    from django.core.exceptions import ValidationError

    from kehu.approvals import services

    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    task = task_of(org.manager, instance)
    client_for(client, org.manager)
    page = client.post(f"/approvals/tasks/{task.pk}/act/", {"action": "transfer"}, follow=True).content.decode()
    assert "请选择由谁接手这一步。" in page
    page = client.post(f"/approvals/tasks/{task.pk}/act/", {"action": "add_signer"}, follow=True).content.decode()
    assert "请选择加签人。" in page
    with pytest.raises(ValidationError) as refused:
        services.act(org.manager, task.pk, "add_signer", signer=None)
    assert refused.value.message_dict == {"signer": ["请选择加签人。"]}
    assert holders(instance) == ["manager"]


def test_the_diagram_names_who_approved_who_holds_and_who_will_approve_each_step(org, client):
    from kehu.approvals import services
    from kehu.approvals.queries import step_people
    from kehu.org.models import Role

    publish(
        org.admin,
        flow(
            {
                "n1": approval("经理", people(org.manager), next="n2"),
                "n2": approval("总监", people(org.director), next="n3"),
                "n3": approval("运营", {"kind": "role", "role": Role.objects.get(code="sales_ops").pk}),
            }
        ),
    )
    instance = submit(org.rep)
    services.approve(org.manager, task_of(org.manager, instance).pk)
    instance = FlowInstance.objects.get(pk=instance.pk)
    shown = step_people(instance)
    assert shown["n1"] == [org.manager.display_name]  # approved
    assert shown["n2"] == [org.director.display_name]  # holds it now
    assert org.admin.display_name in shown["n3"]  # will approve: the role's people, by name
    client.force_login(org.rep)
    page = client.get(f"/approvals/{instance.pk}/").content.decode()
    assert f'class="flow-node-detail">{org.director.display_name}</text>' in page
