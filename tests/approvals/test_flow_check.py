"""Publish-time check of a flow (`graph.check`): what cannot run is refused, keyed by the step, with a message
that says what to fix. Every refusal is a rule and has its test; the document type is `tests.expense`."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kehu.approvals import graph, registry
from kehu.org.models import Role, User

pytestmark = pytest.mark.django_db
EXPENSE = registry.get("tests.expense")


def errors(flow) -> dict:
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            graph.check(flow, EXPENSE)
    return refused.value.message_dict


def passes(flow) -> None:
    graph.check(flow, EXPENSE)


def step(name="经理", approvers=None, **options):
    node = {"type": "approval", "name": name, "approvers": approvers or {"kind": "department_head"}, "next": "end"}
    return {**node, **options}


def one(node, **more) -> dict:
    return {"start": "n1", "nodes": {"n1": node, **more}}


def problems_of(node) -> list[str]:
    return errors(one(node))["n1"]


def test_a_sound_flow_passes(org):
    passes(one(step(approvers={"kind": "users", "users": [org.manager.pk]}, next="n2"), n2=step("总监")))


# --- the flow as a whole ----------------------------------------------------------------------------
@pytest.mark.parametrize("flow", [None, [], "n1", {}, {"start": "n1"}, {"nodes": {}}, {"nodes": []}, {"nodes": "n1"}])
def test_a_flow_without_steps_is_refused(flow):
    assert errors(flow) == {"__all__": ["The flow has no steps."]}


@pytest.mark.parametrize("start", [None, "", "n9"])
def test_a_flow_whose_start_names_no_step_is_refused(start):
    assert errors({"start": start, "nodes": {"n1": step()}}) == {
        "__all__": ["The flow does not say which step comes first."]
    }


def chain(count):
    nodes = {f"n{i}": step(f"第{i}步", next=f"n{i + 1}" if i < count else "end") for i in range(1, count + 1)}
    return {"start": "n1", "nodes": nodes}


def test_a_flow_has_at_most_sixty_steps():
    passes(chain(60))
    assert errors(chain(61)) == {"__all__": ["A flow can have at most 60 steps."]}


def test_a_step_that_is_not_an_object_is_empty():
    assert errors(one(step(next="n2"), n2="approval")) == {"n2": ["This step is empty."]}


def test_a_step_no_path_leads_to_is_refused():
    assert errors(one(step(), n2=step("孤立"))) == {"n2": ["Step “孤立”: no path leads to this step."]}


def test_a_loop_is_refused_where_it_closes():
    flow = one(step(next="n2"), n2=step("复核", next="n1"))
    assert errors(flow) == {"n1": ["Step “经理”: the flow loops back here."]}


# --- one step -----------------------------------------------------------------------------------------
def test_an_unknown_kind_of_step_is_refused():
    assert problems_of({"type": "vote", "name": "投票"}) == ["Step “投票”: unknown kind of step."]


@pytest.mark.parametrize("name", [None, "", "   "])
def test_a_step_needs_a_name_and_is_called_by_its_id_meanwhile(name):
    assert problems_of(step(name)) == ["Step “n1”: give the step a name."]


def test_a_step_leading_to_a_missing_step_is_refused():
    assert problems_of(step(next="n7")) == ["Step “经理”: leads to a step that does not exist (n7)."]


def test_a_step_without_next_ends_the_flow():
    node = step()
    del node["next"]
    passes(one(node))


@pytest.mark.parametrize("rule", [None, {}, "users", {"kind": "robot"}, {"kind": None}])
def test_a_step_must_say_who_handles_it(rule):
    node = step()
    node["approvers"] = rule
    assert problems_of(node) == ["Step “经理”: choose who handles this step."]


@pytest.mark.parametrize("users", [[], None, ["x"], "1", ["²"], [True]])
def test_named_people_need_at_least_one_person(users):
    assert problems_of(step(approvers={"kind": "users", "users": users})) == [
        "Step “经理”: choose at least one person."
    ]


def test_named_people_must_be_in_the_company(org):
    User.objects.filter(pk=org.rep.pk).update(status=User.Status.LEFT)
    left = ["Step “经理”: someone chosen has left the company or does not exist."]
    assert problems_of(step(approvers={"kind": "users", "users": [org.manager.pk, org.rep.pk]})) == left
    assert problems_of(step(approvers={"kind": "users", "users": [org.manager.pk, 999999]})) == left
    passes(one(step(approvers={"kind": "users", "users": [org.manager.pk, str(org.manager.pk)]})))
    assert problems_of(step(approvers={"kind": "users", "users": [org.manager.pk, "x"]})) == [
        "Step “经理”: choose at least one person."
    ]


def test_a_role_approver_needs_a_role_that_exists(org):
    role = Role.objects.get(code="t_tree")
    passes(one(step(approvers={"kind": "role", "role": role.pk})))
    passes(one(step(approvers={"kind": "role", "role": str(role.pk)})))
    for missing in ({"kind": "role"}, {"kind": "role", "role": 999999}, {"kind": "role", "role": "销售"}):
        assert problems_of(step(approvers=missing)) == ["Step “经理”: choose a role."]


@pytest.mark.parametrize("level", [1, 10])
def test_a_superior_from_one_to_ten_levels_up(level):
    passes(one(step(approvers={"kind": "superior", "level": level})))


@pytest.mark.parametrize("level", [0, 11, -1, None, "2", True, 1.0])
def test_a_superior_outside_one_to_ten_levels_is_refused(level):
    assert problems_of(step(approvers={"kind": "superior", "level": level})) == [
        "Step “经理”: the superior's level must be between 1 and 10."
    ]


def test_a_field_approver_needs_a_person_field():
    passes(one(step(approvers={"kind": "field", "field": "reviewer"})))
    for field in ("amount", "gone", None):
        assert problems_of(step(approvers={"kind": "field", "field": field})) == [
            "Step “经理”: choose a person field of the document."
        ]


@pytest.mark.parametrize("mode", ["any", "all", "sequence"])
def test_the_ways_of_signing(mode):
    passes(one(step(mode=mode)))


def test_an_unknown_way_of_signing_is_refused():
    assert problems_of(step(mode="majority")) == ["Step “经理”: unknown way of signing."]


@pytest.mark.parametrize("hours", [0, 1, 24, 2160, None])
def test_a_time_out_of_up_to_ninety_days(hours):
    passes(one(step(timeout_hours=hours)))


@pytest.mark.parametrize("hours", [-1, 2161, 1.5, "24", True])
def test_a_time_out_outside_ninety_days_or_not_whole_hours_is_refused(hours):
    assert problems_of(step(timeout_hours=hours)) == [
        "Step “经理”: the time-out must be a whole number of hours between 0 and 2160."
    ]


def test_time_out_actions():
    passes(one(step(timeout_hours=24, timeout_action="escalate")))
    passes(one(step(timeout_hours=24, timeout_action="remind")))
    assert problems_of(step(timeout_action="delete")) == ["Step “经理”: unknown time-out action."]


def test_when_nobody_can_approve():
    passes(one(step(if_no_approver="ops")))
    passes(one(step(if_no_approver="skip")))
    assert problems_of(step(if_no_approver="wait")) == ["Step “经理”: unknown choice for when nobody can approve."]


def test_approvers_may_edit_only_the_editable_fields():
    passes(one(step(editable_fields=["amount", "category"])))
    assert problems_of(step(editable_fields=["amount", "title", "nope"])) == [
        "Step “经理”: approvers cannot edit the field “title”.",
        "Step “经理”: approvers cannot edit the field “nope”.",
    ]


def test_review_and_copy_steps_have_no_signing_rules():
    for kind in ("review", "cc"):
        node = {**step(), "type": kind, "mode": "x", "timeout_hours": 99999, "timeout_action": "x"}
        passes(one({**node, "if_no_approver": "x", "editable_fields": ["title"]}))
        assert problems_of({**node, "approvers": {"kind": "superior", "level": 0}}) == [
            "Step “经理”: the superior's level must be between 1 and 10."
        ]


def test_every_problem_of_a_step_is_listed():
    node = step("", approvers={"kind": "superior", "level": 0}, mode="x", timeout_hours=-5, next="n4")
    assert problems_of(node) == [
        "Step “n1”: give the step a name.",
        "Step “n1”: leads to a step that does not exist (n4).",
        "Step “n1”: the superior's level must be between 1 and 10.",
        "Step “n1”: unknown way of signing.",
        "Step “n1”: the time-out must be a whole number of hours between 0 and 2160.",
    ]


# --- condition branches ---------------------------------------------------------------------------
GIFT = {"field": "category", "op": "eq", "value": "gift"}


def branch(branches, default="n2"):
    return {"type": "branch", "name": "金额", "branches": branches, "default": default}


def branch_flow(node):
    return {"start": "n1", "nodes": {"n1": node, "n2": step("总监"), "n3": step("经理")}}


def test_a_sound_branch_passes():
    passes(branch_flow(branch([{"name": "礼品", "condition": GIFT, "next": "n3"}])))


@pytest.mark.parametrize("branches", [[], None, {"name": "x"}])
def test_a_branch_needs_at_least_one_condition(branches):
    flow = branch_flow(branch(branches))
    flow["nodes"]["n1"]["default"] = "n2"
    del flow["nodes"]["n3"]
    assert errors(flow) == {"n1": ["Step “金额”: a condition branch needs at least one condition."]}


def test_a_branch_that_is_not_an_object_is_empty():
    flow = branch_flow(branch(["礼品", {"name": "礼品", "condition": GIFT, "next": "n3"}]))
    assert errors(flow) == {"n1": ["Step “金额”: a branch is empty."]}


@pytest.mark.parametrize("default", [None, ""])
def test_a_branch_needs_a_default_path(default):
    flow = branch_flow(branch([{"name": "礼品", "condition": GIFT, "next": "n3"}], default=default))
    del flow["nodes"]["n2"]
    assert errors(flow) == {"n1": ["Step “金额”: the branch has no default (otherwise) path."]}


@pytest.mark.parametrize("default", [None, ""])
def test_a_condition_without_next_is_told_apart_from_a_missing_default(default):
    flow = branch_flow(branch([{"name": "礼品", "condition": GIFT, "next": default}], default=default))
    del flow["nodes"]["n2"], flow["nodes"]["n3"]
    assert errors(flow) == {
        "n1": [
            "Step “金额”: says nothing about where to go next.",
            "Step “金额”: the branch has no default (otherwise) path.",
        ]
    }


def test_a_branch_leading_to_a_missing_step_is_refused():
    flow = branch_flow(branch([{"name": "礼品", "condition": GIFT, "next": "n9"}]))
    del flow["nodes"]["n3"]
    assert errors(flow) == {"n1": ["Step “金额”: leads to a step that does not exist (n9)."]}


def test_each_conditions_problem_is_named_after_its_branch():
    flow = branch_flow(
        branch(
            [
                {"name": "礼品", "condition": {"field": "amount", "op": "contains", "value": 1}, "next": "n3"},
                {"condition": {}, "next": "n3"},
            ]
        )
    )
    assert errors(flow) == {
        "n1": [
            "Step “金额”: 礼品: “contains” cannot be used on Amount (a number).",
            "Step “金额”: branch: The condition is empty.",
        ]
    }


def test_a_branch_needs_no_approvers():
    passes(branch_flow({**branch([{"name": "礼品", "condition": GIFT, "next": "n3"}]), "approvers": None}))


def test_the_refusal_is_in_the_users_language():
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refused:
            graph.check(one(step(mode="x")), EXPENSE)
    assert refused.value.message_dict == {"n1": ["步骤“经理”：未知的审批方式。"]}


def test_the_diagram_of_a_draft_with_an_empty_step_still_draws():
    drawn = graph.layout(one(step(next="n2"), n2="approval"), EXPENSE)
    assert [box["id"] for box in drawn["boxes"]] == ["__start", "n1", "end"]


def test_steps_after_an_empty_one_are_still_checked():
    flow = {"start": "n1", "nodes": {"n1": step(next="n2"), "n2": None, "n3": step("", next="n1")}}
    assert errors(flow) == {
        "n2": ["This step is empty."],
        "n3": ["Step “n3”: give the step a name.", "Step “n3”: no path leads to this step."],
    }


def test_branches_after_an_empty_one_are_still_checked():
    flow = branch_flow(branch(["礼品", {"name": "大额", "condition": {"field": "amount"}, "next": "n3"}]))
    assert errors(flow) == {
        "n1": [
            "Step “金额”: a branch is empty.",
            "Step “金额”: 大额: “None” cannot be used on Amount (a number).",
        ]
    }
