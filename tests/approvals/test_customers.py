"""Customer creation and transfers/handovers going through approval (customers/approvals.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kehu.approvals import services as approvals
from kehu.approvals.models import FlowInstance
from kehu.core.models import DictionaryItem
from kehu.customers import services
from kehu.customers.models import Customer, CustomerEvent, TransferRequest
from tests.approvals.helpers import approval, flow, holders, people, publish, task_of

pytestmark = pytest.mark.django_db


def level(code):
    return DictionaryItem.objects.get(dictionary__code="customer_level", code=code)


def creation_flow(org):
    return flow(
        {
            "n1": approval("经理", people(org.manager), "b1", editable_fields=["level", "name"]),
            "b1": {
                "type": "branch",
                "name": "等级",
                "branches": [{"name": "A", "condition": {"field": "level", "op": "eq", "value": "a"}, "next": "n2"}],
                "default": "end",
            },
            "n2": approval("总监", people(org.director)),
        }
    )


def test_without_a_flow_customers_are_active_at_once(org):
    customer = services.create_customer(org.rep, {"name": "无需审批有限公司"})
    assert customer.status == Customer.Status.ACTIVE
    assert not FlowInstance.objects.exists()


def test_a_new_customer_waits_locked_and_approval_writes_the_corrected_form(org):
    publish(org.admin, creation_flow(org), "customers.create")
    customer = services.create_customer(org.rep, {"name": "上海审批测试有限公司", "level": level("b")})
    assert customer.status == Customer.Status.PENDING
    with pytest.raises(ValidationError) as refused:
        services.update_customer(org.rep, customer, {"notes": "改一下"}, None)
    assert refused.value.messages == ["该客户正在审批中，审批结束前不能修改。"]
    instance = FlowInstance.objects.get(object_id=customer.pk)
    assert instance.form["level"] == "b"
    with pytest.raises(ValidationError) as refused:
        approvals.approve(org.manager, task_of(org.manager, instance).pk, "", {"level": "zz"})
    assert refused.value.message_dict == {"level": ["请从列表中选择。"]}
    # The manager raises the level to A: the branch now also asks the director, and approval writes it.
    approvals.approve(org.manager, task_of(org.manager, instance).pk, "重点客户", {"level": "a"})
    assert holders(instance) == ["director"]
    approvals.approve(org.director, task_of(org.director, instance).pk)
    customer.refresh_from_db()
    assert (customer.status, customer.level.code) == (Customer.Status.ACTIVE, "a")
    assert list(customer.events.values_list("kind", flat=True)) == ["approved", "submitted", "created"]
    assert customer.history.first().history_change_reason == "审批通过"


def test_rejected_customers_say_rejected_and_their_owner_can_fix_and_submit_them_again(org):
    publish(org.admin, creation_flow(org), "customers.create")
    customer = services.create_customer(org.rep, {"name": "驳回测试有限公司"})
    first = FlowInstance.objects.get(object_id=customer.pk)
    approvals.reject(org.manager, task_of(org.manager, first).pk, "名称不全")
    customer.refresh_from_db()
    assert customer.status == Customer.Status.REJECTED  # not "draft": the page says what happened
    with translation.override("zh-hans"):
        assert customer.get_status_display() == "已驳回"
        assert str(customer.events.first().text) == "已驳回 · 名称不全"
    assert customer.events.first().kind == CustomerEvent.Kind.BACK_TO_DRAFT
    services.update_customer(org.rep, customer, {"name": "驳回测试科技有限公司"}, None)
    customer = services.submit_customer(org.rep, customer)
    assert customer.status == Customer.Status.PENDING
    second = FlowInstance.objects.filter(object_id=customer.pk).exclude(pk=first.pk).get()
    assert second.form["name"] == "驳回测试科技有限公司"
    with pytest.raises(ValidationError):
        services.submit_customer(org.rep, customer)  # pending already


def test_a_draft_is_simply_activated_when_ops_turned_approval_off(org):
    publish(org.admin, creation_flow(org), "customers.create")
    customer = services.create_customer(org.rep, {"name": "关闭审批有限公司"})
    approvals.withdraw(org.rep, FlowInstance.objects.get(object_id=customer.pk).pk)
    approvals.turn_off(org.admin, "customers.create")
    assert services.submit_customer(org.rep, customer).status == Customer.Status.ACTIVE


def test_transfers_wait_for_approval_and_approval_moves_the_customers(org):
    publish(
        org.admin,
        flow(
            {
                "n1": approval("运营", people(org.admin), "r1"),
                "r1": {
                    "type": "review",
                    "name": "新负责人知悉",
                    "approvers": {"kind": "field", "field": "to_user"},
                    "next": "end",
                },
            }
        ),
        "customers.transfer",
    )
    a = services.create_customer(org.rep, {"name": "转移甲有限公司"})
    b = services.create_customer(org.rep, {"name": "转移乙有限公司"})
    summary = services.transfer_customers(org.manager, [a.pk, b.pk], org.rep_bj, "区域调整")
    request = summary.request
    assert (summary.customers, request.status, request.customer_ids) == (2, "pending", [a.pk, b.pk])
    a.refresh_from_db()
    assert a.owner == org.rep  # nothing moved yet
    instance = FlowInstance.objects.get(pk=summary.request_instance_id)
    assert instance.form["customer_count"] == 2 and instance.form["to_user"] == org.rep_bj.pk
    approvals.approve(org.admin, task_of(org.admin, instance).pk)
    a.refresh_from_db()
    b.refresh_from_db()
    request.refresh_from_db()
    assert (a.owner, b.owner, request.status) == (org.rep_bj, org.rep_bj, "done")
    review = instance.tasks.get(kind="review")
    assert review.assignee == org.rep_bj


def test_a_rejected_handover_moves_nothing(org):
    publish(org.admin, flow({"n1": approval("运营", people(org.admin))}), "customers.transfer")
    customer = services.create_customer(org.rep, {"name": "交接有限公司"})
    summary = services.hand_over(org.manager, org.rep, org.rep_bj)
    instance = FlowInstance.objects.get(pk=summary.request_instance_id)
    approvals.reject(org.admin, task_of(org.admin, instance).pk, "先别交接")
    customer.refresh_from_db()
    summary.request.refresh_from_db()
    assert (customer.owner, summary.request.status) == (org.rep, TransferRequest.Status.DROPPED)


def test_a_customer_in_approval_cannot_be_merged_and_a_correction_cannot_create_a_duplicate(org):
    publish(org.admin, creation_flow(org), "customers.create")
    existing = services.create_customer(org.rep_east, {"name": "已有客户有限公司"}, status=Customer.Status.ACTIVE)
    pending = services.create_customer(org.rep, {"name": "新建待批有限公司"})
    with pytest.raises(ValidationError) as refused:
        services.merge_customers(org.admin, existing, pending)
    assert refused.value.message_dict == {"duplicate": ["审批中的客户在审批结束前不能合并。"]}
    instance = FlowInstance.objects.get(object_id=pending.pk)
    with pytest.raises(ValidationError) as refused:
        approvals.approve(org.manager, task_of(org.manager, instance).pk, "", {"name": "已有客户有限公司"})
    assert refused.value.message_dict["name"][0].startswith("已存在同名客户")


def test_a_returned_customer_goes_back_into_its_approval_even_after_ops_turned_approval_off(org):
    publish(org.admin, creation_flow(org), "customers.create")
    customer = services.create_customer(org.rep, {"name": "关闭后重提有限公司"})
    instance = FlowInstance.objects.get(object_id=customer.pk)
    approvals.return_(org.manager, task_of(org.manager, instance).pk, "补资料", "submitter")
    approvals.turn_off(org.admin, "customers.create")
    customer.refresh_from_db()
    assert services.submit_customer(org.rep, customer).status == Customer.Status.PENDING
    instance.refresh_from_db()
    assert (instance.state, instance.round) == ("running", 2)


def test_an_edit_opened_before_submitting_is_refused_as_stale(org):
    from kehu.core.locking import StaleEdit

    publish(org.admin, creation_flow(org), "customers.create")
    customer = services.create_customer(org.rep, {"name": "并发编辑有限公司"})
    approvals.withdraw(org.rep, FlowInstance.objects.get(object_id=customer.pk).pk)
    customer.refresh_from_db()
    opened_version = customer.version
    services.submit_customer(org.rep, customer)
    customer.status = Customer.Status.DRAFT  # the edit form was opened while it was still a draft
    with pytest.raises((StaleEdit, ValidationError)):
        services.update_customer(org.rep, customer, {"notes": "改"}, opened_version)
    customer.refresh_from_db()
    assert customer.status == Customer.Status.PENDING


def test_while_new_customers_need_approval_only_sales_ops_import(org, client):
    from django.core.exceptions import PermissionDenied

    from kehu.customers import imports
    from tests.factories import log_in

    assert imports.check_importer(org.rep, None) == org.rep  # no flow: reps import
    publish(org.admin, creation_flow(org), "customers.create")
    with pytest.raises(PermissionDenied) as refused:
        imports.check_importer(org.rep, None)
    assert str(refused.value) == "新客户需要审批：请逐个新建，或请销售管理部门导入此文件。"
    assert imports.check_importer(org.admin, None) == org.admin  # customers.manage: imported customers are active
    log_in(client, org.rep.username, "secret-pass-123")
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post("/customers/import/", {"file": SimpleUploadedFile("a.xlsx", b"PK\x03\x04")}).content.decode()
    assert "新客户需要审批：请逐个新建，或请销售管理部门导入此文件。" in page


def test_a_corrected_website_passes_the_same_check_as_an_edit(org):
    """Issue 10, item 16: a correctable website accepted `javascript:alert(…)`."""
    publish(
        org.admin, flow({"n1": approval("经理", people(org.manager), editable_fields=["website"])}), "customers.create"
    )
    customer = services.create_customer(org.rep, {"name": "网址校验有限公司"})
    task = task_of(org.manager, FlowInstance.objects.get(object_id=customer.pk))
    with pytest.raises(ValidationError) as refused:
        approvals.approve(org.manager, task.pk, "", {"website": "javascript:alert(document.cookie)"})
    assert refused.value.message_dict == {"website": ["请输入有效的网址。"]}
    active = services.create_customer(org.rep, {"name": "已生效有限公司"}, status=Customer.Status.ACTIVE)
    with pytest.raises(ValidationError) as refused:
        services.update_customer(org.rep, active, {"website": "javascript:alert(document.cookie)"}, None)
    assert refused.value.message_dict == {"website": ["请输入有效的网址。"]}
    approvals.approve(org.manager, task.pk, "", {"website": "www.example.com"})
    customer.refresh_from_db()
    assert (customer.status, customer.website) == (Customer.Status.ACTIVE, "https://www.example.com")


def test_only_a_draft_customer_is_submitted_and_the_refusal_says_why(org):
    publish(org.admin, creation_flow(org), "customers.create")
    customer = services.create_customer(org.rep, {"name": "重复提交有限公司"})
    with pytest.raises(ValidationError) as refused:
        services.submit_customer(org.rep, customer)
    assert refused.value.messages == ["此单据当前为“审批中”，不能提交审批。"]
