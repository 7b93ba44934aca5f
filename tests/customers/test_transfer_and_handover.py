"""Bulk transfer to another owner, and leaver handover (离职交接) of customers, open next steps and visits."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from kehu.customers import services
from kehu.customers.models import Customer, FollowUp, Visit
from kehu.org import services as org_services


@pytest.fixture
def book(org):
    make = services.create_customer
    return {
        "rep_1": make(org.rep, {"name": "甲公司"}),
        "rep_2": make(org.rep, {"name": "乙公司"}),
        "bj": make(org.rep_bj, {"name": "丙公司"}),
        "east": make(org.rep_east, {"name": "丁公司"}),
    }


def owners():
    return dict(Customer.objects.values_list("name", "owner__username"))


def test_a_manager_transfers_within_his_scope_only(org, book):
    # One customer outside the change scope (丁, in the east): 404 as if it did not exist, and nothing moves.
    with pytest.raises(Http404):
        services.transfer_customers(org.manager, [book["rep_1"].pk, book["east"].pk], org.rep_bj)
    with pytest.raises(Http404):
        services.transfer_customers(org.manager, [book["rep_1"].pk, 10**9], org.rep_bj)  # a missing id: the same
    assert owners() == {"甲公司": "rep", "乙公司": "rep", "丙公司": "rep_bj", "丁公司": "rep_east"}
    ids = [book["rep_1"].pk, book["bj"].pk]
    summary = services.transfer_customers(org.manager, ids, org.rep_bj, reason="区域调整")
    assert (summary.customers, summary.skipped) == (1, [book["bj"].pk])  # rep_bj already owns 丙
    assert owners() == {"甲公司": "rep_bj", "乙公司": "rep", "丙公司": "rep_bj", "丁公司": "rep_east"}
    moved = Customer.objects.get(pk=book["rep_1"].pk)
    assert moved.owner_department == org.beijing
    assert moved.events.first().text == "从 华北销售 转给 北京销售 · 区域调整"


def test_a_rep_may_not_transfer(org, book):
    with pytest.raises(PermissionDenied):
        services.transfer_customers(org.rep, [book["rep_1"].pk], org.rep_bj)


def test_no_transfer_to_someone_who_left_or_has_no_access(org, book):
    org_services.mark_user_left(org.admin, org.rep_bj)
    org.rep_bj.refresh_from_db()
    with pytest.raises(ValidationError):
        services.transfer_customers(org.manager, [book["rep_1"].pk], org.rep_bj)
    with pytest.raises(ValidationError):
        services.transfer_customers(org.manager, [book["rep_1"].pk], org.nobody)


def test_handover_moves_customers_next_steps_and_planned_visits(org, book):
    FollowUp.objects.create(
        customer=book["rep_1"],
        author=org.rep,
        content="电话沟通",
        next_step="发报价",
        next_step_due=timezone.localdate() + timedelta(days=2),
    )
    FollowUp.objects.create(
        customer=book["rep_1"],
        author=org.rep,
        content="已完成",
        next_step="寄样品",
        next_step_due=timezone.localdate(),
        next_step_done_at=timezone.now(),
    )
    Visit.objects.create(
        customer=book["rep_2"], visitor=org.rep, purpose="拜访", planned_at=timezone.now() + timedelta(days=1)
    )
    Visit.objects.create(
        customer=book["rep_2"],
        visitor=org.rep,
        purpose="已完成的拜访",
        planned_at=timezone.now() - timedelta(days=1),
        status=Visit.Status.DONE,
    )
    org_services.mark_user_left(org.admin, org.rep)
    summary = services.hand_over(org.manager, org.rep, org.dept_viewer)
    assert (summary.customers, summary.open_followups, summary.planned_visits) == (2, 1, 1)
    assert owners()["甲公司"] == owners()["乙公司"] == "dept_viewer"
    open_step = FollowUp.objects.get(next_step="发报价")
    assert (open_step.author, open_step.next_step_owner) == (org.rep, org.dept_viewer)  # history stays the rep's
    assert FollowUp.objects.get(next_step="寄样品").next_step_owner is None  # done: nothing to hand over
    assert Visit.objects.get(purpose="已完成的拜访").visitor == org.rep


def test_handover_refused_when_part_of_the_book_is_outside_the_scope(org, book):
    # 甲 was recorded while the rep worked in the east: its department is outside the north manager's scope.
    Customer.objects.filter(pk=book["rep_1"].pk).update(owner_department=org.east)
    # A customer outside the scope does not exist for the manager: 404, the answer of every customer action.
    with pytest.raises(Http404):
        services.hand_over(org.manager, org.rep, org.dept_viewer)
    assert owners()["甲公司"] == "rep"


def test_bulk_transfer_page(client, org, book):
    client.force_login(org.manager)
    response = client.post(
        "/customers/transfer/",
        {"ids": [book["rep_1"].pk, book["rep_2"].pk], "to_user": org.dept_viewer.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert owners()["甲公司"] == owners()["乙公司"] == "dept_viewer"


def test_handover_page_reports_what_moved(client, org, book):
    org_services.mark_user_left(org.admin, org.rep)
    client.force_login(org.manager)
    page = client.get("/customers/handover/").content.decode()
    assert "华北销售" in page  # listed among people who left with customers
    response = client.post("/customers/handover/", {"leaver": org.rep.pk, "successor": org.dept_viewer.pk})
    assert response.context["summary"].customers == 2
