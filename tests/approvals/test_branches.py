"""Condition branches choose the path from the document's fields (numbers, choices, flags, text, people; all/any
groups). The document is `tests.expense` (tests/scoped_app/models.py) unless a test says otherwise."""

from decimal import Decimal

import pytest

from tests.approvals.helpers import approval, flow, holders, people, publish, submit

pytestmark = pytest.mark.django_db


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
    fields = dict(fields)  # the parameter is shared by every run of this test
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
