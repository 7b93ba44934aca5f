"""The ledger invariant, property-based: after any sequence of stock-ins, deliveries, adjustments, cancelled
stock-ins and stocktakes over several products and warehouses (one of which may go below zero), each balance is
what an independent oracle — a plain dict of balances kept here — says, the sum of its ledger rows and the balance
its last row recorded; every refused outflow is one the oracle says would go below zero, and nothing of it was
written."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.products import documents, ledger
from kehu.products.models import Stock, StockIn, StockMove, Stocktake, Warehouse

QUANTITIES = st.decimals(min_value=Decimal("-50"), max_value=Decimal("50"), places=1).filter(lambda q: q != 0)
STEP = st.one_of(
    st.tuples(st.just("move"), st.integers(0, 2), st.integers(0, 1), QUANTITIES),
    st.tuples(
        st.just("stock_in"), st.integers(0, 2), st.integers(0, 1), st.decimals(Decimal("0.5"), Decimal("40"), places=1)
    ),
    st.tuples(st.just("cancel"), st.integers(0, 20), st.integers(0, 1), st.just(Decimal("0"))),
    st.tuples(
        st.just("count"), st.integers(0, 2), st.integers(0, 1), st.decimals(Decimal("0"), Decimal("30"), places=0)
    ),
)


class Rollback(Exception):
    pass


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(steps=st.lists(STEP, min_size=1, max_size=25))
def test_balances_are_always_the_ledger_and_the_oracle(stockroom, steps):
    s = stockroom
    try:
        with transaction.atomic():  # each example starts from the same empty stock
            _run(s, steps)
            raise Rollback
    except Rollback:
        pass


def _run(s, steps):
    products = [s.switch, s.router, s.cable]
    warehouses = [s.main, s.east]
    Warehouse.objects.filter(pk=s.east.pk).update(allow_negative=True)
    s.keeper.refresh_from_db()
    negative = {s.main.pk: False, s.east.pk: True}
    oracle: dict[tuple[int, int], Decimal] = {}
    approved_ins: list[tuple[int, int, int, Decimal]] = []  # (stock-in id, product, warehouse, quantity)
    for kind, p, w, quantity in steps:
        product, warehouse = products[p % len(products)], warehouses[w]
        key = (product.pk, warehouse.pk)
        before = oracle.get(key, Decimal("0"))
        if kind == "move":
            would_go_below = before + quantity < 0 and quantity < 0 and not negative[warehouse.pk]
            try:
                ledger.post_movement(product=product, warehouse=warehouse, quantity=quantity, kind="adjustment")
            except ValidationError:
                assert would_go_below, (before, quantity)
            else:
                assert not would_go_below
                oracle[key] = before + quantity
        elif kind == "stock_in":
            stock_in = documents.create_stock_in(
                s.ops, warehouse=warehouse.pk, lines=[{"product": product.pk, "quantity": str(quantity)}]
            )
            documents.submit(s.ops, StockIn, stock_in.pk)
            oracle[key] = before + quantity
            approved_ins.append((stock_in.pk, product.pk, warehouse.pk, quantity))
        elif kind == "cancel" and approved_ins:
            stock_in_id, product_id, warehouse_id, quantity = approved_ins.pop(p % len(approved_ins))
            key = (product_id, warehouse_id)
            before = oracle.get(key, Decimal("0"))
            would_go_below = before - quantity < 0 and not negative[warehouse_id]
            try:
                documents.cancel_stock_in(s.ops, stock_in_id, "测试")
            except ValidationError:
                assert would_go_below
                approved_ins.append((stock_in_id, product_id, warehouse_id, quantity))
            else:
                assert not would_go_below
                oracle[key] = before - quantity
        elif kind == "count":
            take = documents.create_stocktake(
                s.ops, warehouse=warehouse.pk, lines=[{"product": product.pk, "counted": str(quantity)}]
            )
            documents.submit(s.ops, Stocktake, take.pk)
            oracle[key] = quantity
        _check(oracle)


def _check(oracle):
    stocks = {(st_.product_id, st_.warehouse_id): st_.quantity for st_ in Stock.objects.all()}
    expected = {key: value for key, value in oracle.items()}
    assert {k: v for k, v in stocks.items() if k in expected or v != 0} == {
        k: v for k, v in expected.items() if k in stocks or v != 0
    }
    sums = {
        # SQLite sums decimals in floating point: read the sum at the quantity's 3 places
        (row["product_id"], row["warehouse_id"]): Decimal(row["total"]).quantize(Decimal("0.001"))
        for row in StockMove.objects.values("product_id", "warehouse_id").annotate(total=Sum("quantity"))
    }
    for key, quantity in stocks.items():
        assert sums.get(key, Decimal("0")) == quantity, key
        last = StockMove.objects.filter(product_id=key[0], warehouse_id=key[1]).order_by("-id").first()
        if last is not None:
            assert last.balance == quantity
    assert ledger.check_stock() == []
