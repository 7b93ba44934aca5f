"""The approval engine through its services: signing modes, actions, branches, approver rules, delegation,
time-outs, versioning, the trail. The document is `tests.expense` (tests/scoped_app/approvals.py)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from kehu.approvals import services
from kehu.approvals.models import Delegation, FlowAction, FlowDefinition, FlowInstance, FlowTask
from kehu.notify.models import Message
from tests.approvals.helpers import approval, expense, flow, holders, people, publish, submit, task_of, trail

pytestmark = pytest.mark.django_db
State = FlowInstance.State


def status(instance):
    from tests.scoped_app.models import Expense

    return Expense.objects.get(pk=instance.object_id).status


# --- signing modes ----------------------------------------------------------------------------
def test_any_one_sign_the_first_approval_decides_and_the_others_tasks_are_withdrawn(org):
    publish(org.admin, flow({"n1": approval("经理或总监", people(org.manager, org.director))}))
    instance = submit(org.rep, "800")
    assert status(instance) == "pending"
    assert holders(instance) == ["director", "manager"]
    services.approve(org.manager, task_of(org.manager, instance).pk, "同意")
    instance.refresh_from_db()
    assert instance.state == State.APPROVED
    assert status(instance) == "approved"
    assert FlowTask.objects.get(instance=instance, assignee=org.director).state == FlowTask.State.CANCELLED
    assert trail(instance) == [("submit", "rep"), ("approve", "manager"), ("finish", None)]


def test_all_sign_needs_every_approver(org):
    publish(org.admin, flow({"n1": approval("会签", people(org.manager, org.director), mode="all")}))
    instance = submit(org.rep)
    services.approve(org.director, task_of(org.director, instance).pk)
    instance.refresh_from_db()
    assert instance.state == State.RUNNING
    assert holders(instance) == ["manager"]
    services.approve(org.manager, task_of(org.manager, instance).pk)
    instance.refresh_from_db()
    assert instance.state == State.APPROVED


def test_in_order_sign_hands_the_step_on_one_by_one(org):
    publish(org.admin, flow({"n1": approval("依次", people(org.manager, org.director, org.admin), mode="sequence")}))
    instance = submit(org.rep)
    assert holders(instance) == ["manager"]
    waiting = FlowTask.objects.filter(instance=instance, state=FlowTask.State.WAITING).order_by("sequence")
    assert [t.assignee.username for t in waiting] == ["director", "admin"]
    with pytest.raises(Http404):  # not the director's turn: the waiting task is not theirs to act on yet
        services.approve(org.director, FlowTask.objects.get(instance=instance, assignee=org.director).pk + 10_000)
    services.approve(org.manager, task_of(org.manager, instance).pk)
    assert holders(instance) == ["director"]
    services.approve(org.director, task_of(org.director, instance).pk)
    assert holders(instance) == ["admin"]
    services.approve(org.admin, task_of(org.admin, instance).pk)
    instance.refresh_from_db()
    assert instance.state == State.APPROVED


def test_steps_follow_each_other_and_the_first_approvers_get_a_message(org):
    graph = flow({"n1": approval("经理", people(org.manager), "n2"), "n2": approval("总监", people(org.director))})
    publish(org.admin, graph)
    instance = submit(org.rep)
    message = Message.objects.get(recipient=org.manager)
    assert message.title == "待审批：Expense · 差旅报销"
    assert message.link == f"/approvals/{instance.pk}/"
    assert not Message.objects.filter(recipient=org.director).exists()
    services.approve(org.manager, task_of(org.manager, instance).pk)
    assert holders(instance) == ["director"]
    assert Message.objects.filter(recipient=org.director, link=f"/approvals/{instance.pk}/").count() == 1


# --- actions ----------------------------------------------------------------------------------
def test_reject_ends_the_flow_and_sends_the_document_back_to_draft_with_the_reason(org):
    publish(org.admin, flow({"n1": approval("会签", people(org.manager, org.director), mode="all")}))
    instance = submit(org.rep)
    with pytest.raises(ValidationError) as refused:
        services.reject(org.manager, task_of(org.manager, instance).pk, "  ")
    assert refused.value.message_dict == {"comment": ["请说明驳回的理由。"]}
    services.reject(org.manager, task_of(org.manager, instance).pk, "金额不符")
    instance.refresh_from_db()
    assert (instance.state, status(instance)) == (State.REJECTED, "draft")
    assert FlowTask.objects.get(instance=instance, assignee=org.director).state == FlowTask.State.CANCELLED
    assert instance.actions.get(kind="reject").comment == "金额不符"
    assert Message.objects.filter(recipient=org.rep, level="warning").count() == 1


def test_return_to_the_submitter_then_resubmit_runs_the_same_instance_again_from_the_first_step(org):
    graph = flow({"n1": approval("经理", people(org.manager), "n2"), "n2": approval("总监", people(org.director))})
    publish(org.admin, graph)
    instance = submit(org.rep, "500")
    services.approve(org.manager, task_of(org.manager, instance).pk)
    services.return_(org.director, task_of(org.director, instance).pk, "请补充发票", "submitter")
    instance.refresh_from_db()
    assert (instance.state, status(instance), holders(instance)) == (State.RETURNED, "draft", [])
    from tests.scoped_app.models import Expense

    Expense.objects.filter(pk=instance.object_id).update(amount=Decimal("450"))
    again = services.submit(org.rep, "tests.expense", Expense.objects.get(pk=instance.object_id))
    assert again.pk == instance.pk
    assert (again.round, again.form["amount"], holders(again)) == (2, "450.00", ["manager"])
    services.approve(org.manager, task_of(org.manager, again).pk)
    services.approve(org.director, task_of(org.director, again).pk)
    again.refresh_from_db()
    assert again.state == State.APPROVED
    assert trail(again) == [
        ("submit", "rep"),
        ("approve", "manager"),
        ("return", "director"),
        ("resubmit", "rep"),
        ("approve", "manager"),
        ("approve", "director"),
        ("finish", None),
    ]


def test_return_to_an_earlier_step_asks_its_approvers_again(org):
    graph = flow({"n1": approval("经理", people(org.manager), "n2"), "n2": approval("总监", people(org.director))})
    publish(org.admin, graph)
    instance = submit(org.rep)
    services.approve(org.manager, task_of(org.manager, instance).pk)
    task = task_of(org.director, instance)
    assert [key for key, _label in services.return_targets(instance, task)] == ["submitter", "n1"]
    with pytest.raises(ValidationError) as refused:
        services.return_(org.director, task.pk, "重看", "n2")
    assert refused.value.message_dict == {"to": ["单据不能退回到这个步骤。"]}
    services.return_(org.director, task.pk, "经理再看一下", "n1")
    instance.refresh_from_db()
    assert (instance.state, instance.current_node, holders(instance)) == (State.RUNNING, "n1", ["manager"])
    assert task_of(org.manager, instance).visit == 2
    services.approve(org.manager, task_of(org.manager, instance).pk)
    services.approve(org.director, task_of(org.director, instance).pk)
    instance.refresh_from_db()
    assert instance.state == State.APPROVED


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


def test_transfer_hands_the_task_over(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    task = task_of(org.manager, instance)
    with pytest.raises(ValidationError) as refused:
        services.transfer(org.manager, task.pk, org.manager)
    assert refused.value.message_dict == {"to_user": ["请选择您以外的人。"]}
    services.transfer(org.manager, task.pk, org.director, "我出差，请总监处理")
    assert holders(instance) == ["director"]
    with pytest.raises(services.TaskClosed):
        services.approve(org.manager, task.pk)
    services.approve(org.director, task_of(org.director, instance).pk)
    instance.refresh_from_db()
    assert instance.state == State.APPROVED
    assert instance.actions.get(kind="transfer").detail == org.director.display_name


def test_add_signer_before_me_waits_for_them_then_comes_back_to_me(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    task = task_of(org.manager, instance)
    services.add_signer(org.manager, task.pk, org.rep_bj, "before", "请先核对")
    assert holders(instance) == ["rep_bj"]
    task.refresh_from_db()
    assert task.state == FlowTask.State.WAITING
    services.approve(org.rep_bj, task_of(org.rep_bj, instance).pk, "核对无误")
    assert holders(instance) == ["manager"]
    services.approve(org.manager, task.pk)
    instance.refresh_from_db()
    assert instance.state == State.APPROVED


def test_add_signer_after_me_approves_now_and_the_step_waits_for_them(org):
    graph = flow({"n1": approval("经理", people(org.manager, org.dept_viewer)), "n2": approval("x", people(org.admin))})
    graph["nodes"]["n1"]["next"] = "n2"
    publish(org.admin, graph)
    instance = submit(org.rep)
    services.add_signer(org.manager, task_of(org.manager, instance).pk, org.director, "after")
    assert holders(instance) == ["director"]  # any-one: the other approver's task is no longer needed
    assert instance.actions.filter(kind="approve", actor=org.manager).count() == 1
    services.approve(org.director, task_of(org.director, instance).pk)
    assert holders(instance) == ["admin"]


def test_comments_are_for_participants_only(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    services.comment(org.manager, instance.pk, "明天处理")
    services.comment(org.rep, instance.pk, "好的")
    with pytest.raises(Http404):
        services.comment(org.rep_east, instance.pk, "路过")
    assert [(a.actor.username, a.comment) for a in instance.actions.filter(kind="comment")] == [
        ("manager", "明天处理"),
        ("rep", "好的"),
    ]


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


# --- review and carbon copy -------------------------------------------------------------------
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


# --- branches ---------------------------------------------------------------------------------
def branch_flow(org, condition):
    return flow(
        {
            "b1": {
                "type": "branch",
                "name": "条件",
                "branches": [{"name": "大额", "condition": condition, "next": "n2"}],
                "default": "n1",
            },
            "n1": approval("经理", people(org.manager)),
            "n2": approval("总监", people(org.director)),
        },
        start="b1",
    )


@pytest.mark.parametrize(
    ("condition", "fields", "expected"),
    [
        ({"field": "amount", "op": "gt", "value": 100000}, {"amount": "100000.01"}, "director"),
        ({"field": "amount", "op": "gt", "value": 100000}, {"amount": "100000"}, "manager"),
        ({"field": "amount", "op": "gte", "value": "100000"}, {"amount": "100000"}, "director"),
        ({"field": "discount_rate", "op": "lt", "value": 0.9}, {"discount_rate": Decimal("0.85")}, "director"),
        ({"field": "discount_rate", "op": "lt", "value": 0.9}, {"discount_rate": Decimal("0.9")}, "manager"),
        ({"field": "category", "op": "eq", "value": "gift"}, {"category": "gift"}, "director"),
        ({"field": "category", "op": "in", "value": ["gift", "event"]}, {"category": "event"}, "director"),
        ({"field": "category", "op": "not_in", "value": ["gift", "event"]}, {"category": "event"}, "manager"),
        ({"field": "urgent", "op": "eq", "value": True}, {"urgent": True}, "director"),
        ({"field": "title", "op": "contains", "value": "会议"}, {"title": "年度会议费用"}, "director"),
        (
            {
                "all": [
                    {"field": "amount", "op": "gt", "value": 5000},
                    {"field": "category", "op": "eq", "value": "gift"},
                ]
            },
            {"amount": "6000", "category": "travel"},
            "manager",
        ),
        (
            {
                "any": [
                    {"field": "amount", "op": "gt", "value": 5000},
                    {"field": "category", "op": "eq", "value": "gift"},
                ]
            },
            {"amount": "6000", "category": "travel"},
            "director",
        ),
        (
            {
                "any": [
                    {"all": [{"field": "urgent", "op": "eq", "value": True}]},
                    {"field": "amount", "op": "lte", "value": 10},
                ]
            },
            {"amount": "11"},
            "manager",
        ),
    ],
)
def test_condition_branches_choose_the_path_from_the_documents_fields(org, condition, fields, expected):
    publish(org.admin, branch_flow(org, condition))
    amount = fields.pop("amount", "1000")
    instance = submit(org.rep, amount, **fields)
    assert holders(instance) == [expected]


def test_the_person_field_of_a_document_can_be_a_condition_and_an_approver(org):
    graph = flow(
        {
            "b1": {
                "type": "branch",
                "name": "谁审",
                "branches": [
                    {
                        "name": "指定",
                        "condition": {"field": "reviewer", "op": "eq", "value": org.director.pk},
                        "next": "n1",
                    }
                ],
                "default": "n2",
            },
            "n1": approval("指定审核人", {"kind": "field", "field": "reviewer"}),
            "n2": approval("经理", people(org.manager)),
        },
        start="b1",
    )
    publish(org.admin, graph)
    assert holders(submit(org.rep, reviewer=org.director)) == ["director"]
    assert holders(submit(org.rep, reviewer=org.admin)) == ["manager"]


# --- approver rules ---------------------------------------------------------------------------
def test_department_head_of_the_submitter_and_of_the_next_department_up_when_the_head_submits(org):
    org.north.head = org.manager
    org.north.save()
    org.sales.head = org.director
    org.sales.save()
    publish(org.admin, flow({"n1": approval("部门主管", {"kind": "department_head"})}))
    assert holders(submit(org.rep)) == ["manager"]
    assert holders(submit(org.manager)) == ["director"]  # the head's own submission goes up a level
    assert holders(submit(org.rep_bj)) == ["manager"]  # 北京组 has no head: its parent's head


def test_nth_level_superior(org):
    org.rep.superior = org.manager
    org.rep.save()
    org.manager.superior = org.director
    org.manager.save()
    publish(org.admin, flow({"n1": approval("二级上级", {"kind": "superior", "level": 2})}))
    assert holders(submit(org.rep)) == ["director"]


def test_role_approvers_leave_out_people_who_left(org):
    from kehu.org.models import Role, User

    role = Role.objects.get(code="t_tree")
    org.director.status = User.Status.LEFT
    org.director.save()
    publish(org.admin, flow({"n1": approval("经理们", {"kind": "role", "role": role.pk}, mode="all")}))
    assert holders(submit(org.rep)) == ["manager"]


def test_when_nobody_can_approve_the_step_is_skipped_or_sent_to_ops(org):
    graph = flow(
        {
            "n1": approval("主管", {"kind": "department_head"}, "n2", if_no_approver="skip"),
            "n2": approval("上级", {"kind": "superior", "level": 1}, if_no_approver="ops"),
        }
    )
    publish(org.admin, graph)
    instance = submit(org.rep)  # no heads, no superiors in this company
    assert holders(instance) == ["admin"]  # sales ops (approvals.manage)
    assert [a.kind for a in instance.actions.order_by("id")] == ["submit", "skip", "to_ops"]


# --- editable fields --------------------------------------------------------------------------
def test_approvers_correct_listed_fields_and_the_approved_form_becomes_the_record(org):
    publish(org.admin, flow({"n1": approval("财务", people(org.manager), editable_fields=["amount", "category"])}))
    instance = submit(org.rep, "1200")
    task = task_of(org.manager, instance)
    with pytest.raises(ValidationError) as refused:
        services.approve(org.manager, task.pk, "", {"title": "改标题"})
    assert refused.value.message_dict == {"title": ["这个步骤不能修改此字段。"]}
    with pytest.raises(ValidationError) as refused:
        services.approve(org.manager, task.pk, "", {"amount": "-5"})
    assert refused.value.message_dict == {"amount": ["The amount must be positive."]}
    services.approve(org.manager, task.pk, "按发票金额", {"amount": "1150", "category": "event"})
    from tests.scoped_app.models import Expense

    document = Expense.objects.get(pk=instance.object_id)
    assert (document.status, document.approved_amount, document.category) == ("approved", Decimal("1150"), "event")
    assert instance.actions.get(kind="approve").changes == [
        {
            "field": "amount",
            "label": "Amount",
            "before": "1200.00",
            "after": "1150",
            "before_value": "1200.00",
            "after_value": "1150",
        },
        {
            "field": "category",
            "label": "Category",
            "before": "差旅",
            "after": "会务",
            "before_value": "travel",
            "after_value": "event",
        },
    ]


# --- PC only ----------------------------------------------------------------------------------
def test_a_pc_only_step_cannot_be_handled_from_the_phone(org):
    publish(org.admin, flow({"n1": approval("财务", people(org.manager), pc_only=True)}))
    instance = submit(org.rep)
    with pytest.raises(ValidationError) as refused:
        services.approve(org.manager, task_of(org.manager, instance).pk, phone=True)
    assert refused.value.messages == ["这个步骤只能在电脑上处理。"]
    services.approve(org.manager, task_of(org.manager, instance).pk, phone=False)
    instance.refresh_from_db()
    assert instance.state == State.APPROVED


# --- time-outs --------------------------------------------------------------------------------
def test_time_out_reminds_once(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager), timeout_hours=24, timeout_action="remind")}))
    instance = submit(org.rep)
    task = task_of(org.manager, instance)
    assert task.due_at == task.created_at + timedelta(hours=24)
    assert services.handle_timeouts(timezone.now() + timedelta(hours=23)) == {"reminded": 0, "escalated": 0}
    assert services.handle_timeouts(timezone.now() + timedelta(hours=25)) == {"reminded": 1, "escalated": 0}
    assert services.handle_timeouts(timezone.now() + timedelta(hours=26)) == {"reminded": 0, "escalated": 0}
    assert Message.objects.filter(recipient=org.manager, level="warning").count() == 1
    assert holders(instance) == ["manager"]


def test_time_out_escalates_to_the_holders_superior(org):
    org.manager.superior = org.director
    org.manager.save()
    publish(org.admin, flow({"n1": approval("经理", people(org.manager), timeout_hours=8, timeout_action="escalate")}))
    instance = submit(org.rep)
    assert services.handle_timeouts(timezone.now() + timedelta(hours=9)) == {"reminded": 0, "escalated": 1}
    assert holders(instance) == ["director"]
    escalation = instance.actions.get(kind="escalate")
    assert (escalation.actor, escalation.detail) == (None, org.director.display_name)
    services.approve(org.director, task_of(org.director, instance).pk)
    instance.refresh_from_db()
    assert instance.state == State.APPROVED


# --- delegation -------------------------------------------------------------------------------
def test_delegation_sends_new_tasks_to_the_delegate_for_the_dates_and_types_given(org):
    today = timezone.localdate()
    services.set_delegation(
        org.manager, org.manager, org.dept_viewer, today, today + timedelta(days=3), ["tests.expense"]
    )
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    task = FlowTask.objects.get(instance=instance)
    assert (task.assignee, task.on_behalf_of) == (org.dept_viewer, org.manager)
    services.approve(org.dept_viewer, task.pk, "代批")
    action = instance.actions.get(kind="approve")
    assert (action.actor, action.on_behalf_of) == (org.dept_viewer, org.manager)
    Delegation.objects.update(starts_on=today + timedelta(days=1))
    assert holders(submit(org.rep)) == ["manager"]  # not yet in the delegation's period


def test_delegation_is_refused_when_it_overlaps_or_points_at_oneself(org):
    today = timezone.localdate()
    services.set_delegation(org.manager, org.manager, org.dept_viewer, today, today + timedelta(days=3))
    with pytest.raises(ValidationError) as refused:
        services.set_delegation(
            org.manager, org.manager, org.director, today + timedelta(days=2), today + timedelta(days=5)
        )
    assert list(refused.value.message_dict) == ["starts_on"]
    with pytest.raises(ValidationError) as refused:
        services.set_delegation(org.manager, org.manager, org.manager, today, today)
    assert list(refused.value.message_dict) == ["delegate"]
    with pytest.raises(PermissionDenied):
        services.set_delegation(org.rep, org.manager, org.rep, today, today)  # someone else's: ops only


# --- versioning -------------------------------------------------------------------------------
def test_publishing_a_new_version_never_changes_running_instances(org):
    v1 = publish(
        org.admin,
        flow({"n1": approval("经理", people(org.manager), "n2"), "n2": approval("总监", people(org.director))}),
    )
    running = submit(org.rep)
    v2 = publish(org.admin, flow({"n1": approval("运营", people(org.admin))}))
    v1.refresh_from_db()
    assert (v1.version, v1.status, v2.version, v2.status) == (1, "retired", 2, "published")
    services.approve(org.manager, task_of(org.manager, running).pk)
    assert holders(running) == ["director"]  # still v1's second step
    fresh = submit(org.rep)
    assert (fresh.definition, holders(fresh)) == (v2, ["admin"])
    with pytest.raises(ValidationError):
        services.publish(org.admin, v1)  # only drafts are published
    assert FlowDefinition.objects.filter(status="published").count() == 1


def test_without_a_published_flow_nothing_can_be_submitted(org):
    with pytest.raises(ValidationError) as refused:
        services.submit(org.rep, "tests.expense", expense(org.rep))
    assert refused.value.messages == ["Expense 没有已发布的审批流程。"]
    with pytest.raises(PermissionDenied):
        services.save_draft(org.rep, "tests.expense", "x", {})


# --- the trail --------------------------------------------------------------------------------
def test_the_trail_is_chained_and_a_changed_row_breaks_the_chain(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    services.approve(org.manager, task_of(org.manager, instance).pk, "同意")
    assert services.verify_trail(instance) is True
    FlowAction.objects.filter(instance=instance, kind="approve").update(comment="不同意")
    assert services.verify_trail(instance) is False


def test_a_second_submission_while_one_is_running_is_refused(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    document = expense(org.rep)
    services.submit(org.rep, "tests.expense", document)
    with pytest.raises(ValidationError) as refused:
        services.submit(org.rep, "tests.expense", document)
    assert refused.value.messages == ["这份单据已经在审批中。"]
    with pytest.raises(PermissionDenied):
        services.submit(org.manager, "tests.expense", expense(org.rep))
