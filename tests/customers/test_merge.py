"""Sales ops merge duplicates: contacts, follow-ups, visits and shares move; the trail records it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kehu.customers import services
from kehu.customers.models import Customer, FollowUp


def test_merge_moves_everything_and_keeps_the_duplicate_as_merged(org):
    keep = services.create_customer(
        org.rep, {"name": "北京致远科技有限公司"}, [{"name": "王建国", "mobile": "13812345678"}]
    )
    duplicate = services.create_customer(
        org.rep_east,
        {"name": "致远科技（北京）", "credit_code": "91110108551385082Q", "address": "北京市海淀区"},
        [{"name": "王建国", "mobile": "13812345678"}, {"name": "赵敏", "mobile": "13900001111"}],
        check_duplicates=False,
    )
    FollowUp.objects.create(customer=duplicate, author=org.rep_east, content="上门拜访")
    services.share_customer(org.rep_east, duplicate, users=[org.rep_bj])
    merged = services.merge_customers(org.admin, keep, duplicate)
    assert merged.pk == keep.pk
    assert sorted(keep.contacts.values_list("name", flat=True)) == ["王建国", "赵敏"]  # same phone kept once
    assert keep.followups.count() == 1
    assert list(keep.shares.values_list("user__username", flat=True)) == ["rep_bj"]
    keep.refresh_from_db()
    assert (keep.credit_code, keep.address) == ("91110108551385082Q", "北京市海淀区")
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into, duplicate.credit_code) == ("merged", keep, "")
    assert keep.history.first().history_change_reason.startswith("已与 致远科技（北京）")
    assert Customer.objects.visible_to(org.rep_east).filter(status="active").count() == 0


def test_only_ops_merge_and_not_twice(org):
    a = services.create_customer(org.rep, {"name": "甲公司"})
    b = services.create_customer(org.rep, {"name": "乙公司"})
    with pytest.raises(PermissionDenied):
        services.merge_customers(org.manager, a, b)
    services.merge_customers(org.admin, a, b)
    with pytest.raises(Http404):  # a merged customer cannot be changed any more: it is not found for a merge
        services.merge_customers(org.admin, a, b)
    with pytest.raises(ValidationError):
        services.merge_customers(org.admin, a, a)


def test_the_merged_customers_page_leads_to_the_survivor(client, org):
    a = services.create_customer(org.rep, {"name": "甲公司"})
    b = services.create_customer(org.rep, {"name": "乙公司"})
    services.merge_customers(org.admin, a, b)
    client.force_login(org.rep)
    response = client.get(f"/customers/{b.pk}/")
    assert response.status_code == 302 and response.url == f"/customers/{a.pk}/"
