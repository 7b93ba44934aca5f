"""Products and stock (PRODUCT.md §3.3): the catalogue (categories, products, pictures, price lists), warehouses
and who keeps them, the stock per product and warehouse, and the ledger every movement is written to; stock-ins
and stocktakes are approvable documents that post to the ledger once approved.

Visibility: the catalogue is company-wide — everyone with products.view sees every product and price list. Stock
is scoped by warehouse: a warehouse is owned (its head keeper and department) and shared with its keepers
(`Warehouse.shared_with_q`), and stock rows, ledger rows, stock-ins and stocktakes are visible exactly when their
warehouse is (`visible_through`).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from kehu.approvals.documents import ApprovableDocument
from kehu.core.locking import VersionedModel
from kehu.core.models import DictionaryField
from kehu.org.scope import OwnedModel, ScopedQuerySet, has_module_perm, visible_through

MODULE = "products"
QUANTITY = {"max_digits": 16, "decimal_places": 3}
MONEY = {"max_digits": 14, "decimal_places": 2}
DEFAULT_TAX_RATE = Decimal("0.13")


class CatalogueQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view"):
        """The catalogue is the company's: everyone who may view products sees all of it (and who may `action`
        products may `action` every entry)."""
        if has_module_perm(user, MODULE, "view") and has_module_perm(user, MODULE, action):
            return self.all()
        return self.none()


class Category(MP_Node):
    """A node of the category tree (电子设备 › 网络设备 › 交换机)."""

    name = models.CharField(_("name"), max_length=60)
    node_order_by = ["name"]

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")

    def __str__(self):
        return self.name

    def full_name(self) -> str:
        names = list(Category.objects.get_ancestors(self).values_list("name", flat=True)) if self.depth > 1 else []
        return " / ".join([*names, self.name])


class Product(VersionedModel):
    scope_module = MODULE

    class Status(models.TextChoices):
        ON_SALE = "on_sale", pgettext_lazy("product status", "On sale")
        DISCONTINUED = "discontinued", pgettext_lazy("product status", "Discontinued")

    sku = models.CharField(_("SKU"), max_length=40)
    sku_key = models.CharField(max_length=40, unique=True, editable=False)  # normalised: case and width
    name = models.CharField(_("name"), max_length=100)
    name_pinyin = models.CharField(max_length=400, editable=False)
    name_initials = models.CharField(max_length=100, editable=False, db_index=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    specification = models.CharField(_("specification"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=10, default="个")
    list_price = models.DecimalField(_("list price"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    tax_rate = models.DecimalField(
        _("tax rate"),
        max_digits=5,
        decimal_places=4,
        default=DEFAULT_TAX_RATE,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    cost_price = models.DecimalField(
        _("cost price"), **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ON_SALE)
    tracks_batches = models.BooleanField(_("tracks batch or serial numbers"), default=False)
    min_stock = models.DecimalField(_("minimum stock"), **QUANTITY, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    history = HistoricalRecords(excluded_fields=["sku_key", "name_pinyin", "name_initials"])

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            models.Index(fields=["name_pinyin", "id"], name="product_pinyin_idx"),
            models.Index(fields=["sku", "id"], name="product_sku_idx"),
            models.Index(fields=["category", "id"], name="product_category_idx"),
        ]

    def __str__(self):
        return f"{self.sku} {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("products:detail", kwargs={"pk": self.pk})

    @property
    def price_with_tax(self) -> Decimal:
        return (self.list_price * (1 + self.tax_rate)).quantize(Decimal("0.01"))


class ProductPicture(models.Model):
    """A picture of a product, re-encoded on upload (never stored as sent) with a thumbnail."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="pictures")
    image = models.FileField(upload_to="products/%Y/%m/")
    thumbnail = models.FileField(upload_to="products/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.image.name


class PriceList(VersionedModel):
    """Prices for a customer group (a customer level; no group: every customer) valid from … to (inclusive)."""

    scope_module = MODULE

    name = models.CharField(_("name"), max_length=60)
    customer_level = DictionaryField("customer_level", _("customer group"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-valid_from", "-id"]

    def __str__(self):
        return self.name


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    price = models.DecimalField(_("price"), **MONEY, validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["price_list", "product"], name="uniq_price_list_product")]

    def __str__(self):
        return f"{self.price_list_id}/{self.product_id}: {self.price}"


class Warehouse(OwnedModel, VersionedModel):
    """A warehouse: owned by its head keeper (and department), shared with every keeper."""

    scope_module = MODULE

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    address = models.CharField(_("address"), max_length=200, blank=True)
    keepers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("keepers"), blank=True, related_name="+")
    is_default = models.BooleanField(_("default warehouse"), default=False)
    allow_negative = models.BooleanField(_("stock may go below zero"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords(m2m_fields=[keepers])

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["-is_default", "code"]
        indexes = [models.Index(fields=["owner_department", "id"], name="warehouse_dept_idx")]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_warehouse")
        ]

    def __str__(self):
        return self.name

    @classmethod
    def shared_with_q(cls, user, action: str):
        """Keepers see and work in their warehouses (for every action their role grants)."""
        if not has_module_perm(user, MODULE, action):
            return None
        return Q(pk__in=cls.keepers.through.objects.filter(user_id=user.pk).values("warehouse_id"))


class ThroughWarehouse(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """Visible exactly when the warehouse is."""
        return visible_through(self, "warehouse", Warehouse.objects.visible_to(user, action))


class Stock(models.Model):
    """The balance of one product in one warehouse: always the sum of its ledger rows (`kehu check-stock`)."""

    scope_module = MODULE

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stocks")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stocks")
    quantity = models.DecimalField(_("quantity"), **QUANTITY, default=Decimal("0"))
    minimum = models.DecimalField(_("minimum stock"), **QUANTITY, null=True, blank=True)  # else the product's
    is_low = models.BooleanField(default=False)  # below the minimum, kept by the ledger service
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ThroughWarehouse.as_manager()

    class Meta:
        verbose_name = _("stock")
        constraints = [models.UniqueConstraint(fields=["product", "warehouse"], name="uniq_stock_product_warehouse")]
        indexes = [
            models.Index(fields=["quantity", "id"], name="stock_quantity_idx"),
            models.Index(fields=["warehouse", "quantity", "id"], name="stock_wh_quantity_idx"),
            models.Index(fields=["is_low", "id"], name="stock_low_idx", condition=Q(is_low=True)),
        ]

    def __str__(self):
        return f"{self.product} @ {self.warehouse}"


class StockMove(models.Model):
    """One row of the stock ledger (库存台账): written once by `ledger.post_movement`, never changed."""

    scope_module = MODULE

    class Kind(models.TextChoices):
        STOCK_IN = "stock_in", pgettext_lazy("stock movement", "Stock-in")
        STOCK_IN_CANCEL = "stock_in_cancel", pgettext_lazy("stock movement", "Stock-in cancelled")
        DELIVERY = "delivery", pgettext_lazy("stock movement", "Delivery")
        ADJUSTMENT = "adjustment", pgettext_lazy("stock movement", "Adjustment")
        STOCKTAKE = "stocktake", pgettext_lazy("stock movement", "Stocktake")

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)  # signed: + in, − out
    balance = models.DecimalField(_("balance"), **QUANTITY)  # the stock after this movement
    unit_cost = models.DecimalField(_("unit cost"), **MONEY, null=True, blank=True)
    batch = models.CharField(_("batch / serial numbers"), max_length=200, blank=True)
    document = models.CharField(_("document"), max_length=40, blank=True)  # its number, e.g. RK-2026-00012
    document_type = models.CharField(max_length=30, blank=True)
    document_id = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = ThroughWarehouse.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        indexes = [
            models.Index(fields=["product", "id"], name="move_product_idx"),
            models.Index(fields=["warehouse", "id"], name="move_warehouse_idx"),
            models.Index(fields=["document_type", "document_id"], name="move_document_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.quantity} → {self.balance}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("ledger rows are never changed: post a reversing movement instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("ledger rows are never deleted: post a reversing movement instead")


class StockDocument(ApprovableDocument, VersionedModel):
    """What stock-ins and stocktakes share: a number, a warehouse, who wrote it, the approval status."""

    scope_module = MODULE

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("stock document status", "Draft")
        PENDING = "pending", pgettext_lazy("stock document status", "Pending approval")
        APPROVED = "approved", pgettext_lazy("stock document status", "Approved")
        CANCELLED = "cancelled", pgettext_lazy("stock document status", "Cancelled")

    # Without a published flow a submitted document is approved at once ("post"); an approved stock-in may be
    # cancelled (reversing entries), never edited.
    TRANSITIONS = {
        ("draft", "submit"): "pending",
        ("draft", "post"): "approved",
        ("pending", "approve"): "approved",
        ("pending", "reject"): "draft",
        ("pending", "return"): "draft",
        ("pending", "withdraw"): "draft",
    }
    LOCKED = ("pending", "approved", "cancelled")
    locked_message = _("This document is in approval or approved and cannot be changed.")

    number = models.CharField(_("number"), max_length=30, unique=True)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    objects = ThroughWarehouse.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return self.number

    def can_view_approval(self, user) -> bool:
        return type(self).objects.visible_to(user).filter(pk=self.pk).exists()

    def approval_form(self) -> dict:
        """What approvers read (and flows may branch on): the header and the lines as text."""
        lines = list(self.lines.select_related("product"))
        return {
            "number": self.number,
            "warehouse": self.warehouse.name,
            "created_by": self.created_by_id,
            "line_count": len(lines),
            **self.approval_summary(lines),
        }

    def approval_summary(self, lines) -> dict:
        return {}

    def check_submit(self, actor) -> None:
        from kehu.products import documents

        documents.check_can_submit(actor, self)


class StockIn(StockDocument):
    """产品入库: lines of products received into one warehouse."""

    TRANSITIONS = {**StockDocument.TRANSITIONS, ("approved", "cancel"): "cancelled"}

    supplier = models.CharField(_("supplier"), max_length=100, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stock-in")
        verbose_name_plural = _("stock-ins")
        indexes = [models.Index(fields=["warehouse", "id"], name="stockin_wh_idx")]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("products:stock_in_detail", kwargs={"pk": self.pk})

    def approval_title(self) -> str:
        return f"{_('Stock-in')} {self.number} · {self.warehouse.name}"

    def approval_summary(self, lines) -> dict:
        total = sum((line.quantity for line in lines), Decimal("0"))
        return {
            "supplier": self.supplier,
            "total_quantity": str(total),
            "lines_text": "\n".join(
                f"{line.product.sku} {line.product.name} × {line.quantity.normalize():f} {line.product.unit}"
                for line in lines
            ),
        }

    def on_approved(self, form: dict, instance) -> None:
        from kehu.products import documents

        documents.post_stock_in(self, instance.submitter)


class StockInLine(models.Model):
    stock_in = models.ForeignKey(StockIn, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_cost = models.DecimalField(_("unit cost"), **MONEY, null=True, blank=True)
    batch = models.CharField(_("batch / serial numbers"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.product_id} × {self.quantity}"


class Stocktake(StockDocument):
    """盘点: counted quantities of one warehouse; differences are posted as adjustments once approved."""

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        indexes = [models.Index(fields=["warehouse", "id"], name="stocktake_wh_idx")]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("products:stocktake_detail", kwargs={"pk": self.pk})

    def approval_title(self) -> str:
        return f"{_('Stocktake')} {self.number} · {self.warehouse.name}"

    def approval_summary(self, lines) -> dict:
        return {
            "difference_count": sum(1 for line in lines if line.counted != line.expected),
            "lines_text": "\n".join(
                f"{line.product.sku} {line.product.name}: {line.expected.normalize():f} → {line.counted.normalize():f}"
                for line in lines
            ),
        }

    def on_approved(self, form: dict, instance) -> None:
        from kehu.products import documents

        documents.post_stocktake(self, instance.submitter)


class StocktakeLine(models.Model):
    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    counted = models.DecimalField(_("counted"), **QUANTITY, validators=[MinValueValidator(Decimal("0"))])
    expected = models.DecimalField(_("on record"), **QUANTITY, default=Decimal("0"))  # the balance when counted
    posted = models.DecimalField(_("difference posted"), **QUANTITY, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["stocktake", "product"], name="uniq_stocktake_product")]

    def __str__(self):
        return f"{self.product_id}: {self.counted}"
