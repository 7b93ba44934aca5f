"""The catalogue's rules: SKUs unique after normalising case and full-width characters, the required fields, the
default tax rate, pinyin search, pictures checked by content."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kehu.products import services
from kehu.products.models import Product
from tests.products.conftest import make_product


def test_a_new_product_gets_the_default_tax_rate_and_its_pinyin(stockroom):
    product = stockroom.switch
    assert product.tax_rate == Decimal("0.1300")
    assert product.name_pinyin == "qianzhaojiaohuanji"
    assert product.name_initials == "qzjhj"
    assert product.price_with_tax == Decimal("1356.00")


@pytest.mark.parametrize("sku", ["SW-24", "sw-24", "ＳＷ－２４", " sw-24 ", "Ｓw-24"])
def test_a_sku_that_differs_only_in_case_width_or_spaces_is_refused(stockroom, sku):
    with pytest.raises(ValidationError) as refused:
        make_product(stockroom.ops, sku, "另一个交换机", stockroom.switches)
    assert refused.value.message_dict == {
        "sku": [
            f"The SKU {sku.strip()} is already used by SW-24 千兆交换机 "
            "(capitals and full-width characters count as the same)."
        ]
    }
    assert Product.objects.count() == 3


def test_editing_a_product_may_keep_its_own_sku_but_not_take_another(stockroom):
    product = services.update_product(
        stockroom.ops, stockroom.router.pk, {**_fields(stockroom.router), "sku": "rt-1", "name": "企业级路由器"}, None
    )
    assert (product.sku, product.sku_key, product.name_initials) == ("rt-1", "RT-1", "qyjlyq")
    with pytest.raises(ValidationError) as refused:
        services.update_product(stockroom.ops, product.pk, {**_fields(product), "sku": "cb-6"}, None)
    assert list(refused.value.message_dict) == ["sku"]


def _fields(product):
    data = {name: getattr(product, name) for name in services.PRODUCT_FIELDS}
    data["category"] = product.category_id
    return data


def test_missing_and_bad_fields_are_refused_field_by_field(stockroom):
    with pytest.raises(ValidationError) as refused:
        services.create_product(
            stockroom.ops,
            {"sku": "", "name": "", "category": "99999", "list_price": "-1", "tax_rate": "1.5", "cost_price": "abc"},
        )
    assert refused.value.message_dict == {
        "sku": ["Enter the SKU."],
        "name": ["Enter the product's name."],
        "category": ["Choose a category."],
        "list_price": ["Enter a number that is not negative."],
        "tax_rate": ["At most 1."],
        "cost_price": ["Enter a number."],
    }


def test_a_rep_cannot_add_products_and_one_without_costs_cannot_set_a_cost(stockroom, org):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        make_product(org.rep, "X-1", "测试", stockroom.hardware)
    # The keeper may add products but has costs; a role with add and without costs cannot write a cost price.
    from tests.factories import make_role

    clerk_role = make_role("t_clerk", {"products": (("view", "add", "change"), "all")})
    org.rep.roles.add(clerk_role)
    from kehu.org.scope import forget_cached_scope

    forget_cached_scope(org.rep)
    product = make_product(org.rep, "X-1", "测试", stockroom.hardware, cost_price="99")
    assert product.cost_price is None
    updated = services.update_product(
        org.rep, stockroom.switch.pk, {**_fields(stockroom.switch), "cost_price": "1"}, None
    )
    assert updated.cost_price == Decimal("800.00")


def test_search_finds_by_name_pinyin_initials_and_sku(stockroom):
    rows = Product.objects.all()

    def found(text):
        return sorted(p.sku for p in services.search_products(rows, text))

    assert found("交换") == ["SW-24"]
    assert found("qianzhao") == ["SW-24"]
    assert found("qyly") == ["RT-1"]
    assert found("ｒｔ") == ["RT-1"]
    assert found("cb-6") == ["CB-6"]
    assert found("") == ["CB-6", "RT-1", "SW-24"]


def _image(kind="PNG", size=(800, 600)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, kind)
    return out.getvalue()


def test_a_picture_is_reencoded_with_a_thumbnail(stockroom, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("photo.exe", _image("JPEG", (3000, 1500)), content_type="image/jpeg")
    picture = services.add_picture(stockroom.ops, stockroom.switch, upload)
    assert (picture.width, picture.height) == (2000, 1000)
    assert picture.image.name.endswith(".jpg") and "photo" not in picture.image.name
    with Image.open(picture.thumbnail.path) as thumb:
        assert thumb.size == (240, 120) and thumb.format == "JPEG"


@pytest.mark.parametrize(
    "content",
    [b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"GIF89a" + b"\x00" * 40],
    ids=["text", "broken-png", "gif-header"],
)
def test_a_file_that_is_not_a_picture_is_refused_whatever_its_name(stockroom, content, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as refused:
        services.add_picture(stockroom.ops, stockroom.switch, SimpleUploadedFile("x.png", content))
    assert refused.value.message_dict == {"picture": ["This file is not a JPEG, PNG or WebP picture."]}
    assert stockroom.switch.pictures.count() == 0


def test_a_gif_is_refused(stockroom, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError):
        services.add_picture(stockroom.ops, stockroom.switch, SimpleUploadedFile("x.gif", _image("GIF")))
