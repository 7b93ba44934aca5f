"""Comments on an approval's trail: participants and ops only. The document is `tests.expense`
(tests/scoped_app/models.py) unless a test says otherwise."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kehu.approvals import services
from kehu.approvals.models import FlowInstance
from tests.approvals.helpers import approval, flow, people, publish, submit

pytestmark = pytest.mark.django_db


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


def test_only_participants_and_ops_comment(org):
    from kehu.customers import services as customers

    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}), "customers.create")
    customer = customers.create_customer(org.rep, {"name": "评论权限有限公司"})
    instance = FlowInstance.objects.get(object_id=customer.pk)
    assert services.can_view(org.everyone_viewer, instance)  # sees the customer, so sees its approval
    with pytest.raises(PermissionDenied):
        services.comment(org.everyone_viewer, instance.pk, "路过")
    services.comment(org.admin, instance.pk, "运营看过了")
    assert instance.actions.filter(kind="comment").count() == 1
