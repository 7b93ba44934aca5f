"""Writes of the catalogue: categories, products (SKU unique after normalising case and width), pictures
(validated by content, re-encoded, with a thumbnail), price lists (no overlap for one customer group) and the
price a customer gets (`price_for`); warehouses and their keepers. Stock movements: `ledger.py`; stock-ins and
stocktakes: `documents.py`."""

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.locking import save_versioned
from kehu.core.text import pinyin_fields
from kehu.org.services import require as require_perm
from kehu.products.costs import can_see_costs
from kehu.products.models import (
    DEFAULT_TAX_RATE,
    MODULE,
    Category,
    PriceList,
    PriceListItem,
    Product,
    ProductPicture,
    Warehouse,
)
from kehu.products.text import sku_key

PRODUCT_FIELDS = (
    "sku",
    "name",
    "category",
    "specification",
    "unit",
    "list_price",
    "tax_rate",
    "cost_price",
    "status",
    "tracks_batches",
    "min_stock",
    "description",
)
PICTURE_MAX_BYTES = 8 * 1024 * 1024
PICTURE_MAX_SIDE = 2000
THUMBNAIL_SIDE = 240


def require(actor, action: str) -> None:
    require_perm(actor, MODULE, action)


# --- categories -----------------------------------------------------------------------------------------------
def create_category(actor, *, name: str, parent: Category | None = None) -> Category:
    require(actor, "manage")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Enter the category's name.")]})
    siblings = Category.objects.get_root_nodes() if parent is None else Category.objects.get_children(parent)
    if siblings.filter(name=name).exists():
        raise ValidationError({"name": [_("This category already has a subcategory with this name.")]})
    with transaction.atomic():
        if parent is None:
            return Category.objects.add_root({"name": name})
        return Category.objects.add_child(Category.objects.get(pk=parent.pk), {"name": name})


def category_subtree_ids(category: Category) -> list[int]:
    return list(Category.objects.filter(path__startswith=category.path).values_list("pk", flat=True))


# --- products --------------------------------------------------------------------------------------------------
def _decimal(data: dict, name: str, errors: dict, *, required=False, places=2, maximum=None):
    value = data.get(name)
    if value in (None, ""):
        if required:
            errors[name] = [_("This field is required.")]
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[name] = [_("Enter a number.")]
        return None
    if not number.is_finite() or number < 0:
        errors[name] = [_("Enter a number that is not negative.")]
        return None
    if maximum is not None and number > maximum:
        errors[name] = [_("At most %(max)s.") % {"max": maximum}]
        return None
    if number >= Decimal(10) ** 12 or number != number.quantize(Decimal(1).scaleb(-places)):
        errors[name] = [_("At most %(places)d decimals and 12 digits.") % {"places": places}]
        return None
    return number


def clean_product(data: dict, *, instance: Product | None = None, actor=None) -> dict:
    """The product's fields from `data` (a form's or the API's), checked: field errors in one ValidationError."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    sku = " ".join(str(data.get("sku") or "").split())
    if not sku:
        errors["sku"] = [_("Enter the SKU.")]
    elif len(sku) > 40:
        errors["sku"] = [_("At most 40 characters.")]
    else:
        key = sku_key(sku)
        taken = Product.objects.filter(sku_key=key).exclude(pk=getattr(instance, "pk", None)).first()
        if taken:
            errors["sku"] = [
                _(
                    "The SKU %(sku)s is already used by %(product)s "
                    "(capitals and full-width characters count as the same)."
                )
                % {"sku": sku, "product": f"{taken.sku} {taken.name}"}
            ]
        clean["sku"], clean["sku_key"] = sku, key
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Enter the product's name.")]
    elif len(name) > 100:
        errors["name"] = [_("At most 100 characters.")]
    clean["name"] = name
    category = data.get("category")
    if not isinstance(category, Category):
        category = Category.objects.filter(pk=category).first() if str(category or "").isdigit() else None
    if category is None:
        errors["category"] = [_("Choose a category.")]
    clean["category"] = category
    for field, limit in (("specification", 200), ("unit", 10)):
        value = str(data.get(field) or "").strip()
        if len(value) > limit:
            errors[field] = [_("At most %(max)d characters.") % {"max": limit}]
        clean[field] = value
    if not clean["unit"]:
        clean["unit"] = "个"
    clean["list_price"] = _decimal(data, "list_price", errors, required=True)
    tax = _decimal(data, "tax_rate", errors, places=4, maximum=Decimal("1"))
    clean["tax_rate"] = DEFAULT_TAX_RATE if tax is None and "tax_rate" not in errors else tax
    if can_see_costs(actor) or actor is None:
        clean["cost_price"] = _decimal(data, "cost_price", errors)
    elif instance is not None:
        clean["cost_price"] = instance.cost_price  # who cannot see costs cannot change them either
    else:
        clean["cost_price"] = None
    clean["min_stock"] = _decimal(data, "min_stock", errors, places=3)
    status = data.get("status") or Product.Status.ON_SALE
    if status not in Product.Status.values:
        errors["status"] = [_("Choose a status.")]
    clean["status"] = status
    clean["tracks_batches"] = str(data.get("tracks_batches")).lower() in ("true", "1", "on", "yes")
    clean["description"] = str(data.get("description") or "").strip()
    if errors:
        raise ValidationError(errors)
    return clean


def create_product(actor, data: dict) -> Product:
    require(actor, "add")
    clean = clean_product(data, actor=actor)
    full, initials = pinyin_fields(clean["name"])
    with transaction.atomic():
        product = Product(**clean, name_pinyin=full, name_initials=initials[:100], updated_by=actor)
        product._history_user = actor
        try:
            with transaction.atomic():
                product.save()
        except IntegrityError:  # the same SKU saved a moment ago by someone else
            raise ValidationError({"sku": [_("This SKU is already used by another product.")]}) from None
    return product


def update_product(actor, pk, data: dict, expected_version: int | None) -> Product:
    from kehu.products import ledger

    require(actor, "change")
    product = Product.objects.visible_to(actor, "change").filter(pk=pk).first()
    if product is None:
        raise Http404
    clean = clean_product(data, instance=product, actor=actor)
    minimum_changed = clean["min_stock"] != product.min_stock
    for name, value in clean.items():
        setattr(product, name, value)
    product.name_pinyin, initials = pinyin_fields(product.name)
    product.name_initials = initials[:100]
    with transaction.atomic():
        try:
            with transaction.atomic():
                save_versioned(product, actor, expected_version)
        except IntegrityError:
            raise ValidationError({"sku": [_("This SKU is already used by another product.")]}) from None
        if minimum_changed:
            ledger.refresh_low_flags(product)
    return product


def search_products(queryset, text: str):
    """Name, pinyin, initials or SKU (case and width insensitive) — the list filter and the picker."""
    text = " ".join((text or "").split())
    if not text:
        return queryset
    key = sku_key(text)
    folded = text.lower().replace(" ", "")
    return queryset.filter(
        Q(sku_key__startswith=key)
        | Q(name__icontains=text)
        | Q(name_pinyin__startswith=folded)
        | Q(name_initials__startswith=folded)
    )


# --- pictures --------------------------------------------------------------------------------------------------
def add_picture(actor, product: Product, upload) -> ProductPicture:
    """A JPEG, PNG or WebP picture, checked by what it contains (Pillow opens and verifies it, whatever its name
    says), re-encoded (no metadata, no hidden payload survives) at most 2000 px a side, and a 240 px thumbnail."""
    from PIL import Image, UnidentifiedImageError

    require(actor, "change")
    if not upload:
        raise ValidationError({"picture": [_("Choose a picture.")]})
    if upload.size > PICTURE_MAX_BYTES:
        raise ValidationError({"picture": [_("The picture is larger than 8 MB.")]})
    Image.MAX_IMAGE_PIXELS = 40_000_000  # a decompression bomb is refused, not decoded
    try:
        upload.seek(0)
        probe = Image.open(upload)
        kind = probe.format
        probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"picture": [_("This file is not a JPEG, PNG or WebP picture.")]}) from None
    if kind not in ("JPEG", "PNG", "WEBP"):
        raise ValidationError({"picture": [_("This file is not a JPEG, PNG or WebP picture.")]})
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") and kind == "PNG" else "RGB")
    image.thumbnail((PICTURE_MAX_SIDE, PICTURE_MAX_SIDE))
    name = uuid.uuid4().hex
    main = _encoded(image, kind)
    small = image.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    thumb = _encoded(small, kind)
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[kind]
    with transaction.atomic():
        picture = ProductPicture(product=product, uploaded_by=actor, width=image.width, height=image.height)
        picture.image.save(f"{name}.{extension}", ContentFile(main), save=False)
        picture.thumbnail.save(f"{name}-thumb.{extension}", ContentFile(thumb), save=False)
        picture.save()
    return picture


def _encoded(image, kind: str) -> bytes:
    out = BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    else:
        image.save(out, kind)
    return out.getvalue()


def delete_picture(actor, picture: ProductPicture) -> None:
    require(actor, "change")
    with transaction.atomic():
        picture.delete()
    picture.image.delete(save=False)
    picture.thumbnail.delete(save=False)


# --- price lists -----------------------------------------------------------------------------------------------
def _overlaps(level_id, valid_from: date, valid_until: date | None, exclude=None):
    """Price lists of the same customer group whose validity shares a day with [valid_from, valid_until]."""
    lists = PriceList.objects.filter(customer_level_id=level_id)
    if exclude is not None:
        lists = lists.exclude(pk=exclude)
    lists = lists.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from))
    if valid_until is not None:
        lists = lists.filter(valid_from__lte=valid_until)
    return lists


def save_price_list(
    actor, *, name: str, customer_level, valid_from, valid_until=None, items=(), pk=None, expected_version=None
) -> PriceList:
    """Create (or, with `pk`, change) a price list and its prices `items` [(product, price)]. Refused when it
    overlaps another list of the same customer group."""
    require(actor, "manage")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter the price list's name.")]
    if not isinstance(valid_from, date):
        errors["valid_from"] = [_("Enter the first day it is valid.")]
    if valid_until is not None and isinstance(valid_from, date) and valid_until < valid_from:
        errors["valid_until"] = [_("The last day cannot be before the first.")]
    level_id = getattr(customer_level, "pk", customer_level)
    if errors:
        raise ValidationError(errors)
    prices = {}
    for product, price in items:
        product_id = getattr(product, "pk", product)
        if not Product.objects.filter(pk=product_id).exists():
            raise ValidationError({"items": [_("Choose a product from the catalogue.")]})
        if price is None or Decimal(price) < 0:
            raise ValidationError({"items": [_("A price cannot be negative.")]})
        prices[product_id] = Decimal(price)
    with transaction.atomic():
        # Lists of one group are written one at a time: lock the group's lists so two overlapping saves queue.
        list(PriceList.objects.select_for_update().filter(customer_level_id=level_id))
        other = _overlaps(level_id, valid_from, valid_until, exclude=pk).first()
        if other is not None:
            raise ValidationError(
                {
                    "valid_from": [
                        _("It overlaps the price list “%(name)s” (%(from)s – %(until)s) for the same customer group.")
                        % {
                            "name": other.name,
                            "from": other.valid_from.isoformat(),
                            "until": other.valid_until.isoformat() if other.valid_until else "…",
                        }
                    ]
                }
            )
        if pk is None:
            price_list = PriceList(updated_by=actor)
        else:
            price_list = PriceList.objects.filter(pk=pk).first()
            if price_list is None:
                raise Http404
        price_list.name, price_list.customer_level_id = name, level_id
        price_list.valid_from, price_list.valid_until = valid_from, valid_until
        price_list._history_user = actor
        if pk is None:
            price_list.save()
        else:
            save_versioned(price_list, actor, expected_version)
        if items or pk is None:
            PriceListItem.objects.filter(price_list=price_list).delete()
            PriceListItem.objects.bulk_create(
                PriceListItem(price_list=price_list, product_id=p, price=v) for p, v in prices.items()
            )
    return price_list


def price_for(customer, product, on_date: date | None = None) -> Decimal:
    """The price `customer` gets for `product` on `on_date` (default today): the price list of the customer's
    group valid that day, else the price list for every customer valid that day, else the list price. Without a
    customer (a quote to nobody yet): the list for every customer, else the list price."""
    on_date = on_date or timezone.localdate()
    product_id = getattr(product, "pk", product)
    groups = [getattr(customer, "level_id", None)] if customer is not None else []
    groups = [g for g in groups if g is not None] + [None]
    for level_id in groups:
        valid = _overlaps(level_id, on_date, on_date)
        price = PriceListItem.objects.filter(price_list__in=valid, product_id=product_id).values_list(
            "price", flat=True
        )
        found = price.first()
        if found is not None:
            return found
    if isinstance(product, Product):
        return product.list_price
    return Product.objects.values_list("list_price", flat=True).get(pk=product_id)


# --- warehouses --------------------------------------------------------------------------------------------------
def save_warehouse(
    actor,
    *,
    code: str,
    name: str,
    owner,
    keepers=(),
    address="",
    is_default=False,
    allow_negative=False,
    is_active=True,
    pk=None,
    expected_version=None,
) -> Warehouse:
    """Create or change a warehouse (sales operations: products.manage). The owner is its head keeper; the
    warehouse belongs to the owner's department (that decides who else sees its stock)."""
    require(actor, "manage")
    errors: dict[str, list[str]] = {}
    code, name = (code or "").strip().upper(), (name or "").strip()
    if not code:
        errors["code"] = [_("Enter the warehouse's code.")]
    elif Warehouse.objects.filter(code=code).exclude(pk=pk).exists():
        errors["code"] = [_("Another warehouse has this code.")]
    if not name:
        errors["name"] = [_("Enter the warehouse's name.")]
    if owner is None or not getattr(owner, "is_active", False):
        errors["owner"] = [_("Choose the head keeper.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if not Warehouse.objects.filter(is_default=True).exclude(pk=pk).exists():
            is_default = True  # the first warehouse (or the one left) is the default
        if is_default:
            Warehouse.objects.filter(is_default=True).exclude(pk=pk).update(is_default=False)
        warehouse = Warehouse(updated_by=actor) if pk is None else Warehouse.objects.filter(pk=pk).first()
        if warehouse is None:
            raise Http404
        warehouse.code, warehouse.name, warehouse.address = code, name, (address or "").strip()
        warehouse.owner, warehouse.owner_department = owner, owner.department
        warehouse.is_default, warehouse.allow_negative, warehouse.is_active = is_default, allow_negative, is_active
        warehouse._history_user = actor
        if pk is None:
            warehouse.save()
        else:
            save_versioned(warehouse, actor, expected_version)
        warehouse.keepers.set(keepers)
    return warehouse


def default_warehouse() -> Warehouse | None:
    return Warehouse.objects.filter(is_default=True).first()


def require_warehouse(actor, warehouse_id, action: str = "stock") -> Warehouse:
    """The warehouse `actor` may work in for `action`: a field error for an unknown one, 404 outside the scope."""
    if not str(warehouse_id or "").isdigit():
        raise ValidationError({"warehouse": [_("Choose a warehouse.")]})
    warehouse = Warehouse.objects.filter(pk=warehouse_id, is_active=True).first()
    if warehouse is None:
        raise ValidationError({"warehouse": [_("Choose a warehouse in use.")]})
    if not Warehouse.objects.visible_to(actor, action).filter(pk=warehouse.pk).exists():
        if Warehouse.objects.visible_to(actor).filter(pk=warehouse.pk).exists():
            raise PermissionDenied(_("You do not keep this warehouse."))
        raise ValidationError({"warehouse": [_("Choose a warehouse in use.")]})
    return warehouse
