"""Excel import of products through the generic import (validate first, per-row errors; "all" or nothing;
"valid_only") and the export of the product list (the list's filters; costs only for who may see them)."""

from io import BytesIO

from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kehu.products.imports import ProductImport, run_import
from kehu.products.models import Product

HEADER = ["产品编码", "产品名称", "产品分类", "规格型号", "单位", "标准售价", "税率", "成本价", "最低库存", "状态"]


def workbook(*rows) -> BytesIO:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(list(row))
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out


ROWS = (
    ("SW-48", "48口交换机", "网络设备/交换机", "48GE", "台", 2600, "", 1800, 3, "在售"),
    ("ＳＷ－４８", "重复", "交换机", "", "", 1, "", "", "", ""),
    ("sw-24", "已有", "交换机", "", "", 1, "", "", "", ""),
    ("AP-1", "无线AP", "不存在的分类", "", "", -5, 2, "", "", "卖完"),
    ("CB-5", "五类网线", "网络设备", "", "米", 2.5, 0.09, "", "", "停售"),
)


def test_validation_reports_every_row_and_writes_nothing(stockroom):
    result = run_import(stockroom.ops, workbook(*ROWS), mode="validate")
    assert (result.total, result.valid, result.invalid, result.created) == (5, 2, 3, 0)
    assert [(e.row, e.field, e.message) for e in result.errors] == [
        (3, "sku", "The same SKU as row 2."),
        (4, "sku", "The SKU SW-24 is already in the catalogue."),
        (5, "category", "No such category (give its name or its path, e.g. 网络设备/交换机)."),
        (5, "list_price", "Enter a number that is not negative."),
        (5, "tax_rate", "At most 1."),
        (5, "status", "Use 在售 (on sale) or 停售 (discontinued)."),
    ]
    assert Product.objects.count() == 3


def test_all_writes_nothing_with_errors_and_valid_only_writes_the_good_rows(stockroom):
    assert run_import(stockroom.ops, workbook(*ROWS), mode="all").created == 0
    result = run_import(stockroom.ops, workbook(*ROWS), mode="valid_only")
    assert result.created == 2
    new = Product.objects.get(sku="SW-48")
    assert (new.category, new.cost_price, new.tax_rate, new.name_initials) == (
        stockroom.switches,
        1800,
        __import__("decimal").Decimal("0.13"),
        "48kjhj",
    )
    assert Product.objects.get(sku="CB-5").status == "discontinued"
    assert new.history.get().history_change_reason == "Imported"


def test_the_template_has_the_columns(stockroom):
    book = load_workbook(BytesIO(ProductImport(stockroom.ops).template()))
    assert [c.value for c in book.worksheets[0][1]][:3] == ["产品编码*", "产品名称*", "产品分类*"]


def test_the_export_follows_the_lists_filters(client, stockroom):
    client.force_login(stockroom.ops)
    response = client.get(reverse("products:export"), {"category": stockroom.switches.pk})
    rows = list(load_workbook(BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("产品编码", "产品名称", "产品分类")
    assert [row[:3] for row in rows[1:]] == [("SW-24", "千兆交换机", "网络设备/交换机")]
