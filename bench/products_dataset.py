"""Products and stock on top of the cached data set of `bench.dataset` (issue 13, "Benchmarks"): at scale 1,
10,000 products in 10 categories, 50 warehouses, each product stocked in 10 of them (100,000 stock rows) and
5,000,000 ledger rows whose running balances end at each stock row's quantity (so `check_stock` agrees). The
benchmarked manager gets a role with products view, stock and manage over every warehouse. Built once per database
and scale (marker row "products" in `bench_meta`); bump VERSION when the generated data changes.
"""

import random
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction

from bench import dataset
from kehu.core.text import pinyin_fields
from kehu.org.models import Role, RoleGrant, User
from kehu.products.models import Category, Product, Stock, StockMove, Warehouse

VERSION = 1
SEED = 20261201
MARKER_KEY = "products"
BASE = {"products": 10_000, "warehouses": 50, "moves": 5_000_000}
MINIMUM = {"products": 500, "warehouses": 5, "moves": 50_000}
STOCKED_IN = 10  # warehouses per product
START = datetime(2025, 1, 1, tzinfo=UTC)
STEMS = ["交换机", "路由器", "服务器", "防火墙", "光模块", "网线", "机柜", "硬盘", "无线AP", "控制器"]
BRANDS = ["云帆", "华信", "恒通", "瑞丰", "博远", "中科", "天诚", "宏达"]


@dataclass(frozen=True)
class Counts:
    products: int
    warehouses: int
    moves: int

    @classmethod
    def for_scale(cls, scale: float) -> "Counts":
        return cls(**{k: max(MINIMUM[k], round(v * scale)) for k, v in BASE.items()})


@dataclass
class ProductData:
    counts: Counts
    product_id: int  # a product with a full ledger, for the ledger page
    build_seconds: float | None


def _log(message: str) -> None:
    dataset._log(f"products: {message}")


def _grant_manager(manager_id: int) -> None:
    role, _created = Role.objects.get_or_create(
        code="bench_products", defaults={"name_zh": "产品-全部", "name_en": "Products: all"}
    )
    RoleGrant.objects.get_or_create(
        role=role, module="products", defaults={"actions": ["view", "stock", "manage", "costs"], "scope": "all"}
    )
    User.objects.get(pk=manager_id).roles.add(role)


def _cached(data, counts: Counts) -> dict | None:
    meta = dataset.read_marker(MARKER_KEY)
    if not meta or meta.get("version") != VERSION or meta.get("counts") != asdict(counts):
        return None
    if (Product.objects.count(), Warehouse.objects.count()) != (counts.products, counts.warehouses):
        return None
    return meta


def build(data, counts: Counts) -> dict:
    started = time.perf_counter()
    rng = random.Random(SEED)
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(START)
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (StockMove, Stock, Product, Warehouse.keepers.through, Warehouse, Category):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    with transaction.atomic():
        roots = [Category.objects.add_root({"name": stem}) for stem in STEMS]
        owner = User.objects.get(pk=data.manager_id)
        warehouses = [
            Warehouse.objects.create(
                code=f"W{n:03d}",
                name=f"仓库{n:03d}",
                owner=owner,
                owner_department_id=owner.department_id,
                is_default=n == 0,
            )
            for n in range(counts.warehouses)
        ]
        _grant_manager(data.manager_id)
    rows = []
    for n in range(counts.products):
        stem = STEMS[n % len(STEMS)]
        name = f"{rng.choice(BRANDS)}{stem}{n:05d}"
        full, initials = pinyin_fields(name)
        sku = f"P{n:06d}"
        rows.append(
            (
                n + 1,
                sku,
                sku,
                name,
                full,
                initials,
                roots[n % len(roots)].pk,
                "标准",
                "个",
                Decimal(rng.randint(10, 50000)),
                Decimal("0.13"),
                Decimal(rng.randint(5, 30000)),
                "on_sale",
                False,
                Decimal(rng.choice([5, 10, 20])),
                "",
                now,
                1,
                now,
                None,
            )
        )
    dataset._insert(
        Product,
        [
            "id",
            "sku",
            "sku_key",
            "name",
            "name_pinyin",
            "name_initials",
            "category_id",
            "specification",
            "unit",
            "list_price",
            "tax_rate",
            "cost_price",
            "status",
            "tracks_batches",
            "min_stock",
            "description",
            "created_at",
            "version",
            "updated_at",
            "updated_by_id",
        ],
        rows,
    )
    product_ids = list(range(1, counts.products + 1))
    warehouse_ids = [w.pk for w in warehouses]
    pairs = [(p, w) for p in product_ids for w in rng.sample(warehouse_ids, min(STOCKED_IN, len(warehouse_ids)))]
    per_pair = max(1, counts.moves // len(pairs))
    balances = {}
    _log(f"{len(pairs):,} stock rows, {per_pair * len(pairs):,} ledger rows")

    def moves():
        pk = 0
        for index, (product, warehouse) in enumerate(pairs):
            balance = 0
            for step in range(per_pair):
                quantity = rng.randint(5, 60) if balance < 20 or step % 3 == 0 else -rng.randint(1, min(balance, 15))
                balance += quantity
                at = adapt(START + timedelta(minutes=index * 7 + step * 600))
                pk += 1
                yield (
                    pk,
                    product,
                    warehouse,
                    "stock_in" if quantity > 0 else "delivery",
                    quantity,
                    balance,
                    None,
                    "",
                    "",
                    "",
                    None,
                    "",
                    None,
                    at,
                )
            balances[(product, warehouse)] = balance

    dataset._insert(
        StockMove,
        [
            "id",
            "product_id",
            "warehouse_id",
            "kind",
            "quantity",
            "balance",
            "unit_cost",
            "batch",
            "document",
            "document_type",
            "document_id",
            "note",
            "actor_id",
            "created_at",
        ],
        moves(),
    )
    dataset._insert(
        Stock,
        ["id", "product_id", "warehouse_id", "quantity", "minimum", "is_low", "updated_at"],
        ((n + 1, p, w, balances[(p, w)], None, balances[(p, w)] < 10, now) for n, (p, w) in enumerate(pairs)),
    )
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Product, StockMove, Stock]):
            cursor.execute(sql)
        cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "PRAGMA optimize")
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
    meta = {
        "version": VERSION,
        "counts": asdict(counts),
        "product_id": product_ids[len(product_ids) // 2],
        "build_seconds": time.perf_counter() - started,
    }
    with transaction.atomic():
        dataset.write_marker(MARKER_KEY, meta)
    return meta


_prepared: dict[tuple, ProductData] = {}


def prepare(data, rebuild: bool = False) -> ProductData:
    key = (data.db, data.scale)
    if key in _prepared:
        return _prepared[key]
    counts = Counts.for_scale(data.scale)
    meta = None if rebuild else _cached(data, counts)
    built = meta is None
    if built:
        _log("building")
        meta = build(data, counts)
    result = ProductData(counts, meta["product_id"], meta["build_seconds"] if built else None)
    _prepared[key] = result
    return result
