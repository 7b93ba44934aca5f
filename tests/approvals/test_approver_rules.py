"""Who a step's approver rule names: department heads, N-th superiors, roles without leavers, and ops or a skip when
nobody is left. The document is `tests.expense` (tests/scoped_app/models.py) unless a test says otherwise."""

import pytest

from tests.approvals.helpers import approval, flow, holders, publish, submit

pytestmark = pytest.mark.django_db


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
