"""A warehouse keeper on a phone (375×812) enters a stock-in — the product typed as its SKU, picked from the
catalogue — and submits it; the manager approves it on a phone; the stock level rises and the ledger shows the
stock-in. No JavaScript or console error, no sideways scrolling."""

from decimal import Decimal

import pytest

from kehu.approvals import services as approvals
from kehu.approvals.models import FlowInstance
from kehu.org.models import Department, Role
from kehu.products import ledger, services
from kehu.products.models import Stock, StockIn
from tests.approvals.helpers import approval, flow, people
from tests.e2e.conftest import PHONE, Tab
from tests.e2e.test_navigation import OVERFLOW_JS
from tests.factories import DepartmentTree, UserFactory, add_department

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fits_the_phone(tab: Tab) -> None:
    layout = tab.page.evaluate(OVERFLOW_JS, PHONE["width"])
    assert layout["scrollWidth"] <= PHONE["width"], layout


def click_and_wait(tab: Tab, selector):
    with tab.page.expect_navigation(wait_until="load") as navigation:
        (tab.page.locator(selector) if isinstance(selector, str) else selector).click()
    return navigation.value


def test_a_keeper_enters_a_stock_in_on_a_phone_a_manager_approves_it_and_the_stock_rises(page_for):
    org = DepartmentTree.build()
    ops = org.admin
    store = add_department("仓储物流部", Department.objects.get(pk=org.root.pk))
    keeper = UserFactory(
        username="keeper", name="库管员", department=store, roles=[Role.objects.get(code="warehouse_keeper")]
    )
    warehouse = services.save_warehouse(ops, code="BJ01", name="北京总仓", owner=keeper, keepers=[keeper])
    category = services.create_category(ops, name="网络设备")
    switch = services.create_product(
        ops, {"sku": "SW-24G", "name": "千兆交换机", "category": category.pk, "list_price": "1200", "min_stock": "5"}
    )
    ledger.post_movement(product=switch, warehouse=warehouse, quantity="2", kind="stock_in")  # low: 2 < 5
    graph = flow({"n1": approval("仓储经理审批", people(org.manager))})
    approvals.publish(ops, approvals.save_draft(ops, "products.stock_in", "入库审批", graph))

    # The keeper opens the stock-ins, starts a new one and types the SKU (the picker offers the product).
    tab = page_for(PHONE)
    assert tab.login(keeper.username).status == 200
    tab.goto("/products/stock-ins/")
    fits_the_phone(tab)
    click_and_wait(tab, "#new-stock-in")
    fits_the_phone(tab)
    tab.page.select_option("#id_warehouse", label="北京总仓")
    tab.page.fill("#id_supplier", "深圳华信科技有限公司")
    tab.page.fill("#line-0-product", "sw-24")
    tab.page.wait_for_selector("#product-options option[value='SW-24G']", state="attached")
    tab.page.fill("#line-0-product", "SW-24G")
    tab.page.fill("#line-0-quantity", "10")
    tab.page.fill("#line-0-unit_cost", "800")
    button = tab.page.locator("#submit-stock-in").bounding_box()
    assert button["height"] >= 38, button
    assert click_and_wait(tab, "#submit-stock-in").status == 200
    stock_in = StockIn.objects.get()
    assert tab.page.evaluate("location.pathname") == f"/products/stock-ins/{stock_in.pk}/"
    assert stock_in.status == "pending"
    assert Stock.objects.get(product=switch, warehouse=warehouse).quantity == 2  # not before the approval
    fits_the_phone(tab)

    # The manager approves it on a phone.
    manager = page_for(PHONE)
    manager.login(org.manager.username)
    instance = FlowInstance.objects.get(doc_type="products.stock_in", object_id=stock_in.pk)
    manager.goto(f"/approvals/{instance.pk}/")
    fits_the_phone(manager)
    assert "SW-24G 千兆交换机 × 10 个" in manager.page.inner_text("body")
    manager.page.fill("#id_comment", "已到货")
    click_and_wait(manager, "button[value=approve]")
    stock_in.refresh_from_db()
    assert stock_in.status == "approved"
    manager.assert_clean()

    # The keeper sees the stock risen, off the low-stock list, and the stock-in in the ledger.
    assert Stock.objects.get(product=switch, warehouse=warehouse).quantity == Decimal("12")
    tab.goto("/products/stock/")
    row = tab.page.locator("tr", has_text="SW-24G")
    assert "北京总仓\n12 个" in row.inner_text()
    fits_the_phone(tab)
    tab.goto("/products/stock/low/")
    assert "SW-24G" not in tab.page.inner_text("main")
    tab.goto(f"/products/ledger/?product={switch.pk}")
    assert stock_in.number in tab.page.inner_text("main")
    fits_the_phone(tab)
    tab.assert_clean()
