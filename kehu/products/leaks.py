"""The leak-test register of products and stock (routes the declared resources do not enter themselves)."""

from kehu.core.leakcheck import action_route, scoped, unscoped
from kehu.products.models import StockIn, Stocktake

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
action_route(
    "products:stock_in_submit",
    StockIn,
    perm=("products", "stock"),
    action="stock",
    applies=lambda d: d.status == "draft",
)
action_route(
    "products:stocktake_submit",
    Stocktake,
    perm=("products", "stock"),
    action="stock",
    applies=lambda d: d.status == "draft",
)
action_route(
    "products:stock_in_cancel",
    StockIn,
    perm=("products", "manage"),
    action="manage",
    applies=lambda d: d.status == "approved",
)
