"""Excel import of products, declared into the core import engine (`kehu.core.importing`): the columns, the
checks of a row and of the whole file, and the writer. Validation comes first (per-row errors, nothing written),
then "all" (every row or none) or "valid_only".

- A row: required SKU, name, category (its name or its path "网络设备/交换机"), list price; numbers not negative,
  the tax rate between 0 and 1 (default 13 %), the status by label or code, lengths. A cost price needs the right
  to see costs.
- The file: SKUs duplicated inside it or already in the catalogue, after normalising case and full-width forms.
- Writing: the products with their history rows (`core.bulk.insert_created`).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from kehu.core import importing
from kehu.core.bulk import db_timestamp, insert_created
from kehu.core.importing import Column, RowError
from kehu.core.text import pinyin_fields
from kehu.products.costs import can_see_costs
from kehu.products.models import DEFAULT_TAX_RATE, Category, Product
from kehu.products.services import _decimal, require
from kehu.products.text import sku_key

COLUMNS = (
    Column("sku", "产品编码", N_("SKU"), ("sku", "编码", "code"), required=True, max_length=40),
    Column("name", "产品名称", N_("Product name"), ("name", "名称"), required=True, max_length=100),
    Column("category", "产品分类", N_("Category"), ("category", "分类"), required=True, max_length=200),
    Column("specification", "规格型号", N_("Specification"), ("规格",), max_length=200),
    Column("unit", "单位", N_("Unit"), max_length=10),
    Column("list_price", "标准售价", N_("List price"), ("售价", "price"), required=True),
    Column("tax_rate", "税率", N_("Tax rate")),
    Column("cost_price", "成本价", N_("Cost price"), ("成本",)),
    Column("min_stock", "最低库存", N_("Minimum stock")),
    Column("status", "状态", N_("Status")),
    Column("description", "描述", N_("Description")),
)


@dataclass
class CleanProduct:
    row: int
    values: dict
    key: str


def category_lookup() -> dict[str, int | None]:
    """Categories by their name and by their path ("电子设备/交换机"); a name two categories share names none."""
    nodes = list(Category.objects.order_by("path"))
    by_path = {node.path: node for node in nodes}
    found: dict[str, int | None] = {}
    for node in nodes:
        names = [by_path[node.path[: i * Category.steplen]].name for i in range(1, node.depth + 1)]
        found["/".join(names).lower()] = node.pk
        leaf = node.name.lower()
        found[leaf] = None if leaf in found and found[leaf] != node.pk else node.pk
    return found


def status_lookup() -> dict[str, str]:
    found = {}
    for value, label in Product.Status.choices:
        found[value] = value
        found[str(label).lower()] = value
    found.update({"在售": "on_sale", "停售": "discontinued", "on sale": "on_sale"})
    return found


@importing.register("products")
class ProductImport(importing.Importer):
    columns = COLUMNS
    sheet_title = "产品导入"

    def check(self) -> None:
        require(self.actor, "add")
        self._categories = category_lookup()
        self._statuses = status_lookup()
        self._costs = can_see_costs(self.actor)

    def clean_row(self, number: int, values: dict[str, str]) -> tuple[CleanProduct, list[RowError]]:
        errors: list[RowError] = []
        self.clean_lengths(number, values, errors)
        clean: dict = {}
        for name in ("sku", "name"):
            text = " ".join(values[name].split())
            if not text:
                errors.append(self.error(number, name, _("This field is required.")))
            clean[name] = text
        path = "/".join(part.strip() for part in values["category"].replace("／", "/").split("/")).lower()
        category = self._categories.get(path)
        if category is None and values["category"]:
            errors.append(
                self.error(number, "category", _("No such category (give its name or its path, e.g. 网络设备/交换机)."))
            )
        elif not values["category"]:
            errors.append(self.error(number, "category", _("This field is required.")))
        clean["category_id"] = category
        found: dict = {}
        clean["list_price"] = _decimal(values, "list_price", found, required=True)
        tax = _decimal(values, "tax_rate", found, places=4, maximum=Decimal("1"))
        clean["tax_rate"] = DEFAULT_TAX_RATE if tax is None else tax
        if values["cost_price"] and not self._costs:
            found["cost_price"] = [_("You may not set cost prices.")]
        clean["cost_price"] = _decimal(values, "cost_price", found) if self._costs else None
        clean["min_stock"] = _decimal(values, "min_stock", found, places=3)
        for name, messages in found.items():
            errors.append(self.error(number, name, messages[0]))
        status = self._statuses.get(values["status"].strip().lower(), None) if values["status"] else "on_sale"
        if status is None:
            errors.append(self.error(number, "status", _("Use 在售 (on sale) or 停售 (discontinued).")))
        clean["status"] = status or "on_sale"
        clean["specification"] = values["specification"]
        clean["unit"] = values["unit"] or "个"
        clean["description"] = values["description"]
        return CleanProduct(number, clean, sku_key(clean["sku"])), errors

    def check_rows(self, rows, errors) -> None:
        first: dict[str, int] = {}
        for number, row in rows:
            if not row.key:
                continue
            if row.key in first:
                errors.setdefault(number, []).append(
                    self.error(number, "sku", _("The same SKU as row %(row)d.") % {"row": first[row.key]})
                )
            else:
                first[row.key] = number
        keys = list(first)
        taken = {}
        for start in range(0, len(keys), 5000):
            taken.update(Product.objects.filter(sku_key__in=keys[start : start + 5000]).values_list("sku_key", "sku"))
        for number, row in rows:
            if row.key in taken and first.get(row.key) == number:
                errors.setdefault(number, []).append(
                    self.error(
                        number, "sku", _("The SKU %(sku)s is already in the catalogue.") % {"sku": taken[row.key]}
                    )
                )

    def write_rows(self, rows: list[CleanProduct], progress: importing.Progress) -> int:
        now = db_timestamp(timezone.now())
        products = []
        for row in rows:
            full, initials = pinyin_fields(row.values["name"])
            products.append(
                {
                    **row.values,
                    "sku_key": row.key,
                    "name_pinyin": full,
                    "name_initials": initials[:100],
                    "tracks_batches": False,
                    "created_at": now,
                    "updated_at": now,
                    "updated_by_id": self.actor.pk if self.actor else None,
                    "version": 1,
                }
            )
        insert_created(Product, products, actor=self.actor, reason=_("Imported"), stamp=now)
        progress("writing", len(products), len(products))
        return len(products)


def run_import(actor, source, *, mode: str = "validate") -> importing.ImportResult:
    return ProductImport(actor).run(source, mode=mode)
