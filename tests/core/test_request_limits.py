"""Size limits (issue 10 item 5): how many items a list in a request may hold, how long text without a length of
its own may be, how large a body may be — each refused with a message in the user's language, in the API's error
format for the API and as a field message or a page for pages (never Django's bare "Bad Request (400)"). Every
list field of every serializer is walked, so a module's lists are bounded once they exist."""

import json

import pytest
from django.core.exceptions import ValidationError
from rest_framework import fields, relations, serializers

from kehu.core import limits
from kehu.customers import services
from kehu.customers.models import Contact, Customer
from tests.support.inputs import label, serializer_classes


def _list_fields():
    for serializer in serializer_classes():
        try:
            declared = serializer().fields
        except Exception:  # noqa: BLE001 - needs a context to be built
            continue
        for name, field in declared.items():
            if field.read_only:
                continue
            if isinstance(field, fields.ListField | serializers.ListSerializer | relations.ManyRelatedField):
                yield pytest.param(serializer, name, id=f"{label(serializer)}.{name}")


LIST_FIELDS = list(_list_fields())


def test_the_walk_finds_the_lists_of_the_api():
    names = {p.id for p in LIST_FIELDS}
    assert {
        "kehu.customers.api.CustomerWriteSerializer.contacts",
        "kehu.customers.api.TransferSerializer.customers",
        "kehu.customers.api.ShareSerializer.users",
    } <= names


@pytest.mark.parametrize(("serializer", "name"), LIST_FIELDS)
def test_every_list_of_every_serializer_is_bounded(serializer, name, db):
    field = serializer().fields[name]
    limit = getattr(field, "max_length", None) or limits.max_list_length()
    assert limit <= limits.max_list_length()
    with pytest.raises(serializers.ValidationError) as refused:
        field.run_validation([{}] * (limit + 1) if isinstance(field, serializers.ListSerializer) else [1] * (limit + 1))
    assert f"最多 {limit} 个" in json.dumps(refused.value.detail, ensure_ascii=False)


def test_a_customer_with_too_many_contacts_is_refused_before_any_is_checked(client, org):
    client.force_login(org.rep)
    contacts = [{"name": f"联系人{i}", "mobile": f"138{i:08d}"} for i in range(services.MAX_CONTACTS + 1)]
    response = client.post("/api/customers/", {"name": "大公司", "contacts": contacts}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"contacts": {"non_field_errors": ["最多 50 个（当前 51 个）。"]}}
    assert not Customer.objects.filter(name="大公司").exists() and not Contact.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.create_customer(org.rep, {"name": "大公司"}, contacts)
    assert refused.value.message_dict == {"contacts": ["最多 50 个联系人（当前 51 个）。"]}


def test_notes_of_a_million_characters_are_refused_in_form_and_api(client, org):
    client.force_login(org.rep)
    notes = "备" * 1_000_000
    api = client.post("/api/customers/", {"name": "长备注", "notes": notes}, content_type="application/json")
    assert api.status_code == 413  # the body itself is over the limit
    assert api.json()["error"]["code"] == "too_large"
    notes = "备" * 10_001
    api = client.post("/api/customers/", {"name": "长备注", "notes": notes}, content_type="application/json")
    assert api.json()["error"]["fields"] == {"notes": ["最多 10000 个字符（当前 10001 个）。"]}
    page = client.post("/customers/new/", {"name": "长备注", "notes": notes})
    assert page.context["form"].errors["notes"] == ["最多 10000 个字符（当前 10001 个）。"]
    assert not Customer.objects.filter(name="长备注").exists()


def test_an_over_large_body_answers_in_the_apis_format_and_the_users_language(client, org):
    client.force_login(org.rep)
    body = json.dumps({"name": "x", "notes": "x" * 3_000_000})
    api = client.post("/api/customers/", body, content_type="application/json")
    assert api.status_code == 413
    assert api.json() == {"error": {"code": "too_large", "message": "请求过大：最多 2.5 MB。", "fields": {}}}
    english = client.post("/api/customers/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["message"] == "The request is too large: at most 2.5 MB."
    client.force_login(org.admin)
    form = "ids=1&reason=" + "x" * 3_000_000  # a browser's form post
    page = client.post("/customers/transfer/", form, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 413
    assert "请求过大：最多 2.5 MB。" in page.content.decode()
    multipart = client.post("/customers/transfer/", {"ids": ["1"], "reason": "x" * 3_000_000})  # fields, no file
    assert multipart.status_code == 400
    assert "请求过大：最多 2.5 MB。" in multipart.content.decode()


def test_a_page_posting_too_many_fields_gets_a_message_not_a_bare_400(client, org, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 100
    client.force_login(org.admin)
    page = client.post("/customers/transfer/", {"ids": [str(i) for i in range(1, 200)], "to_user": org.rep.pk})
    assert page.status_code == 400
    html = page.content.decode()
    assert "Bad Request" not in html and "一次请求中的值太多：每次最多选择 500 条记录。" in html
    api = client.post("/api/customers/transfer/", {"customers": [str(i) for i in range(1, 200)]})
    assert api.status_code == 400 and api.json()["error"]["code"] == "bad_request"


def test_a_batch_larger_than_the_limit_is_refused_on_the_page(client, org, settings):
    settings.KEHU_MAX_LIST_LENGTH = 20
    customer = services.create_customer(org.rep, {"name": "批量公司"})
    client.force_login(org.admin)
    ids = [str(customer.pk)] + [str(10_000 + i) for i in range(20)]
    response = client.post("/customers/transfer/", {"ids": ids, "to_user": org.rep_east.pk}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["最多 20 个（当前 21 个）。"]
    customer.refresh_from_db()
    assert customer.owner == org.rep
