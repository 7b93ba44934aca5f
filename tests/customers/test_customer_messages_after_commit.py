"""Customer and visit messages are domain events: written by subscribers after the change commits, never inside
the service's transaction, and not at all when the change is rolled back."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone, translation

from kehu.core import events as core_events
from kehu.customers import activities, events, pool, services
from kehu.customers.models import Customer
from kehu.notify.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def owned_by(user, name):
    return services.create_customer(user, {"name": name})


class Rollback(Exception):
    pass


def test_the_customer_events_are_declared():
    assert {
        events.RELEASED_TO_POOL,
        events.RETURNED_TO_POOL,
        events.ASSIGNED_FROM_POOL,
        events.RETURN_WARNING_DUE,
        events.VISIT_REVIEWED,
        events.VISIT_REMINDER_DUE,
    } <= set(core_events.declared())


def test_a_release_tells_the_former_owner_only_once_the_change_commits(org):
    customer = owned_by(org.rep_bj, "乙公司")
    with transaction.atomic():
        pool.release_to_pool(org.manager, [customer.pk], "客户已倒闭")
        assert Message.objects.count() == 0  # inside the transaction: nothing sent yet
    # in the recipient's language (zh, the default)
    with translation.override("zh-hans"):
        shown = [(recipient, str(body)) for recipient, body in Message.objects.values_list("recipient", "body")]
    assert shown == [(org.rep_bj.pk, "乙公司\n原因：客户已倒闭")]


def test_a_rolled_back_release_tells_nobody(org):
    customer = owned_by(org.rep_bj, "乙公司")
    with pytest.raises(Rollback), transaction.atomic():
        pool.release_to_pool(org.manager, [customer.pk], "客户已倒闭")
        raise Rollback
    assert Message.objects.count() == 0
    assert Customer.objects.get(pk=customer.pk).owner == org.rep_bj


def test_a_rolled_back_assignment_tells_nobody(org):
    customer = owned_by(org.rep, "丙公司")
    pool.release_to_pool(org.rep, [customer.pk], "整理")
    with pytest.raises(Rollback), transaction.atomic():
        pool.assign_from_pool(org.admin, [customer.pk], org.rep_east)
        assert Message.objects.count() == 0
        raise Rollback
    assert Message.objects.count() == 0
    pool.assign_from_pool(org.admin, [customer.pk], org.rep_east)
    assert list(Message.objects.values_list("recipient", "body")) == [(org.rep_east.pk, "丙公司")]


def test_a_visit_review_tells_the_visitor_after_the_commit(org):
    customer = owned_by(org.rep, "丁公司")
    visit = activities.plan_visit(org.rep, customer, purpose="签约", planned_at=timezone.now() + timedelta(hours=1))
    visit = activities.write_summary(org.rep, activities.check_in(org.rep, visit), "谈妥了")
    with pytest.raises(Rollback), transaction.atomic():
        activities.review_visit(org.manager, visit, "好")
        raise Rollback
    assert Message.objects.count() == 0
    with transaction.atomic():
        activities.review_visit(org.manager, visit, "好")
        assert Message.objects.count() == 0
    assert list(Message.objects.values_list("recipient", "body")) == [(org.rep.pk, "好")]
