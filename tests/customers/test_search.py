"""Searching customers the way Chinese users do: name fragment, full pinyin, pinyin initials, contact, phone."""

import pytest

from kehu.customers import services
from kehu.customers.queries import CustomerFilter, customers_for


@pytest.fixture
def customers(org):
    make = services.create_customer
    return {
        "zhiyuan": make(org.rep, {"name": "北京致远科技有限公司"}, [{"name": "王建国", "mobile": "13812345678"}]),
        "changan": make(org.rep, {"name": "重庆长安汽车股份有限公司"}, [{"name": "李娜", "mobile": "13987654321"}]),
        "huawei": make(org.rep, {"name": "深圳华为技术有限公司"}),
    }


def found(user, text):
    filters = CustomerFilter({"q": text}, queryset=customers_for(user, "mine"))
    assert filters.is_valid()
    return sorted(c.name for c in filters.qs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("致远", ["北京致远科技有限公司"]),
        ("bjzy", ["北京致远科技有限公司"]),
        ("BJZY", ["北京致远科技有限公司"]),
        ("beijingzhiyuan", ["北京致远科技有限公司"]),
        ("cqca", ["重庆长安汽车股份有限公司"]),
        ("zhiyuan", ["北京致远科技有限公司"]),
        ("王建", ["北京致远科技有限公司"]),
        ("1398765", ["重庆长安汽车股份有限公司"]),
        ("有限公司", ["北京致远科技有限公司", "深圳华为技术有限公司", "重庆长安汽车股份有限公司"]),
        ("腾讯", []),
    ],
)
def test_search(org, customers, text, expected):
    assert found(org.rep, text) == expected


def test_search_never_leaves_the_scope(org, customers):
    assert found(org.rep_east, "bjzy") == []


def test_the_list_page_searches_and_sorts(client, org, customers):
    client.force_login(org.rep)
    page = client.get("/customers/?q=bjzy").content.decode()
    assert "北京致远科技有限公司" in page and "重庆长安" not in page
    names = [c.name for c in client.get("/customers/?sort=name").context["page"].object_list]
    assert names == ["北京致远科技有限公司", "重庆长安汽车股份有限公司", "深圳华为技术有限公司"]
