"""Cost prices are seen only with products.costs — in every output: the product list (header and cells), the
product page, the API (products, stock, ledger, stock-in lines), the ledger page, the stock-in page and the Excel
export. One decision (kehu/products/costs.py) feeds them all; this walks each as a user with and without it."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kehu.products import documents
from kehu.products.models import StockIn

COST, UNIT_COST = "987.65", "432.10"


@pytest.fixture
def costed(stockroom):
    s = stockroom
    s.switch.cost_price = COST
    s.switch.save()
    stock_in = documents.create_stock_in(
        s.ops, warehouse=s.main.pk, lines=[{"product": s.switch.pk, "quantity": "4", "unit_cost": UNIT_COST}]
    )
    return documents.submit(s.ops, StockIn, stock_in.pk)


def outputs(client, s, stock_in) -> dict[str, str]:
    """Every output that could show a cost, as text."""
    pages = {
        "product list": reverse("products:list"),
        "product page": reverse("products:detail", kwargs={"pk": s.switch.pk}),
        "ledger page": reverse("products:ledger") + f"?product={s.switch.pk}",
        "stock-in page": reverse("products:stock_in_detail", kwargs={"pk": stock_in.pk}),
        "API products": reverse("api:product-list"),
        "API product": reverse("api:product-detail", kwargs={"pk": s.switch.pk}),
        "API stock": reverse("api:stock-list"),
        "API ledger": reverse("api:stock-move-list"),
        "API stock-in": reverse("api:stock-in-detail", kwargs={"pk": stock_in.pk}),
    }
    found = {}
    for name, url in pages.items():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, (name, response.status_code)
        found[name] = response.content.decode()
    export = client.get(reverse("products:export"))
    assert export.status_code == 200
    sheet = load_workbook(BytesIO(export.content)).worksheets[0]
    found["export"] = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
    return found


def test_who_may_see_costs_sees_them_everywhere(client, stockroom, costed, org):
    client.force_login(org.admin)  # sales operations: products.costs
    seen = outputs(client, stockroom, costed)
    assert COST in seen["product page"] and "Cost price" in seen["product list"] and COST in seen["product list"]
    assert '"cost_price":"987.65"' in seen["API products"] and '"cost_price":"987.65"' in seen["API product"]
    assert '"cost_value":"3950.60"' in seen["API stock"]
    assert f'"unit_cost":"{UNIT_COST}"' in seen["API ledger"] and f'"unit_cost":"{UNIT_COST}"' in seen["API stock-in"]
    assert UNIT_COST in seen["ledger page"] and UNIT_COST in seen["stock-in page"]
    assert "成本价" in seen["export"] and "987.65" in seen["export"]


@pytest.fixture
def viewer(org):
    """Sees every warehouse and may export, but not costs."""
    from tests.factories import UserFactory, make_role

    role = make_role("t_stock_viewer", {"products": (("view", "export", "stock"), "all")})
    return UserFactory(username="viewer", name="查看", department=org.ops, roles=[role])


@pytest.mark.parametrize("who", ["rep", "viewer"])
def test_who_may_not_see_costs_finds_them_nowhere(client, stockroom, costed, org, viewer, who):
    client.force_login(viewer if who == "viewer" else org.rep)
    seen = outputs(client, stockroom, costed) if who != "rep" else _without_export(client, stockroom, costed)
    for name, text in seen.items():
        for secret in (
            COST,
            UNIT_COST,
            "3950.6",
            "cost_price",
            "unit_cost",
            "cost_value",
            "Cost price",
            "Unit cost",
            "成本价",
        ):
            assert secret not in text, (who, name, secret)


def _without_export(client, s, stock_in):
    """The rep may not export at all (403); every other output is walked."""
    assert client.get(reverse("products:export")).status_code == 403
    client_outputs = {}
    for name, url in {
        "product list": reverse("products:list"),
        "product page": reverse("products:detail", kwargs={"pk": s.switch.pk}),
        "API products": reverse("api:product-list"),
        "API product": reverse("api:product-detail", kwargs={"pk": s.switch.pk}),
        "API picker": reverse("api:product-picker") + "?q=sw",
    }.items():
        response = client.get(url)
        assert response.status_code == 200, name
        client_outputs[name] = response.content.decode()
    return client_outputs
