"""Excel export of the product list: the rows of `PRODUCTS.listing` (the page's filters and sort), in the import
template's columns — without the cost price for whoever may not see costs (kehu/products/costs.py)."""

from django.http import QueryDict
from django.utils import timezone

from kehu.core.xlsx import Book
from kehu.products.costs import visible_fields
from kehu.products.imports import COLUMNS
from kehu.products.models import Category
from kehu.products.resources import PRODUCTS
from kehu.products.services import require

CHUNK = 2000


def export_columns(user) -> list:
    shown = set(visible_fields(user, [c.field for c in COLUMNS]))
    return [c for c in COLUMNS if c.field in shown]


def _value(product, field: str, categories: dict):
    if field == "category":
        return categories.get(product.category_id, "")
    if field == "status":
        return product.get_status_display()
    return getattr(product, field)


def export_products(user, params: QueryDict | dict | None = None) -> tuple[bytes, int]:
    """The workbook of the products `user` lists with `params` (needs products.export) and its row count."""
    require(user, "export")
    _tab, rows, _filters, _sort = PRODUCTS.listing(user, params if params is not None else QueryDict())
    columns = export_columns(user)
    categories = {c.pk: c.full_name().replace(" / ", "/") for c in Category.objects.all()}
    book = Book(write_only=True)  # formula-safe cells (kehu.core.xlsx)
    sheet = book.sheet("产品")
    sheet.header([column.zh for column in columns])
    count = 0
    for product in rows.iterator(chunk_size=CHUNK):
        sheet.append([_value(product, c.field, categories) for c in columns])
        count += 1
    return book.content(), count


def export_file_name() -> str:
    return f"products-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
