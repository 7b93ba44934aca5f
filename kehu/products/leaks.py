"""The leak-test register of products and stock (routes the declared resources do not enter themselves). The
catalogue is unscoped (the company's); stock-ins, stocktakes and stock rows follow their warehouse."""

from kehu.core.leakcheck import Call, action_route, scoped, unscoped
from kehu.products.models import Stock, StockIn, Stocktake

CATALOGUE = "the catalogue is the company's (products.view sees all of it)"

unscoped(
    CATALOGUE,
    "products:detail",
    "products:picture",
    "products:price_list",
    "products:categories",
    "api:product-picker",
    "api:price-list-price",
)
unscoped(
    "forms that show no stock records; writes go through services",
    "products:create",
    "products:stock_in_add",
    "products:stocktake_add",
    "products:import",
    "products:import_template",
)
unscoped(
    "the product export: the catalogue, costs hidden by kehu.products.costs (tests/products/test_cost_hiding.py)",
    "products:export",
    "api:product-export",
    "api:product-import",
)
unscoped(
    "writes of the catalogue, checked by products.change / products.manage in the services",
    "products:edit",
    "products:picture_add",
    "api:product-pictures",
)
scoped("products:stock_in_detail", StockIn, "detail")
scoped("products:stocktake_detail", Stocktake, "detail")


def _cancel(stock_in, person):
    return Call(
        kwargs={"pk": stock_in.pk},
        data={"reason": "测试"},
        changed=lambda: StockIn.objects.get(pk=stock_in.pk).status == "cancelled",
    )


def _minimum(stock, person):
    return Call(
        kwargs={"pk": stock.pk}, data={"minimum": "3"}, changed=lambda: Stock.objects.get(pk=stock.pk).minimum == 3
    )


def _adjust(_record, person):
    """An adjustment in a warehouse of the caller's own (the call may create what it needs; it is rolled back)."""
    from kehu.products.models import Category, Product, StockMove, Warehouse

    category = Category.objects.add_root({"name": "调整测试"})
    product = Product.objects.create(sku="ADJ-1", sku_key="ADJ-1", name="调整", category=category, list_price=1)
    warehouse = Warehouse.objects.create(code="ADJ", name="调整仓", owner=person, owner_department=person.department)
    return Call(
        data={"warehouse": warehouse.pk, "product": product.pk, "quantity": "2", "note": "盘盈"},
        changed=lambda: StockMove.objects.filter(product=product, kind="adjustment").exists(),
    )


def _draft(document) -> bool:
    return document.status == "draft"


def _approved(document) -> bool:
    return document.status == "approved"


STOCK, MANAGE = ("products", "stock"), ("products", "manage")
for api, prefix in ((False, "products:"), (True, "api:")):
    stock_in, stocktake = ("stock-in-", "stocktake-") if api else ("stock_in_", "stocktake_")
    action_route(f"{prefix}{stock_in}submit", StockIn, perm=STOCK, action="stock", api=api, applies=_draft)
    action_route(f"{prefix}{stocktake}submit", Stocktake, perm=STOCK, action="stock", api=api, applies=_draft)
    action_route(
        f"{prefix}{stock_in}cancel", StockIn, perm=MANAGE, action="manage", api=api, applies=_approved, call=_cancel
    )
action_route("api:stock-minimum", Stock, perm=MANAGE, action="manage", api=True, call=_minimum)
action_route("api:stock-move-adjust", perm=MANAGE, api=True, call=_adjust)
