"""Products and stock (issue 13, "Benchmarks"): on 10,000 products, 50 warehouses and 5,000,000 ledger rows at
scale 1 —

- the stock-level page sorted by quantity, one product's ledger page and the product picker's search, whole
  requests through the test client: under 100 ms (`ms_goal`); their ratio to the page's own queries replayed
  raw is shown, not judged (it is mostly the page's rendering, the same for every list);
- the same three reads through the ORM (`Resource.listing`, the page of 20 rows and the count): ratio ≤ 2 to their
  SQL replayed through the driver;
- posting a 200-line stock-in on approval under 300 ms (rolled back each time, so every repetition posts the same
  draft; its ratio is to the same 200 ledger rows and stock updates written by hand through the driver).
"""

from decimal import Decimal

from django.db import connection, transaction
from django.urls import reverse

from bench import products_dataset
from bench.customers import _capture, _client, _raw
from bench.registry import Case, benchmark
from kehu.org.models import User
from kehu.products import documents
from kehu.products.models import Product, Stock, StockIn, Warehouse

GOAL = 2.0
PAGE_MS = 100.0
POST_MS = 300.0
RAW = "the page's own queries replayed through the driver"
LINES = 200


class _RolledBack(Exception):
    pass


def _prepare(data):
    products = products_dataset.prepare(data)
    counts = products.counts
    notes = [f"{counts.products:,} products, {counts.warehouses} warehouses, {counts.moves:,} ledger rows"]
    if products.build_seconds is not None:
        notes.append(f"product data generated in {products.build_seconds:.1f}s")
    return products, notes


def _page(data, url: str, notes: list[str], marker: bytes) -> Case:
    client = _client(data)

    def get(_):
        response = client.get(url)
        if response.status_code != 200 or marker not in response.content:
            raise AssertionError(f"GET {url}: {response.status_code}")
        return response

    statements = _capture(lambda: get(None))
    notes = [*notes, f"{len(statements)} queries a request"]
    return Case(run=get, baseline=_raw(statements), notes=notes, ms_goal=PAGE_MS)


@benchmark("products.stock_page_by_quantity", goal=None, baseline=RAW)
def stock_page(data):
    """The stock-level page of every product (/products/stock/?sort=-quantity, 20 rows) through the test client."""
    _products, notes = _prepare(data)
    return _page(data, reverse("products:stock") + "?sort=-quantity", notes, b"STOCK-")


@benchmark("products.product_ledger_page", goal=None, baseline=RAW)
def ledger_page(data):
    """One product's ledger page (/products/ledger/?product=<id>, newest first, 20 rows)."""
    products, notes = _prepare(data)
    return _page(data, reverse("products:ledger") + f"?product={products.product_id}", notes, b"MOVE-")


@benchmark("products.picker_search", goal=None, baseline=RAW)
def picker(data):
    """The product picker's search by pinyin initials (/api/products/picker/?q=yf, 20 products)."""
    _products, notes = _prepare(data)
    return _page(data, reverse("api:product-picker") + "?q=yfj", notes, b'"sku"')


@benchmark("products.post_stock_in_200_lines", goal=None, baseline="the same 200 ledger rows and stock updates by hand")
def post_stock_in(data):
    """Approving (posting) a 200-line stock-in: one ledger row per line, stock rows locked and updated (rolled back)."""
    _products, notes = _prepare(data)
    manager = User.objects.get(pk=data.manager_id)
    warehouse = Warehouse.objects.order_by("pk").first()
    stocked = list(
        Stock.objects.filter(warehouse=warehouse).order_by("product_id").values_list("product_id", flat=True)
    )
    others = list(Product.objects.exclude(pk__in=stocked).order_by("pk").values_list("pk", flat=True))
    product_ids = (stocked + others)[:LINES]  # most lines on existing stock rows, the rest new
    lines = [{"product": pk, "quantity": "5", "unit_cost": "10"} for pk in product_ids]
    stock_in = StockIn.objects.filter(note="bench").first() or documents.create_stock_in(
        manager, warehouse=warehouse, lines=lines, note="bench"
    )

    def post(_):
        try:
            with transaction.atomic():
                posted = documents.submit(User.objects.get(pk=data.manager_id), StockIn, stock_in.pk)
                if posted.status != "approved":
                    raise AssertionError(posted.status)
                raise _RolledBack
        except _RolledBack:
            pass

    def by_hand(_):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                table = connection.ops.quote_name(Stock._meta.db_table)
                cursor.executemany(
                    f"UPDATE {table} SET quantity = quantity + 5 WHERE product_id = %s AND warehouse_id = %s",
                    [(pk, warehouse.pk) for pk in product_ids],
                )
                moves = connection.ops.quote_name("products_stockmove")
                cursor.executemany(
                    f"INSERT INTO {moves} (product_id, warehouse_id, kind, quantity, balance, batch, document, "
                    "document_type, note, created_at) VALUES (%s, %s, 'stock_in', %s, %s, '', '', '', '', %s)",
                    [
                        (
                            pk,
                            warehouse.pk,
                            Decimal(5),
                            Decimal(5),
                            connection.ops.adapt_datetimefield_value(stock_in.created_at),
                        )
                        for pk in product_ids
                    ],
                )
                raise _RolledBack
        except _RolledBack:
            pass

    post(None)
    if StockIn.objects.get(pk=stock_in.pk).status != "draft":
        raise AssertionError("the posting was not rolled back")
    notes.append(f"on {connection.vendor}: {LINES} lines, {len(stocked[:LINES])} on existing stock rows; rolled back")
    return Case(run=post, baseline=by_hand, notes=notes, ms_goal=POST_MS)


def _query_case(data, run, explain, notes) -> Case:
    statements = _capture(lambda: run(None))
    return Case(run=run, baseline=_raw(statements), explain=explain, notes=[*notes, f"{len(statements)} queries"])


def _listing(resource, user_id, params):
    def run(_):
        user = User.objects.get(pk=user_id)
        _tab, rows, _filters, _sort = resource.listing(user, params)
        return list(rows[:20]), rows.count()

    return run


@benchmark("products.stock_query_by_quantity", goal=GOAL, baseline="its SQL through the driver")
def stock_query(data):
    """The stock list's rows sorted by quantity (20 of them and the count) through the ORM."""
    from kehu.products.resources import STOCK

    _products, notes = _prepare(data)
    run = _listing(STOCK, data.manager_id, {"sort": "-quantity"})
    return _query_case(data, run, lambda: STOCK.listing(data.fresh_manager(), {"sort": "-quantity"})[1][:20], notes)


@benchmark("products.product_ledger_query", goal=GOAL, baseline="its SQL through the driver")
def ledger_query(data):
    """One product's ledger rows, newest first (20 and the count) through the ORM."""
    from kehu.products.resources import MOVES

    products, notes = _prepare(data)
    params = {"product": str(products.product_id)}
    run = _listing(MOVES, data.manager_id, params)
    return _query_case(data, run, lambda: MOVES.listing(data.fresh_manager(), params)[1][:20], notes)


@benchmark("products.picker_query", goal=GOAL, baseline="its SQL through the driver")
def picker_query(data):
    """The picker's search by pinyin initials through the ORM (20 products on sale)."""
    from kehu.products import services

    _products, notes = _prepare(data)

    def rows(user):
        base = Product.objects.visible_to(user).filter(status="on_sale")
        return services.search_products(base, "yfj").order_by("sku", "id")[:20]

    def run(_):
        return list(rows(User.objects.get(pk=data.manager_id)))

    return _query_case(data, run, lambda: rows(data.fresh_manager()), notes)
