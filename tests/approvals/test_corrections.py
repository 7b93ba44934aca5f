"""Approvers correct the fields their step lists; the approved form becomes the record. The document is
`tests.expense` (tests/scoped_app/models.py) unless a test says otherwise."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kehu.approvals import services
from tests.approvals.helpers import approval, flow, people, publish, submit, task_of

pytestmark = pytest.mark.django_db


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
