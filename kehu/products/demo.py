"""The demo company's products and stock: about 120 products in 6 categories (with subcategories), two warehouses
kept by the warehouse department, price lists for key accounts and for everyone, a year of stock-ins, adjustments
and a stocktake, a stock-in approval flow with two stock-ins waiting for the warehouse head, and some low stock."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from kehu.approvals import services as approvals
from kehu.core.models import DictionaryItem
from kehu.products import documents, services
from kehu.products.models import Product, Stock, StockIn, StockMove, Stocktake

# category: {subcategory: [(series, spec, unit, price range)]}
CATALOGUE = {
    "网络设备": {
        "交换机": [("千兆接入交换机", "24口", "台", (900, 2600)), ("万兆核心交换机", "48口", "台", (18000, 46000))],
        "路由器": [("企业级路由器", "双WAN", "台", (1200, 5200))],
        "无线": [("吸顶式无线AP", "Wi-Fi 6", "台", (600, 1900)), ("无线控制器", "256 AP", "台", (6800, 16000))],
    },
    "服务器": {
        "机架式服务器": [
            ("双路机架服务器", "2U", "台", (26000, 68000)),
            ("单路机架服务器", "1U", "台", (12000, 26000)),
        ],
        "塔式服务器": [("塔式服务器", "4U", "台", (9000, 18000))],
    },
    "存储设备": {
        "磁盘阵列": [("统一存储阵列", "24盘位", "台", (38000, 120000))],
        "硬盘": [("企业级SAS硬盘", "2.4TB", "块", (1600, 2800)), ("企业级SSD", "3.84TB", "块", (3200, 6800))],
    },
    "安全设备": {
        "防火墙": [("下一代防火墙", "千兆", "台", (8000, 36000))],
        "审计": [("上网行为管理", "500用户", "台", (6000, 15000)), ("日志审计系统", "100设备", "套", (20000, 45000))],
    },
    "线缆配件": {
        "网线": [("六类非屏蔽网线", "305米/箱", "箱", (480, 900)), ("超六类屏蔽跳线", "3米", "根", (18, 45))],
        "光模块": [("万兆多模光模块", "SFP+", "个", (180, 460)), ("千兆单模光模块", "SFP", "个", (80, 220))],
        "机柜": [("标准网络机柜", "42U", "台", (1800, 4200))],
    },
    "软件与服务": {
        "软件许可": [
            ("网管软件许可", "100节点", "套", (9000, 30000)),
            ("虚拟化平台许可", "每CPU", "套", (5000, 12000)),
        ],
        "技术服务": [("原厂维保服务", "1年", "年", (2000, 16000)), ("现场实施服务", "人天", "人天", (1200, 2400))],
    },
}
PREFIX = {
    "网络设备": "NET",
    "服务器": "SRV",
    "存储设备": "STO",
    "安全设备": "SEC",
    "线缆配件": "ACC",
    "软件与服务": "SVC",
}
BRANDS = ["云帆", "华信", "锐捷", "新华", "恒通"]
SUPPLIERS = ["深圳华信科技有限公司", "上海恒通网络设备有限公司", "北京新锐数据系统有限公司", "杭州云启信息技术有限公司"]
PRODUCTS_PER_SERIES = 5


def _money(rng, low, high) -> Decimal:
    value = rng.uniform(low, high)
    step = 100 if value > 5000 else (10 if value > 300 else 1)
    return Decimal(round(value / step) * step).quantize(Decimal("0.01"))


def load(context: dict) -> None:
    rng = random.Random(context["seed"] + 13)
    users = context["users"]
    ops, head, keeper = users[14], users[16], users[17]
    products = _catalogue(ops, rng)
    main = services.save_warehouse(
        ops,
        code="BJ01",
        name="北京总仓",
        owner=head,
        keepers=[head, keeper],
        address="北京市大兴区经海路 18 号",
        is_default=True,
    )
    east = services.save_warehouse(
        ops, code="SH01", name="上海分仓", owner=keeper, keepers=[keeper], address="上海市嘉定区安亭镇墨玉路 88 号"
    )
    _price_lists(ops, products)
    _a_year_of_stock(ops, keeper, head, [main, east], products, rng)
    _approval_flow(ops, head, keeper, main, products)
    context["products"] = products
    context["warehouses"] = [main, east]
    stocks = Stock.objects.count()
    context["stdout"].write(
        f"  Products: {len(products)} products, 2 warehouses, {stocks} stock rows, "
        f"{StockMove.objects.count()} ledger rows, {Stock.objects.filter(is_low=True).count()} low."
    )


def _catalogue(ops, rng) -> list[Product]:
    products = []
    series_index = 0
    for top, subs in CATALOGUE.items():
        root = services.create_category(ops, name=top)
        number = 0
        for sub, series_list in subs.items():
            category = services.create_category(ops, name=sub, parent=root)
            for series, spec, unit, (low, high) in series_list:
                count = PRODUCTS_PER_SERIES + (1 if series_index < 5 else 0)  # 23 series: 120 products
                series_index += 1
                for _n in range(count):
                    number += 1
                    brand = rng.choice(BRANDS)
                    price = _money(rng, low, high)
                    model = f"{PREFIX[top]}-{number:03d}"
                    products.append(
                        services.create_product(
                            ops,
                            {
                                "sku": f"{model}{rng.choice('ABCDEFGH')}",
                                "name": f"{brand} {series} {model[-3:]}",
                                "category": category.pk,
                                "specification": spec,
                                "unit": unit,
                                "list_price": str(price),
                                "tax_rate": "0.06" if top == "软件与服务" else "0.13",
                                "cost_price": str((price * Decimal(rng.uniform(0.55, 0.8))).quantize(Decimal("0.01"))),
                                "min_stock": "" if top == "软件与服务" else str(rng.choice([2, 3, 5, 10, 20])),
                                "tracks_batches": top in ("服务器", "存储设备", "安全设备"),
                                "status": "discontinued" if rng.random() < 0.05 else "on_sale",
                                "description": f"{brand}品牌{series}，{spec}。",
                            },
                        )
                    )
    return products


def _price_lists(ops, products) -> None:
    key_account = DictionaryItem.objects.filter(dictionary__code="customer_level", code="a").first()
    year = timezone.localdate().year
    services.save_price_list(
        ops,
        name=f"{year} 年重点客户价",
        customer_level=key_account,
        valid_from=date(year, 1, 1),
        valid_until=date(year, 12, 31),
        items=[(p, (p.list_price * Decimal("0.88")).quantize(Decimal("0.01"))) for p in products[::2]],
    )
    services.save_price_list(
        ops,
        name=f"{year} 年渠道通用价",
        customer_level=None,
        valid_from=date(year, 1, 1),
        items=[(p, (p.list_price * Decimal("0.95")).quantize(Decimal("0.01"))) for p in products[::3]],
    )


def _when(start, day: int):
    return timezone.make_aware(
        timezone.datetime.combine(start + timedelta(days=day), timezone.datetime.min.time())
    ) + timedelta(hours=9 + day % 8)


def _backdate(document, when) -> None:
    type(document).objects.filter(pk=document.pk).update(created_at=when, approved_at=when)
    StockMove.objects.filter(document_type=document._meta.label_lower, document_id=document.pk).update(created_at=when)


def _a_year_of_stock(ops, keeper, head, warehouses, products, rng) -> None:
    """Stock-ins every week or so over the past year, some losses adjusted, one stocktake a warehouse."""
    physical = [p for p in products if p.min_stock is not None and p.status == "on_sale"]
    start = timezone.localdate() - timedelta(days=365)
    for week in range(0, 52):
        warehouse = warehouses[0] if week % 3 else warehouses[1]
        lines = []
        for product in rng.sample(physical, rng.randint(3, 8)):
            lines.append(
                {
                    "product": product.pk,
                    "quantity": str(rng.choice([2, 5, 10, 20, 50]) if product.unit != "根" else 200),
                    "unit_cost": str(product.cost_price),
                    "batch": f"B{week:02d}{product.pk:03d}" if product.tracks_batches else "",
                }
            )
        actor = keeper if warehouse == warehouses[1] or week % 2 else head
        stock_in = documents.create_stock_in(actor, warehouse=warehouse, lines=lines, supplier=rng.choice(SUPPLIERS))
        stock_in = documents.submit(actor, StockIn, stock_in.pk)
        _backdate(stock_in, _when(start, week * 7))
        # Goods go out between stock-ins (deliveries arrive with the orders module: adjustments stand in for now).
        for line in rng.sample(lines, max(1, len(lines) // 2)):
            stock = Stock.objects.get(product_id=line["product"], warehouse=warehouse)
            take = min(stock.quantity, Decimal(rng.randint(1, 6)))
            if take > 0:
                move = documents.adjust_stock(
                    ops,
                    warehouse=warehouse,
                    product=line["product"],
                    quantity=-take,
                    note=rng.choice(["样机借用", "破损报废", "项目领用"]),
                )
                StockMove.objects.filter(pk=move.pk).update(created_at=_when(start, week * 7 + 3))
    for warehouse in warehouses:
        rows = list(Stock.objects.filter(warehouse=warehouse).order_by("product__sku")[:12])
        take = documents.create_stocktake(
            head,
            warehouse=warehouse,
            lines=[
                {"product": s.product_id, "counted": str(max(Decimal(0), s.quantity - (1 if n % 5 == 0 else 0)))}
                for n, s in enumerate(rows)
            ],
            note="季度盘点",
        )
        take = documents.submit(head, Stocktake, take.pk)
        _backdate(take, _when(start, 330))
    # A few products run low: the low-stock page has something to show.
    for stock in Stock.objects.filter(warehouse=warehouses[0], quantity__gt=3).order_by("pk")[:6]:
        documents.adjust_stock(
            ops, warehouse=warehouses[0], product=stock.product_id, quantity=-(stock.quantity - 1), note="项目领用"
        )
    for stock in Stock.objects.all():  # the last movement's date, as the backdated ledger says
        last = StockMove.objects.filter(product_id=stock.product_id, warehouse_id=stock.warehouse_id).order_by(
            "-created_at"
        )
        Stock.objects.filter(pk=stock.pk).update(updated_at=last.values_list("created_at", flat=True).first())


def _approval_flow(ops, head, keeper, main, products) -> None:
    """From now on stock-ins wait for the warehouse head; two of the keeper's are waiting."""
    graph = {
        "start": "n1",
        "nodes": {
            "n1": {
                "type": "approval",
                "name": "仓储主管审批",
                "approvers": {"kind": "users", "users": [head.pk]},
                "mode": "any",
                "next": "end",
                "if_no_approver": "ops",
            }
        },
    }
    approvals.publish(ops, approvals.save_draft(ops, documents.STOCK_IN_DOC, "入库审批", graph))
    physical = [p for p in products if p.min_stock is not None and not p.tracks_batches][:4]
    for n in range(2):
        stock_in = documents.create_stock_in(
            keeper,
            warehouse=main,
            lines=[
                {"product": p.pk, "quantity": str(10 * (n + 1)), "unit_cost": str(p.cost_price)} for p in physical[n::2]
            ],
            supplier=SUPPLIERS[n],
        )
        documents.submit(keeper, StockIn, stock_in.pk)
