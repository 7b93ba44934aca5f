"""A small catalogue and two warehouses on top of the test organisation: the main warehouse kept by `keeper` (a
warehouse keeper of the ops department, not its owner), the second owned by the east rep's department."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from kehu.org.models import Department, Role
from kehu.products import services
from kehu.products.models import Category, Product, Warehouse
from tests.factories import UserFactory, add_department


@dataclass
class Stockroom:
    keeper: object
    ops: object
    main: Warehouse
    east: Warehouse
    hardware: Category
    switches: Category
    switch: Product
    router: Product
    cable: Product


@pytest.fixture(autouse=True)
def english(client):
    """Messages are asserted in the English source (Chinese is the default language), in services and requests."""
    from django.utils import translation

    client.cookies["kehu_language"] = "en"
    with translation.override("en"):
        yield


def make_product(actor, sku, name, category, price="100", **extra) -> Product:
    return services.create_product(
        actor, {"sku": sku, "name": name, "category": category.pk, "list_price": price, **extra}
    )


@pytest.fixture
def stockroom(org) -> Stockroom:
    ops = org.admin
    warehouse_dept = add_department("仓储物流部", Department.objects.get(pk=org.root.pk))
    keeper = UserFactory(
        username="keeper", name="库管员", department=warehouse_dept, roles=[Role.objects.get(code="warehouse_keeper")]
    )
    head = UserFactory(username="head_keeper", name="仓储主管", department=warehouse_dept)
    hardware = services.create_category(ops, name="网络设备")
    switches = services.create_category(ops, name="交换机", parent=hardware)
    main = services.save_warehouse(ops, code="WH01", name="北京总仓", owner=head, keepers=[keeper])
    east = services.save_warehouse(ops, code="WH02", name="上海分仓", owner=org.rep_east)
    return Stockroom(
        keeper=keeper,
        ops=ops,
        main=main,
        east=east,
        hardware=hardware,
        switches=switches,
        switch=make_product(ops, "SW-24", "千兆交换机", switches, "1200", cost_price="800", min_stock="5"),
        router=make_product(ops, "RT-1", "企业路由器", hardware, "3000", cost_price="2100"),
        cable=make_product(ops, "CB-6", "六类网线", hardware, "3.5", cost_price="1.2", unit="米"),
    )


def quantities(*pairs):
    return [Decimal(str(q)) for q in pairs]
