"""Stock-ins and stocktakes: drafts with checked lines, submitted into approval (an approvable document), posted on
approval with one ledger row per line, never edited after, cancelled with reversing entries; without a published
flow, submitting posts at once."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kehu.approvals import services as approvals
from kehu.approvals.models import FlowTask
from kehu.products import documents, ledger
from kehu.products.models import Stock, StockIn, StockMove, Stocktake
from tests.approvals.helpers import approval, flow, people

IN = StockMove.Kind.STOCK_IN


def lines(s, *rows):
    return [{"product": p.pk, "quantity": q, "unit_cost": c, "batch": b} for p, q, c, b in rows]


def draft(s, *rows):
    rows = rows or ((s.switch, "10", "800", ""), (s.cable, "305", "1.2", ""))
    return documents.create_stock_in(s.keeper, warehouse=s.main.pk, lines=lines(s, *rows), supplier="华为")


def balance(product, warehouse):
    stock = Stock.objects.filter(product=product, warehouse=warehouse).first()
    return stock.quantity if stock else Decimal("0")


def publish_flow(ops, approver, key=documents.STOCK_IN_DOC):
    graph = flow({"n1": approval("仓储主管审批", people(approver))})
    approvals.publish(ops, approvals.save_draft(ops, key, "入库审批", graph))


def test_a_draft_is_numbered_and_keeps_its_lines(stockroom):
    stock_in = draft(stockroom)
    assert stock_in.number.startswith("RK-") and stock_in.number.endswith("-00001")
    assert stock_in.status == "draft"
    assert [(line.product.sku, line.quantity, line.unit_cost) for line in stock_in.lines.all()] == [
        ("SW-24", Decimal("10"), Decimal("800")),
        ("CB-6", Decimal("305"), Decimal("1.2")),
    ]
    assert StockMove.objects.count() == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"quantity": "0"}, "Line 1: the quantity must be more than zero."),
        ({"quantity": "-5"}, "Line 1: the quantity must be more than zero."),
        ({"quantity": "x"}, "Line 1: Enter a number."),
        ({"product": 10**9}, "Line 1: choose a product from the catalogue."),
        ({"product": "abc"}, "Line 1: choose a product from the catalogue."),
        ({"unit_cost": "-1"}, "Line 1: Enter a number that is not negative."),
    ],
)
def test_bad_lines_are_refused_line_by_line_and_nothing_is_written(stockroom, line, message):
    row = {"product": stockroom.switch.pk, "quantity": "1", "unit_cost": "", **line}
    with pytest.raises(ValidationError) as refused:
        documents.create_stock_in(stockroom.keeper, warehouse=stockroom.main.pk, lines=[row])
    assert refused.value.message_dict == {"lines": [message]}
    assert StockIn.objects.count() == 0


def test_no_lines_an_unknown_warehouse_and_a_warehouse_one_does_not_keep_are_refused(stockroom, org):
    s = stockroom
    with pytest.raises(ValidationError) as refused:
        documents.create_stock_in(s.keeper, warehouse=s.main.pk, lines=[])
    assert refused.value.message_dict == {"lines": ["Add at least one line."]}
    with pytest.raises(ValidationError) as refused:
        documents.create_stock_in(s.keeper, warehouse=10**9, lines=lines(s, (s.switch, "1", "", "")))
    assert refused.value.message_dict == {"warehouse": ["Choose a warehouse in use."]}
    # The keeper neither keeps the east warehouse nor belongs to its department: it is not theirs to fill.
    with pytest.raises(ValidationError) as refused:
        documents.create_stock_in(s.keeper, warehouse=s.east.pk, lines=lines(s, (s.switch, "1", "", "")))
    assert refused.value.message_dict == {"warehouse": ["Choose a warehouse in use."]}
    with pytest.raises(PermissionDenied):  # a rep has no stock work at all
        documents.create_stock_in(org.rep, warehouse=s.main.pk, lines=lines(s, (s.switch, "1", "", "")))


def test_a_product_that_tracks_batches_needs_them(stockroom):
    s = stockroom
    s.router.tracks_batches = True
    s.router.save()
    with pytest.raises(ValidationError) as refused:
        draft(s, (s.router, "2", "", ""))
    assert refused.value.message_dict == {"lines": ["Line 1: RT-1 tracks batch or serial numbers: enter them."]}
    stock_in = draft(s, (s.router, "2", "", "SN001, SN002"))
    assert stock_in.lines.get().batch == "SN001, SN002"


def test_without_a_flow_submitting_posts_one_ledger_row_per_line(stockroom):
    s = stockroom
    stock_in = documents.submit(s.keeper, StockIn, draft(s).pk)
    assert stock_in.status == "approved" and stock_in.approved_at is not None
    moves = StockMove.objects.filter(document_id=stock_in.pk, document_type="products.stockin").order_by("id")
    assert [(m.product.sku, m.kind, m.quantity, m.balance, m.unit_cost, m.document) for m in moves] == [
        ("SW-24", IN, Decimal("10"), Decimal("10"), Decimal("800"), stock_in.number),
        ("CB-6", IN, Decimal("305"), Decimal("305"), Decimal("1.2"), stock_in.number),
    ]
    assert balance(s.switch, s.main) == 10


def test_with_a_flow_the_stock_rises_only_when_the_manager_approves(stockroom):
    s = stockroom
    publish_flow(s.ops, s.ops)
    stock_in = documents.submit(s.keeper, StockIn, draft(s).pk)
    assert stock_in.status == "pending" and balance(s.switch, s.main) == 0
    with pytest.raises(ValidationError):  # locked while in approval
        documents.update_stock_in(s.keeper, stock_in.pk, warehouse=s.main.pk, lines=lines(s, (s.switch, "1", "", "")))
    task = FlowTask.objects.get(instance__object_id=stock_in.pk, assignee=s.ops, state="open")
    approvals.approve(s.ops, task.pk, "已到货")
    stock_in.refresh_from_db()
    assert stock_in.status == "approved"
    assert balance(s.switch, s.main) == 10 and balance(s.cable, s.main) == 305
    assert StockMove.objects.filter(document_id=stock_in.pk, kind=IN).count() == 2


def test_a_rejected_stock_in_is_a_draft_again_and_moves_nothing(stockroom):
    s = stockroom
    publish_flow(s.ops, s.ops)
    stock_in = documents.submit(s.keeper, StockIn, draft(s).pk)
    task = FlowTask.objects.get(instance__object_id=stock_in.pk, assignee=s.ops, state="open")
    approvals.reject(s.ops, task.pk, "数量不对")
    stock_in.refresh_from_db()
    assert stock_in.status == "draft" and StockMove.objects.count() == 0
    changed = documents.update_stock_in(
        s.keeper, stock_in.pk, warehouse=s.main.pk, lines=lines(s, (s.switch, "8", "", "")), supplier="华为"
    )
    assert [line.quantity for line in changed.lines.all()] == [Decimal("8")]


def test_an_approved_stock_in_is_never_edited_and_cancelling_posts_reversing_entries(stockroom):
    s = stockroom
    stock_in = documents.submit(s.keeper, StockIn, draft(s).pk)
    with pytest.raises(ValidationError):
        documents.update_stock_in(s.keeper, stock_in.pk, warehouse=s.main.pk, lines=lines(s, (s.switch, "1", "", "")))
    with pytest.raises(ValidationError):
        documents.delete_draft(s.keeper, StockIn, stock_in.pk)
    with pytest.raises(PermissionDenied):  # the keeper may not cancel: sales operations do
        documents.cancel_stock_in(s.keeper, stock_in.pk, "录错")
    with pytest.raises(ValidationError) as refused:
        documents.cancel_stock_in(s.ops, stock_in.pk, "  ")
    assert refused.value.message_dict == {"reason": ["Say why the stock-in is cancelled."]}
    cancelled = documents.cancel_stock_in(s.ops, stock_in.pk, "供应商发错货")
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "供应商发错货"
    moves = StockMove.objects.filter(document_id=stock_in.pk).order_by("id")
    assert [(m.kind, m.quantity, m.balance) for m in moves] == [
        (IN, Decimal("10"), Decimal("10")),
        (IN, Decimal("305"), Decimal("305")),
        ("stock_in_cancel", Decimal("-10"), Decimal("0")),
        ("stock_in_cancel", Decimal("-305"), Decimal("0")),
    ]
    assert [line.quantity for line in cancelled.lines.all()] == [Decimal("10"), Decimal("305")]  # kept as it was
    with pytest.raises(ValidationError):  # cancelled once only
        documents.cancel_stock_in(s.ops, stock_in.pk, "再次")


def test_cancelling_is_refused_when_the_goods_are_gone(stockroom):
    s = stockroom
    stock_in = documents.submit(s.keeper, StockIn, draft(s).pk)
    ledger.post_movement(product=s.switch, warehouse=s.main, quantity="-9", kind="delivery")
    with pytest.raises(ValidationError) as refused:
        documents.cancel_stock_in(s.ops, stock_in.pk, "录错")
    assert refused.value.message_dict == {
        "quantity": ["Only 1 个 of SW-24 千兆交换机 are in stock in 北京总仓; 10 cannot go out."]
    }
    assert StockIn.objects.get(pk=stock_in.pk).status == "approved"


def test_someone_outside_the_warehouse_gets_404_for_its_stock_in(stockroom, org):
    stock_in = draft(stockroom)
    with pytest.raises(Http404):
        documents.submit(org.rep_east, StockIn, stock_in.pk)


def test_a_stocktake_posts_its_differences_as_of_approval(stockroom):
    s = stockroom
    documents.submit(s.keeper, StockIn, draft(s).pk)  # switch 10, cable 305
    take = documents.create_stocktake(
        s.keeper,
        warehouse=s.main.pk,
        lines=[
            {"product": s.switch.pk, "counted": "9"},
            {"product": s.cable.pk, "counted": "305"},
            {"product": s.router.pk, "counted": "1"},
        ],
    )
    assert [(line.product.sku, line.expected) for line in take.lines.all()] == [
        ("SW-24", Decimal("10")),
        ("CB-6", Decimal("305")),
        ("RT-1", Decimal("0")),
    ]
    ledger.post_movement(product=s.cable, warehouse=s.main, quantity="-5", kind="delivery")  # after the count
    take = documents.submit(s.keeper, Stocktake, take.pk)
    assert take.status == "approved"
    moves = StockMove.objects.filter(kind="stocktake").order_by("id")
    assert [(m.product.sku, m.quantity, m.balance) for m in moves] == [
        ("SW-24", Decimal("-1"), Decimal("9")),
        ("CB-6", Decimal("5"), Decimal("305")),
        ("RT-1", Decimal("1"), Decimal("1")),
    ]


def test_stocktake_lines_are_checked(stockroom):
    s = stockroom
    with pytest.raises(ValidationError) as refused:
        documents.create_stocktake(
            s.keeper,
            warehouse=s.main.pk,
            lines=[
                {"product": s.switch.pk, "counted": "-1"},
                {"product": s.cable.pk, "counted": "2"},
                {"product": s.cable.pk, "counted": "3"},
                {"product": "999999999", "counted": "1"},
            ],
        )
    assert refused.value.message_dict == {
        "lines": [
            "Line 1: a count cannot be negative.",
            "Line 3: CB-6 is counted twice.",
            "Line 4: choose a product from the catalogue.",
        ]
    }
