"""The stock ledger (库存台账): the one service every movement of stock goes through — stock-ins, their cancellation,
deliveries (the orders module calls `post_movement`), adjustments and stocktakes.

Each movement writes one `StockMove` row with the resulting balance, and moves the `Stock` row of its product and
warehouse in the same transaction, so the balance is always the sum of the ledger (`check_stock` proves it; the
property test `tests/products/test_ledger_invariant.py` drives random sequences against an independent oracle).

Concurrency: the stock rows a posting touches are locked (`select_for_update`, in primary-key order so two postings
never deadlock) before their balances are read, so two outflows of the last units queue on the row and the second
sees what the first left (`tests/products/test_concurrent_outflows.py`, on PostgreSQL with real connections).
SQLite takes the database's write lock at `BEGIN` (settings: IMMEDIATE), which serialises them as well.

Stock never goes below zero unless the warehouse allows it (`Warehouse.allow_negative`, set by ops). Reservations
are not kept yet; the keyword-only signature leaves room for an `available` check beside the balance.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.events import emit
from kehu.products.events import STOCK_LOW
from kehu.products.models import Product, Stock, StockMove, Warehouse

ZERO = Decimal("0")
QUANTUM = Decimal("0.001")  # the places of every quantity (models.QUANTITY)


@dataclass(frozen=True)
class Movement:
    """One line of a posting: `quantity` is signed (+ in, − out)."""

    product_id: int
    warehouse_id: int
    quantity: Decimal
    unit_cost: Decimal | None = None
    batch: str = ""


def quantity_of(value, field: str = "quantity") -> Decimal:
    """`value` as a Decimal quantity, or a field error (never a 500)."""
    try:
        quantity = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [_("Enter a number.")]}) from None
    if not quantity.is_finite():
        raise ValidationError({field: [_("Enter a number.")]})
    if abs(quantity) >= Decimal("10") ** 13 or quantity != quantity.quantize(Decimal("0.001")):
        raise ValidationError({field: [_("Enter a quantity with at most 3 decimals and 13 digits.")]})
    return quantity


def _minimum(stock: Stock, product_minimum) -> Decimal | None:
    return stock.minimum if stock.minimum is not None else product_minimum


def post_movement(
    *,
    product,
    warehouse,
    quantity,
    kind: str,
    actor=None,
    document=None,
    unit_cost=None,
    batch: str = "",
    note: str = "",
) -> StockMove:
    """Post one movement of `quantity` (signed) of `product` in `warehouse`; returns its ledger row."""
    movement = Movement(_pk(product), _pk(warehouse), quantity_of(quantity), unit_cost, batch)
    return post_movements([movement], kind=kind, actor=actor, document=document, note=note)[0]


def _pk(value) -> int:
    return value.pk if hasattr(value, "pk") else value


def post_movements(
    movements: Sequence[Movement], *, kind: str, actor=None, document=None, note: str = ""
) -> list[StockMove]:
    """Post `movements` together (all or none): one ledger row each, in order. Refused with a field error for a
    zero quantity, an unknown product or warehouse, and an outflow that would take stock below zero in a warehouse
    that does not allow it."""
    if kind not in StockMove.Kind.values:
        raise ValueError(kind)
    if not movements:
        return []
    for movement in movements:
        if movement.quantity == 0:
            raise ValidationError({"quantity": [_("The quantity cannot be zero.")]})
    product_ids = {m.product_id for m in movements}
    warehouse_ids = {m.warehouse_id for m in movements}
    with transaction.atomic():
        products = {
            p["pk"]: p
            for p in Product.objects.filter(pk__in=product_ids).values("pk", "sku", "name", "unit", "min_stock")
        }
        if len(products) != len(product_ids):
            raise ValidationError({"product": [_("Choose a product from the catalogue.")]})
        warehouses = {
            w["pk"]: w
            for w in Warehouse.objects.filter(pk__in=warehouse_ids, is_active=True).values(
                "pk", "name", "allow_negative"
            )
        }
        if len(warehouses) != len(warehouse_ids):
            raise ValidationError({"warehouse": [_("Choose a warehouse in use.")]})
        stocks = _locked_stocks({(m.product_id, m.warehouse_id) for m in movements})
        was_low = {key: stock.is_low for key, stock in stocks.items()}
        now = timezone.now()
        rows = []
        for movement in movements:
            key = (movement.product_id, movement.warehouse_id)
            stock = stocks[key]
            balance = stock.quantity + movement.quantity
            if balance < 0 and movement.quantity < 0 and not warehouses[movement.warehouse_id]["allow_negative"]:
                product = products[movement.product_id]
                raise ValidationError(
                    {
                        "quantity": [
                            _(
                                "Only %(available)s %(unit)s of %(product)s are in stock in %(warehouse)s; "
                                "%(wanted)s cannot go out."
                            )
                            % {
                                "available": _plain(stock.quantity),
                                "unit": product["unit"],
                                "product": f"{product['sku']} {product['name']}",
                                "warehouse": warehouses[movement.warehouse_id]["name"],
                                "wanted": _plain(-movement.quantity),
                            }
                        ]
                    }
                )
            stock.quantity = balance
            rows.append(
                StockMove(
                    product_id=movement.product_id,
                    warehouse_id=movement.warehouse_id,
                    kind=kind,
                    quantity=movement.quantity,
                    balance=balance,
                    unit_cost=movement.unit_cost,
                    batch=movement.batch,
                    document=getattr(document, "number", "") if document is not None else "",
                    document_type=document._meta.label_lower if document is not None else "",
                    document_id=document.pk if document is not None else None,
                    note=note,
                    actor=actor,
                    created_at=now,
                )
            )
        fell_low = []
        for key, stock in stocks.items():
            minimum = _minimum(stock, products[key[0]]["min_stock"])
            stock.is_low = minimum is not None and stock.quantity < minimum
            stock.updated_at = now
            if stock.is_low and not was_low[key]:
                fell_low.append(stock.pk)
        _write_balances(list(stocks.values()), now)
        created = StockMove.objects.bulk_create(rows)
        if fell_low:
            emit(STOCK_LOW, stocks=fell_low, actor=actor)
    return created


def _write_balances(stocks: list[Stock], now) -> None:
    """The new balances, one prepared UPDATE by primary key for all rows (the ORM's bulk_update builds a CASE per
    field and row: about 1 ms a line of a 200-line stock-in, more than the rest of the posting)."""
    table = connection.ops.quote_name(Stock._meta.db_table)
    field = Stock._meta.get_field("quantity")
    stamp = connection.ops.adapt_datetimefield_value(now)
    rows = [
        (
            connection.ops.adapt_decimalfield_value(s.quantity, field.max_digits, field.decimal_places),
            s.is_low,
            stamp,
            s.pk,
        )
        for s in stocks
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET quantity = %s, is_low = %s, updated_at = %s WHERE id = %s", rows)


def _locked_stocks(keys: set[tuple[int, int]]) -> dict[tuple[int, int], Stock]:
    """The stock rows of `keys` (created at zero where missing), locked in primary-key order."""
    by_warehouse: dict[int, set[int]] = {}
    for product_id, warehouse_id in keys:
        by_warehouse.setdefault(warehouse_id, set()).add(product_id)
    condition = reduce(or_, (Q(warehouse_id=w, product_id__in=sorted(ps)) for w, ps in sorted(by_warehouse.items())))
    existing = set(Stock.objects.filter(condition).values_list("product_id", "warehouse_id"))
    missing = keys - existing
    if missing:  # a concurrent first posting may create the same row: the unique constraint keeps one
        Stock.objects.bulk_create(
            [Stock(product_id=p, warehouse_id=w) for p, w in sorted(missing)], ignore_conflicts=True
        )
    locked = Stock.objects.select_for_update().filter(condition).order_by("pk")
    return {(s.product_id, s.warehouse_id): s for s in locked}


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def set_minimum(stock: Stock, minimum) -> Stock:
    """Change a stock row's own minimum (None: the product's) and whether it is low; falling low tells the keepers."""
    with transaction.atomic():
        stock = Stock.objects.select_for_update().select_related("product").get(pk=stock.pk)
        stock.minimum = minimum
        was_low = stock.is_low
        limit = _minimum(stock, stock.product.min_stock)
        stock.is_low = limit is not None and stock.quantity < limit
        stock.save(update_fields=["minimum", "is_low"])
        if stock.is_low and not was_low:
            emit(STOCK_LOW, stocks=[stock.pk], actor=None)
    return stock


def refresh_low_flags(product: Product) -> None:
    """After the product's minimum changed: which of its stock rows are low now (the newly low are reported)."""
    with transaction.atomic():
        fell_low = []
        for stock in Stock.objects.select_for_update().filter(product=product).order_by("pk"):
            limit = _minimum(stock, product.min_stock)
            low = limit is not None and stock.quantity < limit
            if low != stock.is_low:
                Stock.objects.filter(pk=stock.pk).update(is_low=low)
                if low:
                    fell_low.append(stock.pk)
        if fell_low:
            emit(STOCK_LOW, stocks=fell_low, actor=None)


# --- the check ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Disagreement:
    warehouse_id: int
    warehouse: str
    product_id: int
    sku: str
    balance: Decimal  # the stock row
    ledger: Decimal  # the sum of the ledger rows
    last_balance: Decimal | None  # the balance the last ledger row recorded


def check_stock(warehouse_ids: Sequence[int] | None = None) -> list[Disagreement]:
    """Every stock row whose balance is not the sum of its ledger rows, or not the balance its last row
    recorded (two grouped queries: the stock rows and the ledger sums)."""
    stocks = Stock.objects.select_related("warehouse", "product")
    moves = StockMove.objects.all()
    if warehouse_ids is not None:
        stocks = stocks.filter(warehouse_id__in=warehouse_ids)
        moves = moves.filter(warehouse_id__in=warehouse_ids)
    sums = {
        (row["product_id"], row["warehouse_id"]): row
        for row in moves.values("product_id", "warehouse_id").annotate(total=Sum("quantity"), last=_last_id())
    }
    last_ids = [row["last"] for row in sums.values()]
    last_balance = dict(StockMove.objects.filter(pk__in=last_ids).values_list("pk", "balance"))
    found = []
    seen = set()
    for stock in stocks.order_by("warehouse_id", "product_id"):
        key = (stock.product_id, stock.warehouse_id)
        seen.add(key)
        row = sums.get(key)
        # SQLite sums decimals in floating point (0.1 + 0.2 …): the sum is read at the quantity's 3 places
        total = Decimal(row["total"]).quantize(QUANTUM) if row and row["total"] is not None else ZERO
        last = last_balance.get(row["last"]) if row else None
        if total != stock.quantity or (last is not None and last != stock.quantity):
            found.append(
                Disagreement(
                    stock.warehouse_id,
                    stock.warehouse.name,
                    stock.product_id,
                    stock.product.sku,
                    stock.quantity,
                    total,
                    last,
                )
            )
    for key in sorted(set(sums) - seen):  # ledger rows without a stock row
        warehouse = Warehouse.objects.get(pk=key[1])
        found.append(
            Disagreement(
                key[1], warehouse.name, key[0], Product.objects.get(pk=key[0]).sku, ZERO, sums[key]["total"], None
            )
        )
    return found


def _last_id():
    from django.db.models import Max

    return Max("id")
