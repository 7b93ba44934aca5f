"""The ledger service's rules: one row per movement with the resulting balance, refusals of zero quantities,
unknown products and warehouses and outflows below zero (unless the warehouse allows it), ledger rows never
changed, low-stock events reaching the keepers and ops, and the check command."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from kehu.notify.models import Message
from kehu.products import ledger
from kehu.products.models import Stock, StockMove, Warehouse

IN, OUT = StockMove.Kind.STOCK_IN, StockMove.Kind.DELIVERY


def balance(product, warehouse) -> Decimal:
    return Stock.objects.get(product=product, warehouse=warehouse).quantity


def test_each_movement_writes_one_row_with_the_balance_and_moves_the_stock(stockroom):
    s = stockroom
    first = ledger.post_movement(product=s.switch, warehouse=s.main, quantity="10", kind=IN, actor=s.keeper)
    second = ledger.post_movement(
        product=s.switch, warehouse=s.main, quantity="-3.5", kind=OUT, actor=s.ops, note="SO-1"
    )
    assert [(m.kind, m.quantity, m.balance, m.actor_id) for m in (first, second)] == [
        ("stock_in", Decimal("10"), Decimal("10"), s.keeper.pk),
        ("delivery", Decimal("-3.5"), Decimal("6.5"), s.ops.pk),
    ]
    assert balance(s.switch, s.main) == Decimal("6.500")
    assert not Stock.objects.filter(warehouse=s.east).exists()


@pytest.mark.parametrize("quantity", ["0", "0.000", "-0"])
def test_a_zero_quantity_is_refused(stockroom, quantity):
    with pytest.raises(ValidationError) as refused:
        ledger.post_movement(product=stockroom.switch, warehouse=stockroom.main, quantity=quantity, kind=IN)
    assert refused.value.message_dict == {"quantity": ["The quantity cannot be zero."]}
    assert StockMove.objects.count() == 0


@pytest.mark.parametrize("quantity", ["abc", "1e400", "NaN", "1.0001", ""])
def test_a_quantity_that_is_not_a_number_is_a_field_error(stockroom, quantity):
    with pytest.raises(ValidationError) as refused:
        ledger.post_movement(product=stockroom.switch, warehouse=stockroom.main, quantity=quantity, kind=IN)
    assert list(refused.value.message_dict) == ["quantity"]


def test_unknown_product_or_warehouse_is_refused(stockroom):
    with pytest.raises(ValidationError) as refused:
        ledger.post_movement(product=10**9, warehouse=stockroom.main, quantity="1", kind=IN)
    assert refused.value.message_dict == {"product": ["Choose a product from the catalogue."]}
    with pytest.raises(ValidationError) as refused:
        ledger.post_movement(product=stockroom.switch, warehouse=10**9, quantity="1", kind=IN)
    assert refused.value.message_dict == {"warehouse": ["Choose a warehouse in use."]}
    Warehouse.objects.filter(pk=stockroom.east.pk).update(is_active=False)
    with pytest.raises(ValidationError):
        ledger.post_movement(product=stockroom.switch, warehouse=stockroom.east, quantity="1", kind=IN)
    assert StockMove.objects.count() == 0


def test_an_outflow_below_zero_is_refused_and_nothing_is_written(stockroom):
    s = stockroom
    ledger.post_movement(product=s.switch, warehouse=s.main, quantity="2", kind=IN)
    with pytest.raises(ValidationError) as refused:
        ledger.post_movements(
            [
                ledger.Movement(s.router.pk, s.main.pk, Decimal("5")),
                ledger.Movement(s.switch.pk, s.main.pk, Decimal("-3")),
            ],
            kind=OUT,
        )
    assert refused.value.message_dict == {
        "quantity": ["Only 2 个 of SW-24 千兆交换机 are in stock in 北京总仓; 3 cannot go out."]
    }
    assert StockMove.objects.count() == 1  # all or nothing: the router's line was not written either
    assert balance(s.switch, s.main) == 2
    assert not StockMove.objects.filter(product=s.router).exists()


def test_a_warehouse_that_allows_it_may_go_below_zero(stockroom):
    s = stockroom
    Warehouse.objects.filter(pk=s.east.pk).update(allow_negative=True)
    move = ledger.post_movement(product=s.cable, warehouse=s.east, quantity="-30", kind=OUT)
    assert move.balance == Decimal("-30")


def test_ledger_rows_are_never_changed_or_deleted(stockroom):
    move = ledger.post_movement(product=stockroom.switch, warehouse=stockroom.main, quantity="1", kind=IN)
    move.quantity = Decimal("100")
    with pytest.raises(ValueError):
        move.save()
    with pytest.raises(ValueError):
        move.delete()
    assert StockMove.objects.get(pk=move.pk).quantity == 1


def test_falling_below_the_minimum_tells_the_keepers_and_ops_once(stockroom, org):
    s = stockroom  # the switch's minimum is 5; the main warehouse is owned by head_keeper, kept by keeper
    s.keeper.language = "en"
    s.keeper.save(update_fields=["language"])
    ledger.post_movement(product=s.switch, warehouse=s.main, quantity="8", kind=IN)
    assert Message.objects.count() == 0
    ledger.post_movement(product=s.switch, warehouse=s.main, quantity="-4", kind=OUT)
    stock = Stock.objects.get(product=s.switch, warehouse=s.main)
    assert stock.is_low
    recipients = sorted(Message.objects.values_list("recipient__username", flat=True))
    assert recipients == ["admin", "head_keeper", "keeper"]
    message = Message.objects.get(recipient=s.keeper)
    assert message.link == "/products/stock/low/"
    # product text: stored once, read in each reader's language whenever it is shown
    with translation.override("en"):
        assert (str(message.title), str(message.body)) == (
            "Low stock in 北京总仓: 1 product",
            "SW-24 千兆交换机: 4 个 left (minimum 5)",
        )
    with translation.override("zh-hans"):
        assert (str(message.title), str(message.body)) == (
            "北京总仓 低库存：1 个产品",
            "SW-24 千兆交换机：剩余 4 个（最低库存 5）",
        )
    ledger.post_movement(product=s.switch, warehouse=s.main, quantity="-1", kind=OUT)  # still low: no repeat
    assert Message.objects.count() == 3
    ledger.post_movement(product=s.switch, warehouse=s.main, quantity="10", kind=IN)
    assert not Stock.objects.get(pk=stock.pk).is_low


def test_a_warehouse_minimum_overrides_the_products(stockroom):
    s = stockroom
    ledger.post_movement(product=s.switch, warehouse=s.main, quantity="3", kind=IN)
    stock = Stock.objects.get(product=s.switch, warehouse=s.main)
    assert stock.is_low
    stock = ledger.set_minimum(stock, Decimal("2"))
    assert not stock.is_low


def test_a_rolled_back_movement_tells_nobody(stockroom):
    from django.db import transaction

    s = stockroom
    ledger.post_movement(product=s.switch, warehouse=s.main, quantity="6", kind=IN)
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger.post_movement(product=s.switch, warehouse=s.main, quantity="-3", kind=OUT)
        raise RuntimeError
    assert Message.objects.count() == 0
    assert balance(s.switch, s.main) == 6


def test_check_stock_reports_exactly_the_rows_whose_balance_and_ledger_disagree(stockroom):
    s = stockroom
    ledger.post_movement(product=s.switch, warehouse=s.main, quantity="6", kind=IN)
    ledger.post_movement(product=s.cable, warehouse=s.east, quantity="100", kind=IN)
    out = StringIO()
    call_command("check-stock", stdout=out)
    assert out.getvalue() == "Every stock balance is the sum of its ledger (2 stock rows checked).\n"
    Stock.objects.filter(product=s.cable, warehouse=s.east).update(quantity=Decimal("99"))
    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("check-stock", stdout=out)
    assert exited.value.code == 1
    assert out.getvalue() == (
        "上海分仓 (WH02): CB-6 balance 99 but the ledger sums to 100 (last row 100)\n"
        "1 warehouse has balances that disagree with its ledger: 上海分仓.\n"
    )
    assert [d.sku for d in ledger.check_stock([s.main.pk])] == []
