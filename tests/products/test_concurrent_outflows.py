"""Two outflows of the last units racing each other on real, committed transactions, each in its own thread and
database connection (PostgreSQL: the stock row is locked with SELECT … FOR UPDATE; SQLite: the write lock taken at
BEGIN): exactly one succeeds, the other is refused with the balance it saw, and the ledger stays the balance."""

from decimal import Decimal

import pytest

from kehu.products import ledger
from kehu.products.models import Stock, StockMove
from tests.support import threads

pytestmark = pytest.mark.django_db(transaction=True)


def deliver(product_pk, warehouse_pk, quantity):
    return ledger.post_movement(
        product=product_pk, warehouse=warehouse_pk, quantity=-Decimal(quantity), kind=StockMove.Kind.DELIVERY
    ).balance


def test_of_two_outflows_of_the_last_units_exactly_one_succeeds_every_time(stockroom):
    s = stockroom
    for round_number in range(5):
        ledger.post_movement(product=s.router, warehouse=s.main, quantity="3", kind=StockMove.Kind.STOCK_IN)
        outcomes = threads.race(deliver, [(s.router.pk, s.main.pk, "3"), (s.router.pk, s.main.pk, "3")], success="out")
        assert [kind for kind, _ in outcomes if kind == "error"] == [], outcomes
        assert sorted(kind for kind, _ in outcomes) == ["out", "refused"], (round_number, outcomes)
        assert [value for kind, value in outcomes if kind == "out"] == [Decimal("0")]
        assert [value for kind, value in outcomes if kind == "refused"] == [
            ["Only 0 个 of RT-1 企业路由器 are in stock in 北京总仓; 3 cannot go out."]
        ]
        assert Stock.objects.get(product=s.router, warehouse=s.main).quantity == 0
    assert StockMove.objects.filter(product=s.router, kind="delivery").count() == 5
    assert ledger.check_stock() == []


def test_four_concurrent_outflows_never_take_more_than_there_is(stockroom):
    s = stockroom
    ledger.post_movement(product=s.cable, warehouse=s.main, quantity="10", kind=StockMove.Kind.STOCK_IN)
    outcomes = threads.race(deliver, [(s.cable.pk, s.main.pk, "4")] * 4, success="out")
    assert [kind for kind, _ in outcomes if kind == "error"] == [], outcomes
    assert sorted(kind for kind, _ in outcomes) == ["out", "out", "refused", "refused"]
    assert sorted(value for kind, value in outcomes if kind == "out") == [Decimal("2"), Decimal("6")]
    assert Stock.objects.get(product=s.cable, warehouse=s.main).quantity == 2
    assert ledger.check_stock() == []
