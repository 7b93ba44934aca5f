"""Stock-ins (产品入库) and stocktakes (盘点): drafts written by keepers, submitted for approval (approvable
documents, `approvals.py`), posted to the ledger once approved — one ledger row per line. An approved stock-in
is never edited or deleted: cancelling posts reversing entries. Without a published flow, submitting posts at
once. Adjustments by sales operations go straight to the ledger (`adjust_stock`)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.approvals import documents as approvable
from kehu.core.numbering import next_number
from kehu.products import ledger
from kehu.products.costs import can_see_costs
from kehu.products.ledger import Movement, quantity_of
from kehu.products.models import Product, StockIn, StockInLine, StockMove, Stocktake, StocktakeLine
from kehu.products.services import _decimal, require, require_warehouse

STOCK_IN_DOC = "products.stock_in"
STOCKTAKE_DOC = "products.stocktake"
MAX_LINES = 1000


def _line_error(index: int, message: str) -> str:
    return _("Line %(n)d: %(message)s") % {"n": index, "message": message}


def clean_stock_in_lines(actor, lines) -> list[dict]:
    """Each line: a product of the catalogue, a positive quantity, a unit cost that is not negative (kept only
    from those who may see costs), batch or serial numbers where the product tracks them."""
    lines = list(lines or [])
    if not lines:
        raise ValidationError({"lines": [_("Add at least one line.")]})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": [_("At most %(max)d lines.") % {"max": MAX_LINES}]})
    ids = {str(line.get("product")) for line in lines if str(line.get("product") or "").isdigit()}
    products = {str(p.pk): p for p in Product.objects.filter(pk__in=[int(i) for i in ids if len(i) < 19])}
    costs = can_see_costs(actor)
    errors, clean = [], []
    for index, line in enumerate(lines, start=1):
        product = products.get(str(line.get("product")))
        if product is None:
            errors.append(_line_error(index, _("choose a product from the catalogue.")))
            continue
        try:
            quantity = quantity_of(line.get("quantity"))
        except ValidationError as exc:
            errors.append(_line_error(index, exc.message_dict["quantity"][0]))
            continue
        if quantity <= 0:
            errors.append(_line_error(index, _("the quantity must be more than zero.")))
            continue
        found: dict = {}
        unit_cost = _decimal(line, "unit_cost", found) if costs else None
        if found:
            errors.append(_line_error(index, found["unit_cost"][0]))
            continue
        batch = " ".join(str(line.get("batch") or "").split())[:200]
        if product.tracks_batches and not batch:
            errors.append(
                _line_error(index, _("%(sku)s tracks batch or serial numbers: enter them.") % {"sku": product.sku})
            )
            continue
        clean.append({"product": product, "quantity": quantity, "unit_cost": unit_cost, "batch": batch})
    if errors:
        raise ValidationError({"lines": errors})
    return clean


def create_stock_in(actor, *, warehouse, lines, supplier: str = "", note: str = "") -> StockIn:
    """A draft stock-in of `lines` into `warehouse` (one the actor may do stock work in)."""
    require(actor, "stock")
    warehouse = require_warehouse(actor, getattr(warehouse, "pk", warehouse))
    clean = clean_stock_in_lines(actor, lines)
    with transaction.atomic():
        stock_in = StockIn(
            number=next_number("RK", doc_type=STOCK_IN_DOC, width=5),
            warehouse=warehouse,
            supplier=(supplier or "").strip()[:100],
            note=(note or "").strip()[:200],
            created_by=actor,
            updated_by=actor,
        )
        stock_in._history_user = actor
        stock_in.save()
        StockInLine.objects.bulk_create(StockInLine(stock_in=stock_in, **line) for line in clean)
    return stock_in


def update_stock_in(actor, pk, *, warehouse, lines, supplier="", note="", expected_version=None) -> StockIn:
    """Change a draft (never one in approval, approved or cancelled)."""
    from kehu.core.locking import save_versioned

    require(actor, "stock")
    stock_in = get_document(StockIn, actor, pk, "stock")
    approvable.check_not_locked(stock_in)
    warehouse = require_warehouse(actor, getattr(warehouse, "pk", warehouse))
    clean = clean_stock_in_lines(actor, lines)
    with transaction.atomic():
        stock_in.warehouse, stock_in.supplier, stock_in.note = warehouse, supplier.strip()[:100], note.strip()[:200]
        save_versioned(stock_in, actor, expected_version)
        stock_in.lines.all().delete()
        StockInLine.objects.bulk_create(StockInLine(stock_in=stock_in, **line) for line in clean)
    return stock_in


def get_document(model, actor, pk, action: str = "view"):
    """A stock-in or stocktake `actor` may `action` (404 outside the scope)."""
    document = model.objects.visible_to(actor, action).filter(pk=pk).select_related("warehouse").first()
    if document is None:
        raise Http404
    return document


def check_can_submit(actor, document) -> None:
    require(actor, "stock")
    get_document(type(document), actor, document.pk, "stock")
    approvable.check_transition(document, "submit")
    lines = document.lines.count()
    if not lines:
        raise ValidationError({"lines": [_("Add at least one line.")]})


def submit(actor, model, pk):
    """Send a draft into approval; with no published flow for its type it is approved (posted) at once."""
    from kehu.approvals.services import open_instance, requires_approval
    from kehu.approvals.services import submit as submit_for_approval

    key = STOCK_IN_DOC if model is StockIn else STOCKTAKE_DOC
    document = get_document(model, actor, pk, "stock")
    check_can_submit(actor, document)
    with transaction.atomic():
        if open_instance(key, document.pk) is not None or requires_approval(key):
            submit_for_approval(actor, key, document)
        else:
            document = model.objects.select_for_update().get(pk=document.pk)
            approvable.transition(document, "post")
            (post_stock_in if model is StockIn else post_stocktake)(document, actor)
    document.refresh_from_db()
    return document


def post_stock_in(stock_in: StockIn, actor) -> list[StockMove]:
    """On approval: one ledger row per line (stock rises)."""
    lines = list(stock_in.lines.all())
    moves = ledger.post_movements(
        [Movement(line.product_id, stock_in.warehouse_id, line.quantity, line.unit_cost, line.batch) for line in lines],
        kind=StockMove.Kind.STOCK_IN,
        actor=actor,
        document=stock_in,
    )
    StockIn.objects.filter(pk=stock_in.pk).update(approved_at=timezone.now())
    return moves


def cancel_stock_in(actor, pk, reason: str) -> StockIn:
    """Cancel an approved stock-in (sales operations): reversing entries, one per line, and the document stays as it
    was. Refused when the goods are no longer there (stock would go below zero)."""
    require(actor, "manage")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the stock-in is cancelled.")]})
    with transaction.atomic():
        stock_in = get_document(StockIn, actor, pk, "manage")
        stock_in = StockIn.objects.select_for_update().get(pk=stock_in.pk)
        approvable.check_transition(stock_in, "cancel")
        lines = list(stock_in.lines.all())
        ledger.post_movements(
            [
                Movement(line.product_id, stock_in.warehouse_id, -line.quantity, line.unit_cost, line.batch)
                for line in lines
            ],
            kind=StockMove.Kind.STOCK_IN_CANCEL,
            actor=actor,
            document=stock_in,
            note=reason[:200],
        )
        approvable.transition(stock_in, "cancel")
        StockIn.objects.filter(pk=stock_in.pk).update(cancelled_at=timezone.now(), cancel_reason=reason[:200])
    stock_in.refresh_from_db()
    return stock_in


def delete_draft(actor, model, pk) -> None:
    """A draft that never went into approval can be thrown away; anything else stays."""
    require(actor, "stock")
    document = get_document(model, actor, pk, "stock")
    if document.status != model.Status.DRAFT:
        raise ValidationError(_("Only a draft can be deleted; an approved stock-in is cancelled instead."))
    from kehu.approvals.models import FlowInstance

    key = STOCK_IN_DOC if model is StockIn else STOCKTAKE_DOC
    if FlowInstance.objects.filter(doc_type=key, object_id=document.pk).exists():
        raise ValidationError(_("This document has been in approval: it is kept for the record."))
    with transaction.atomic():
        document.delete()


# --- stocktakes ------------------------------------------------------------------------------------------------
def create_stocktake(actor, *, warehouse, lines, note: str = "") -> Stocktake:
    """A count sheet: the counted quantity of each product; what the ledger says now is kept beside it."""
    require(actor, "stock")
    warehouse = require_warehouse(actor, getattr(warehouse, "pk", warehouse))
    lines = list(lines or [])
    if not lines:
        raise ValidationError({"lines": [_("Add at least one line.")]})
    ids = [str(line.get("product")) for line in lines]
    products = {
        str(p.pk): p for p in Product.objects.filter(pk__in=[int(i) for i in ids if i.isdigit() and len(i) < 19])
    }
    errors, clean, seen = [], [], set()
    for index, line in enumerate(lines, start=1):
        product = products.get(str(line.get("product")))
        if product is None:
            errors.append(_line_error(index, _("choose a product from the catalogue.")))
            continue
        if product.pk in seen:
            errors.append(_line_error(index, _("%(sku)s is counted twice.") % {"sku": product.sku}))
            continue
        seen.add(product.pk)
        try:
            counted = quantity_of(line.get("counted"), "counted")
        except ValidationError as exc:
            errors.append(_line_error(index, exc.message_dict["counted"][0]))
            continue
        if counted < 0:
            errors.append(_line_error(index, _("a count cannot be negative.")))
            continue
        clean.append((product, counted))
    if errors:
        raise ValidationError({"lines": errors})
    from kehu.products.models import Stock

    balances = dict(
        Stock.objects.filter(warehouse=warehouse, product__in=[p for p, _c in clean]).values_list(
            "product_id", "quantity"
        )
    )
    with transaction.atomic():
        stocktake = Stocktake(
            number=next_number("PD", doc_type=STOCKTAKE_DOC, width=5),
            warehouse=warehouse,
            note=(note or "").strip()[:200],
            created_by=actor,
            updated_by=actor,
        )
        stocktake._history_user = actor
        stocktake.save()
        StocktakeLine.objects.bulk_create(
            StocktakeLine(stocktake=stocktake, product=p, counted=c, expected=balances.get(p.pk, Decimal("0")))
            for p, c in clean
        )
    return stocktake


def post_stocktake(stocktake: Stocktake, actor) -> list[StockMove]:
    """On approval: each difference between the count and the balance *now* is posted as a stocktake adjustment
    (movements since the count was taken are kept: the count wins as of approval)."""
    lines = list(stocktake.lines.all())
    locked = ledger._locked_stocks({(line.product_id, stocktake.warehouse_id) for line in lines})
    movements = []
    for line in lines:
        difference = line.counted - locked[(line.product_id, stocktake.warehouse_id)].quantity
        StocktakeLine.objects.filter(pk=line.pk).update(posted=difference)
        if difference:
            movements.append(Movement(line.product_id, stocktake.warehouse_id, difference))
    moves = ledger.post_movements(movements, kind=StockMove.Kind.STOCKTAKE, actor=actor, document=stocktake)
    Stocktake.objects.filter(pk=stocktake.pk).update(approved_at=timezone.now())
    return moves


# --- adjustments -----------------------------------------------------------------------------------------------
def adjust_stock(actor, *, warehouse, product, quantity, note: str) -> StockMove:
    """Sales operations correct a balance by `quantity` (signed) with a reason: one adjustment in the ledger."""
    require(actor, "manage")
    warehouse = require_warehouse(actor, getattr(warehouse, "pk", warehouse), "manage")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Say why the stock is adjusted.")]})
    product_id = getattr(product, "pk", product)
    if not str(product_id or "").isdigit() or not Product.objects.filter(pk=product_id).exists():
        raise ValidationError({"product": [_("Choose a product from the catalogue.")]})
    return ledger.post_movement(
        product=int(product_id),
        warehouse=warehouse,
        quantity=quantity,
        kind=StockMove.Kind.ADJUSTMENT,
        actor=actor,
        note=note[:200],
    )


def may_cancel(user) -> bool:
    return user.has_perm("products.manage")
