"""The approval story of issue 4 in a real browser: sales ops design and publish a customer-creation flow with a
branch (A-level customers also go to the sales director); a rep creates an A-level customer on a PC; the
department head approves it on a phone; the director returns it once with a comment; the rep corrects it and
resubmits; both approve — the customer is active and its page shows the whole trail."""

import pytest

from kehu.approvals.models import FlowDefinition, FlowInstance
from kehu.core.models import DictionaryItem
from kehu.customers.models import Customer
from tests.e2e.conftest import DESKTOP, PHONE, Tab
from tests.e2e.test_navigation import OVERFLOW_JS
from tests.factories import DepartmentTree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def click_and_wait(tab: Tab, locator):
    with tab.page.expect_navigation(wait_until="load") as navigation:
        (tab.page.locator(locator) if isinstance(locator, str) else locator).click()
    return navigation.value


def designer_card(tab: Tab, node_id: str):
    return tab.page.locator(f"[data-node-card={node_id}]")


def test_ops_publish_a_branching_flow_and_a_customer_goes_through_it_with_a_return(page_for):
    org = DepartmentTree.build()
    org.north.head = org.manager
    org.north.save()
    level_a = DictionaryItem.objects.get(dictionary__code="customer_level", code="a")

    # Sales ops design the flow in the browser: department head → branch on level A → sales director.
    ops = page_for(DESKTOP)
    ops.login(org.admin.username)
    ops.goto("/approvals/flows/customers.create/")
    n1 = designer_card(ops, "n1")
    n1.locator("[data-input=name]").fill("部门主管审批")
    n1.locator("[data-action=insert-branch]").click()
    ops.page.locator("[data-action=add-approval]").click()
    n2 = designer_card(ops, "n2")
    n2.locator("[data-input=name]").fill("销售总监审批")
    n2.locator("[data-input=approver-kind]").select_option("users")
    n2.locator("[data-input=users-filter]").fill(org.director.name)  # 500 people: find by name first
    assert n2.locator("[data-input=users] option").count() == 1
    n2.locator("[data-input=users]").select_option(str(org.director.pk))
    b1 = designer_card(ops, "b1")
    b1.locator("[data-input=name]").fill("客户等级")
    branch = b1.locator("[data-branch='0']")
    branch.locator("[data-input=branch-name]").fill("A 级客户")
    branch.locator("[data-input=cond-field]").select_option("level")
    branch.locator("[data-input=cond-value]").select_option("a")
    branch.locator("[data-input=branch-next]").select_option("n2")
    ops.page.wait_for_selector(".designer-ok")  # the live check finds nothing wrong
    ops.page.wait_for_selector("#designer-preview [data-node=n2]")
    click_and_wait(ops, "button[name=publish]")
    assert ops.page.evaluate("location.pathname") == "/approvals/flows/"
    definition = FlowDefinition.objects.get(doc_type="customers.create", status="published")
    nodes = definition.graph["nodes"]
    assert definition.graph["start"] == "n1"
    assert nodes["n1"]["next"] == "b1" and nodes["n1"]["approvers"] == {"kind": "department_head"}
    assert nodes["b1"]["branches"] == [
        {"name": "A 级客户", "condition": {"all": [{"field": "level", "op": "eq", "value": "a"}]}, "next": "n2"}
    ]
    assert nodes["b1"]["default"] == "end"
    assert nodes["n2"]["approvers"] == {"kind": "users", "users": [org.director.pk]}
    ops.assert_clean()

    # A rep records an A-level customer on the PC: it goes into approval.
    rep = page_for(DESKTOP)
    rep.login(org.rep.username)
    rep.goto("/customers/new/")
    rep.page.fill("#id_name", "北京远航智能装备有限公司")
    rep.page.select_option("#id_level", str(level_a.pk))
    rep.page.fill("#id_contact_name", "周总")
    rep.page.fill("#id_contact_mobile", "13912345678")
    click_and_wait(rep, "#save-customer")
    customer = Customer.objects.get(name="北京远航智能装备有限公司")
    assert customer.status == Customer.Status.PENDING
    assert "已保存并提交审批" in rep.page.inner_text("#toasts")
    instance = FlowInstance.objects.get(object_id=customer.pk)

    # The department head approves on the phone, from the to-do tab of the bottom bar.
    head = page_for(PHONE)
    head.login(org.manager.username)
    assert head.page.inner_text(".bottombar [data-menu=approval_todo] .bottom-badge") == "1"
    click_and_wait(head, ".bottombar [data-menu=approval_todo]")
    click_and_wait(head, head.page.get_by_role("link", name=customer.name))
    assert head.page.evaluate(OVERFLOW_JS, PHONE["width"])["scrollWidth"] <= PHONE["width"]
    head.page.fill("#id_comment", "客户资质没问题")
    click_and_wait(head, "button[value=approve]")
    instance.refresh_from_db()
    assert instance.current_node == "n2"  # A-level: the branch sends it to the director
    head.assert_clean()

    # The director returns it to the rep with a comment.
    director = page_for(DESKTOP)
    director.login(org.director.username)
    director.goto(f"/approvals/{instance.pk}/")
    assert director.page.get_attribute("[data-node=n2]", "data-state") == "current"
    director.page.fill("#id_comment", "请补充客户地址")
    director.page.select_option("select[name=to]", "submitter")
    click_and_wait(director, "button[value=return]")
    instance.refresh_from_db()
    customer.refresh_from_db()
    assert (instance.state, customer.status) == ("returned", Customer.Status.DRAFT)

    # The rep corrects the customer and submits it again.
    rep.goto(f"/customers/{customer.pk}/")
    assert "请补充客户地址" in rep.page.inner_text(".document-approval")
    click_and_wait(rep, rep.page.locator(".page-actions a[href$='/edit/']"))
    rep.page.fill("#id_address", "北京市海淀区中关村大街 1 号")
    click_and_wait(rep, "#save-customer")
    click_and_wait(rep, rep.page.get_by_role("button", name="提交审批"))
    customer.refresh_from_db()
    assert customer.status == Customer.Status.PENDING

    # Both approve again: the head on the phone, then the director.
    head.goto(f"/approvals/{instance.pk}/")
    click_and_wait(head, "button[value=approve]")
    director.goto(f"/approvals/{instance.pk}/")
    director.page.fill("#id_comment", "同意")
    click_and_wait(director, "button[value=approve]")
    customer.refresh_from_db()
    instance.refresh_from_db()
    assert (customer.status, customer.address, instance.state) == ("active", "北京市海淀区中关村大街 1 号", "approved")

    # The customer's page shows the whole trail, in order.
    rep.goto(f"/customers/{customer.pk}/?tab=approvals")
    kinds = rep.page.eval_on_selector_all(".document-approval .timeline-entry", "els => els.map(e => e.dataset.kind)")
    assert kinds == ["submit", "approve", "return", "resubmit", "approve", "approve", "finish"]
    trail = rep.page.inner_text(".document-approval")
    for text in ("客户资质没问题", "请补充客户地址", org.manager.display_name, org.director.display_name, "记录完整"):
        assert text in trail
    assert rep.page.get_attribute(".document-approval [data-node=end]", "data-state") == "done"
    for tab in (rep, director):
        tab.assert_clean()
