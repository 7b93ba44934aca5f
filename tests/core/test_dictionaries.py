"""Dictionaries: sales operations add, relabel and retire values; everyone reads them through the API."""

import pytest
from django.core.exceptions import ValidationError

from kehu.core import services
from kehu.core.models import Dictionary, DictionaryItem


def test_default_dictionaries_exist(db):
    assert set(Dictionary.objects.values_list("code", flat=True)) >= {
        "industry",
        "customer_source",
        "customer_level",
        "region",
    }
    assert list(Dictionary.objects.get(code="customer_level").items.values_list("code", flat=True)) == ["a", "b", "c"]


def test_add_and_relabel_a_value(org):
    industry = Dictionary.objects.get(code="industry")
    item = services.add_dictionary_item(org.admin, industry, code="agri", label_zh="农林牧渔", label_en="Agriculture")
    services.update_dictionary_item(
        org.admin, item, expected_version=1, label_zh="农业", label_en="Agriculture", sort_order=5, is_active=False
    )
    item.refresh_from_db()
    assert (item.code, item.label_zh, item.is_active, item.version) == ("agri", "农业", False, 2)


def test_duplicate_codes_and_labels_are_refused(org):
    industry = Dictionary.objects.get(code="industry")
    with pytest.raises(ValidationError) as error:
        services.add_dictionary_item(org.admin, industry, code="it", label_zh="新的", label_en="")
    assert list(error.value.message_dict) == ["code"]
    with pytest.raises(ValidationError) as error:
        services.add_dictionary_item(org.admin, industry, code="it2", label_zh="信息技术", label_en="")
    assert list(error.value.message_dict) == ["label_zh"]


def test_dictionary_pages(client, org):
    client.force_login(org.admin)
    page = client.get("/settings/dictionaries/?d=region").content.decode()
    assert "华北" in page
    response = client.post(
        "/settings/dictionaries/region/new/",
        {"code": "hk", "label_zh": "港澳台", "label_en": "HK, Macao, Taiwan", "sort_order": 80, "is_active": "on"},
    )
    assert response.status_code == 302
    assert DictionaryItem.objects.get(dictionary__code="region", code="hk").label_zh == "港澳台"
    bad = client.post("/settings/dictionaries/region/new/", {"code": "has space", "label_zh": ""})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"code", "label_zh", "label_en"}


def test_everyone_reads_dictionaries_but_only_ops_write(client, org):
    client.force_login(org.rep)
    body = client.get("/api/dictionaries/customer_level/").json()
    assert [i["code"] for i in body["items"]] == ["a", "b", "c"]
    level = Dictionary.objects.get(code="customer_level")
    denied = client.post("/api/dictionary-items/", {"dictionary": level.pk, "code": "d", "label_zh": "D"})
    assert denied.status_code == 403
    client.force_login(org.admin)
    created = client.post(
        "/api/dictionary-items/",
        {"dictionary": level.pk, "code": "d", "label_zh": "D 沉睡客户", "label_en": "D – dormant"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["label"] == "D 沉睡客户"
