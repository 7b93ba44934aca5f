"""Price lists: validity dates, no two lists of one customer group overlapping, and the one service that says what
a customer pays (`price_for`)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kehu.core.models import DictionaryItem
from kehu.customers.models import Customer
from kehu.products import services
from kehu.products.models import PriceList


@pytest.fixture
def levels(db):
    return {item.code: item for item in DictionaryItem.objects.filter(dictionary__code="customer_level")}


def save(s, name, level, start, end=None, items=()):
    return services.save_price_list(
        s.ops, name=name, customer_level=level, valid_from=start, valid_until=end, items=list(items)
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 6, 30), date(2026, 7, 10)),  # touches the last day
        (date(2025, 12, 1), date(2026, 1, 1)),  # touches the first day
        (date(2026, 3, 1), date(2026, 3, 2)),  # inside
        (date(2025, 1, 1), None),  # open-ended, covering it
    ],
)
def test_a_list_overlapping_another_of_the_same_group_is_refused(stockroom, levels, start, end):
    save(stockroom, "重点客户价 H1", levels["a"], date(2026, 1, 1), date(2026, 6, 30))
    with pytest.raises(ValidationError) as refused:
        save(stockroom, "重点客户价 新", levels["a"], start, end)
    assert refused.value.message_dict == {
        "valid_from": [
            "It overlaps the price list “重点客户价 H1” (2026-01-01 – 2026-06-30) for the same customer group."
        ]
    }
    assert PriceList.objects.count() == 1


def test_lists_that_follow_each_other_or_belong_to_other_groups_are_accepted(stockroom, levels):
    save(stockroom, "A 上半年", levels["a"], date(2026, 1, 1), date(2026, 6, 30))
    save(stockroom, "A 下半年", levels["a"], date(2026, 7, 1), None)
    save(stockroom, "B 全年", levels["b"], date(2026, 1, 1), date(2026, 12, 31))
    save(stockroom, "通用", None, date(2026, 1, 1), None)
    with pytest.raises(ValidationError):
        save(stockroom, "通用 2", None, date(2027, 1, 1), None)
    assert PriceList.objects.count() == 4


def test_bad_dates_names_and_prices_are_field_errors(stockroom, levels):
    with pytest.raises(ValidationError) as refused:
        save(stockroom, " ", levels["a"], date(2026, 2, 1), date(2026, 1, 1))
    assert refused.value.message_dict == {
        "name": ["Enter the price list's name."],
        "valid_until": ["The last day cannot be before the first."],
    }
    with pytest.raises(ValidationError) as refused:
        save(stockroom, "X", None, date(2026, 1, 1), items=[(stockroom.switch, Decimal("-1"))])
    assert refused.value.message_dict == {"items": ["A price cannot be negative."]}
    with pytest.raises(ValidationError) as refused:
        save(stockroom, "X", None, date(2026, 1, 1), items=[(10**9, Decimal("1"))])
    assert refused.value.message_dict == {"items": ["Choose a product from the catalogue."]}


def test_only_ops_manage_price_lists(stockroom, org):
    with pytest.raises(PermissionDenied):
        services.save_price_list(org.rep, name="X", customer_level=None, valid_from=date(2026, 1, 1))


def test_price_for_takes_the_groups_list_then_the_general_one_then_the_list_price(stockroom, levels, org):
    s = stockroom
    save(s, "A 2026", levels["a"], date(2026, 1, 1), date(2026, 12, 31), [(s.switch, Decimal("999"))])
    save(
        s,
        "通用 2026",
        None,
        date(2026, 1, 1),
        date(2026, 12, 31),
        [(s.switch, Decimal("1100")), (s.router, Decimal("2800"))],
    )
    key = Customer(name="重点", level=levels["a"])
    plain = Customer(name="普通", level=levels["b"])
    assert services.price_for(key, s.switch, date(2026, 5, 1)) == Decimal("999.00")
    assert services.price_for(key, s.router, date(2026, 5, 1)) == Decimal("2800.00")  # not on A's list
    assert services.price_for(plain, s.switch, date(2026, 5, 1)) == Decimal("1100.00")
    assert services.price_for(None, s.switch, date(2026, 5, 1)) == Decimal("1100.00")
    assert services.price_for(key, s.switch, date(2027, 1, 1)) == Decimal("1200.00")  # no list valid: list price
    assert services.price_for(key, s.cable, date(2026, 5, 1)) == Decimal("3.50")
