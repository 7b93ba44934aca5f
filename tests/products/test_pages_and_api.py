"""The pages and the REST API of products and stock: the same services and rules (field errors as 400 with the
field, never a 500), the product picker, stock sorted by quantity, the stock-in form on the page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kehu.products import ledger
from kehu.products.models import Product, Stock, StockIn, StockMove

PAGES = [
    "products:list",
    "products:create",
    "products:categories",
    "products:price_lists",
    "products:warehouses",
    "products:stock",
    "products:low_stock",
    "products:ledger",
    "products:stock_ins",
    "products:stock_in_add",
    "products:stocktakes",
    "products:stocktake_add",
    "products:import",
]


@pytest.mark.parametrize("who", ["ops", "keeper"])
def test_every_page_answers(client, stockroom, who):
    client.force_login(getattr(stockroom, who))
    ledger.post_movement(product=stockroom.switch, warehouse=stockroom.main, quantity="2", kind="stock_in")
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, (name, response.status_code)
    for url in (
        reverse("products:detail", kwargs={"pk": stockroom.switch.pk}),
        reverse("products:edit", kwargs={"pk": stockroom.switch.pk}),
        reverse("products:ledger") + f"?product={stockroom.switch.pk}",
    ):
        assert client.get(url).status_code == 200, url


def test_the_low_stock_page_lists_what_is_below_its_minimum(client, stockroom):
    s = stockroom
    ledger.post_movement(product=s.switch, warehouse=s.main, quantity="2", kind="stock_in")  # minimum 5: low
    ledger.post_movement(product=s.cable, warehouse=s.main, quantity="2", kind="stock_in")  # no minimum
    client.force_login(s.keeper)
    page = client.get(reverse("products:low_stock"))
    assert [(st.product.sku, st.quantity) for st in page.context["page"].object_list] == [("SW-24", Decimal("2"))]


def test_a_keeper_enters_a_stock_in_on_the_page_by_typing_skus(client, stockroom):
    s = stockroom
    client.force_login(s.keeper)
    response = client.post(
        reverse("products:stock_in_add"),
        {
            "warehouse": s.main.pk,
            "supplier": "华为",
            "line_count": "3",
            "line-0-product": "ｓｗ－２４",
            "line-0-quantity": "6",
            "line-0-unit_cost": "780",
            "line-1-product": "CB-6",
            "line-1-quantity": "100",
            "submit": "1",
        },
    )
    stock_in = StockIn.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "products:stock_in_detail", kwargs={"pk": stock_in.pk}
    )
    assert stock_in.status == "approved"  # no flow published: posted at once
    assert Stock.objects.get(product=s.switch, warehouse=s.main).quantity == 6


def test_a_bad_line_on_the_page_is_shown_with_its_line_and_nothing_is_saved(client, stockroom):
    s = stockroom
    client.force_login(s.keeper)
    response = client.post(
        reverse("products:stock_in_add"),
        {
            "warehouse": s.main.pk,
            "line_count": "2",
            "line-0-product": "NOPE-1",
            "line-0-quantity": "1",
            "line-1-product": "CB-6",
            "line-1-quantity": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["line_errors"] == [
        "Line 1: choose a product from the catalogue.",
        "Line 2: the quantity must be more than zero.",
    ]
    assert StockIn.objects.count() == 0


def test_the_api_creates_products_and_refuses_a_duplicate_sku_with_the_field(client, stockroom):
    client.force_login(stockroom.ops)
    url = reverse("api:product-list")
    body = {"sku": "AP-9", "name": "无线接入点", "category": stockroom.hardware.pk, "list_price": "450"}
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["tax_rate"] == "0.1300"
    again = client.post(url, {**body, "sku": "ａｐ-9"}, content_type="application/json")
    assert again.status_code == 400
    assert list(again.json()["error"]["fields"]) == ["sku"]
    edited = client.patch(
        reverse("api:product-detail", kwargs={"pk": created.json()["id"]}),
        {"list_price": "430", "version": 1},
        content_type="application/json",
    )
    assert edited.status_code == 200, edited.json()
    assert edited.json()["list_price"] == "430.00"
    stale = client.patch(
        reverse("api:product-detail", kwargs={"pk": created.json()["id"]}),
        {"list_price": "420", "version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 409


def test_the_picker_finds_products_on_sale_by_name_pinyin_and_sku(client, stockroom, org):
    Product.objects.filter(pk=stockroom.cable.pk).update(status="discontinued")
    client.force_login(org.rep)
    url = reverse("api:product-picker")
    assert [row["sku"] for row in client.get(url, {"q": "qzjhj"}).json()] == ["SW-24"]
    assert [row["sku"] for row in client.get(url, {"q": "路由"}).json()] == ["RT-1"]
    assert [row["sku"] for row in client.get(url, {"q": "cb"}).json()] == []  # discontinued
    assert sorted(client.get(url, {"q": "sw"}).json()[0]) == [
        "id",
        "list_price",
        "name",
        "sku",
        "specification",
        "status",
        "tax_rate",
        "unit",
    ]


def test_the_api_stock_in_cycle_and_its_refusals(client, stockroom):
    s = stockroom
    client.force_login(s.keeper)
    url = reverse("api:stock-in-list")
    refused = client.post(
        url,
        {"warehouse": s.main.pk, "lines": [{"product": s.switch.pk, "quantity": "-2"}]},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"lines": ["Line 1: the quantity must be more than zero."]}
    unknown = client.post(
        url, {"warehouse": 10**9, "lines": [{"product": s.switch.pk, "quantity": "2"}]}, content_type="application/json"
    )
    assert unknown.json()["error"]["fields"] == {"warehouse": ["Choose a warehouse in use."]}
    created = client.post(
        url,
        {"warehouse": s.main.pk, "lines": [{"product": s.switch.pk, "quantity": "2"}]},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["status"] == "draft"
    pk = created.json()["id"]
    submitted = client.post(reverse("api:stock-in-submit", kwargs={"pk": pk}))
    assert submitted.status_code == 200 and submitted.json()["status"] == "approved"
    assert client.post(reverse("api:stock-in-submit", kwargs={"pk": pk})).status_code == 400
    assert client.post(reverse("api:stock-in-cancel", kwargs={"pk": pk}), {"reason": "x"}).status_code == 403
    client.force_login(s.ops)
    cancelled = client.post(
        reverse("api:stock-in-cancel", kwargs={"pk": pk}), {"reason": "录错"}, content_type="application/json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    moves = client.get(reverse("api:stock-move-list"), {"product": s.switch.pk}).json()["results"]
    assert [(m["kind"], m["quantity"], m["balance"]) for m in moves] == [
        ("stock_in_cancel", "-2.000", "0.000"),
        ("stock_in", "2.000", "2.000"),
    ]


def test_stock_is_sorted_by_quantity_on_the_page_and_the_api_alike(client, stockroom):
    s = stockroom
    for product, quantity in ((s.switch, "7"), (s.router, "2"), (s.cable, "300")):
        ledger.post_movement(product=product, warehouse=s.main, quantity=quantity, kind="stock_in")
    client.force_login(s.keeper)
    api = client.get(reverse("api:stock-list"), {"sort": "-quantity"}).json()["results"]
    assert [row["sku"] for row in api] == ["CB-6", "SW-24", "RT-1"]
    page = client.get(reverse("products:stock"), {"sort": "quantity"})
    assert [st.product.sku for st in page.context["page"].object_list] == ["RT-1", "SW-24", "CB-6"]


def test_an_adjustment_needs_a_reason_and_ops(client, stockroom):
    s = stockroom
    client.force_login(s.ops)
    url = reverse("api:stock-move-adjust")
    body = {"warehouse": s.main.pk, "product": s.router.pk, "quantity": "-1", "note": "损坏"}
    below = client.post(url, body, content_type="application/json")
    assert below.status_code == 400
    assert below.json()["error"]["fields"] == {
        "quantity": ["Only 0 个 of RT-1 企业路由器 are in stock in 北京总仓; 1 cannot go out."]
    }
    done = client.post(url, {**body, "quantity": "3", "note": "盘盈"}, content_type="application/json")
    assert done.status_code == 201 and done.json()["balance"] == "3.000"
    assert StockMove.objects.filter(kind="adjustment").count() == 1
    client.force_login(s.keeper)
    assert client.post(url, body, content_type="application/json").status_code == 403


def test_the_price_a_visible_customer_gets(client, stockroom, org):
    from datetime import date

    from kehu.customers.models import Customer
    from kehu.products import services

    level = __import__("kehu.core.models", fromlist=["DictionaryItem"]).DictionaryItem.objects.get(
        dictionary__code="customer_level", code="a"
    )
    services.save_price_list(
        stockroom.ops, name="A", customer_level=level, valid_from=date(2020, 1, 1), items=[(stockroom.switch, "999")]
    )
    mine = Customer.objects.create(
        number="CU-P-1", name="甲", name_normalized="甲", owner=org.rep, owner_department=org.north, level=level
    )
    other = Customer.objects.create(
        number="CU-P-2", name="乙", name_normalized="乙", owner=org.rep_east, owner_department=org.east, level=level
    )
    client.force_login(org.rep)
    url = reverse("api:price-list-price")
    assert client.get(url, {"product": stockroom.switch.pk, "customer": mine.pk}).json()["price"] == "999.00"
    assert client.get(url, {"product": stockroom.switch.pk}).json()["price"] == "1200.00"
    assert client.get(url, {"product": stockroom.switch.pk, "customer": other.pk}).status_code == 404
    assert client.get(url, {"product": "x"}).status_code == 400


def test_ops_create_and_change_warehouses_through_the_api(client, stockroom, org):
    client.force_login(stockroom.ops)
    url = reverse("api:warehouse-list")
    created = client.post(
        url,
        {"code": "gz01", "name": "广州仓", "owner": stockroom.keeper.pk, "keepers": [stockroom.keeper.pk]},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert (created.json()["code"], created.json()["is_default"]) == ("GZ01", False)
    duplicate = client.post(
        url, {"code": "GZ01", "name": "x", "owner": stockroom.keeper.pk}, content_type="application/json"
    )
    assert duplicate.json()["error"]["fields"] == {"code": ["Another warehouse has this code."]}
    pk = created.json()["id"]
    changed = client.patch(
        reverse("api:warehouse-detail", kwargs={"pk": pk}),
        {"allow_negative": True, "is_default": True},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["allow_negative"] is True
    assert list(
        __import__("kehu.products.models", fromlist=["Warehouse"])
        .Warehouse.objects.filter(is_default=True)
        .values_list("code", flat=True)
    ) == ["GZ01"]
    client.force_login(stockroom.keeper)
    assert (
        client.post(
            url, {"code": "X", "name": "x", "owner": stockroom.keeper.pk}, content_type="application/json"
        ).status_code
        == 403
    )
