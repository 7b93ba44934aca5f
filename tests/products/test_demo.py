"""The demo company's products and stock: ~120 products in 6 categories, 2 warehouses with keepers, a year of
stock-ins and adjustments whose ledger agrees with every balance, price lists, low stock, stock-ins awaiting
approval."""

from django.core.management import call_command
from django.utils import timezone


def test_demo_products_and_stock_make_a_lived_in_warehouse(db):
    from kehu.products import ledger
    from kehu.products.models import Category, PriceList, Product, Stock, StockIn, StockMove, Stocktake, Warehouse

    call_command("demo", password="Demo-pass-2026")
    assert Product.objects.count() == 120
    assert Category.objects.filter(depth=1).count() == 6 and Category.objects.filter(depth=2).count() == 14
    assert list(Warehouse.objects.values_list("code", "is_default")) == [("BJ01", True), ("SH01", False)]
    assert all(w.keepers.exists() for w in Warehouse.objects.all())
    assert StockIn.objects.filter(status="approved").count() == 52
    assert StockIn.objects.filter(status="pending").count() == 2
    assert Stocktake.objects.filter(status="approved").count() == 2
    first = StockMove.objects.order_by("created_at").first().created_at
    assert (timezone.now() - first).days >= 360
    assert StockMove.objects.filter(kind="adjustment").count() > 50
    assert Stock.objects.filter(is_low=True).exists()
    assert PriceList.objects.count() == 2
    assert ledger.check_stock() == []
