"""The form, the API and the import take the same input alike (issue 10 items 7, 8 and 9): a credit code is
normalised before its length is checked, a website's length counts the scheme added to it, a date typed into a
text column is that date, row errors speak the request's language, a landline may carry an extension, and
coordinates are range-checked."""

from datetime import date, datetime
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import Workbook

from kehu.core.models import FileJob
from kehu.customers import services
from kehu.customers.imports import COLUMNS, run_import
from kehu.customers.models import Contact, Customer
from tests.customers.test_import_helpers import HEADERS, credit_code, upload, workbook

FIELDS = [c.field for c in COLUMNS]


def _spaced(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, 18, 4)).lower()  # "9111 0108 0000 0001 2x": 22 characters


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- item 7: the credit code ------------------------------------------------------------------------
def test_a_credit_code_with_spaces_is_accepted_by_form_api_and_import(client, org):
    codes = [credit_code(n) for n in (1, 2, 3)]
    assert len(_spaced(codes[0])) > 18
    client.force_login(org.rep)
    page = client.post(reverse("customers:create"), {"name": "表单公司", "credit_code": _spaced(codes[0])})
    assert page.status_code == 302, page.context["form"].errors
    api = client.post(
        "/api/customers/", {"name": "接口公司", "credit_code": _spaced(codes[1])}, content_type="application/json"
    )
    assert api.status_code == 201, api.json()
    result = run_import(
        org.rep, BytesIO(workbook([{"name": "导入公司", "credit_code": _spaced(codes[2])}])), mode="all"
    )
    assert (result.errors, result.created) == ([], 1)
    stored = dict(Customer.objects.filter(credit_code__in=codes).values_list("name", "credit_code"))
    assert stored == {"表单公司": codes[0], "接口公司": codes[1], "导入公司": codes[2]}


def test_a_credit_code_too_long_once_normalised_is_refused_everywhere(client, org):
    too_long = credit_code(4) + "12"
    client.force_login(org.rep)
    page = client.post(reverse("customers:create"), {"name": "甲公司", "credit_code": too_long})
    assert "credit_code" in page.context["form"].errors
    api = client.post("/api/customers/", {"name": "乙公司", "credit_code": too_long}, content_type="application/json")
    assert "credit_code" in api.json()["error"]["fields"]
    result = run_import(org.rep, BytesIO(workbook([{"name": "丙公司", "credit_code": too_long}])), mode="validate")
    assert [e.field for e in result.errors] == ["credit_code"]


# --- item 8: the import -------------------------------------------------------------------------------
def test_a_date_typed_into_a_text_column_is_imported_as_that_date(org):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    row = ["" for _ in FIELDS]
    row[FIELDS.index("name")] = "日期公司"
    row[FIELDS.index("notes")] = date(2024, 5, 1)  # a date cell: a number formatted as a date
    row[FIELDS.index("address")] = datetime(2024, 5, 1, 14, 30)
    sheet.append(row)
    out = BytesIO()
    book.save(out)
    result = run_import(org.rep, BytesIO(out.getvalue()), mode="all")
    assert result.errors == []
    customer = Customer.objects.get(name="日期公司")
    assert (customer.notes, customer.address) == ("2024-05-01", "2024-05-01 14:30:00")


def test_a_website_is_checked_with_the_scheme_it_gets(client, org):
    site = "www.example.com/" + "p" * 180  # 196 characters: 204 with https://
    result = run_import(org.rep, BytesIO(workbook([{"name": "网址公司", "website": site}])), mode="validate")
    assert [(e.field, e.message) for e in result.errors] == [("website", "最多 200 个字符（当前 204 个）。")]
    client.force_login(org.rep)
    page = client.post(reverse("customers:create"), {"name": "网址公司", "website": site})
    assert "website" in page.context["form"].errors
    api = client.post(
        "/api/customers/", {"name": "网址公司", "website": f"https://{site}"}, content_type="application/json"
    )
    assert api.json()["error"]["fields"]["website"] == ["最多 200 个字符（当前 204 个）。"]
    assert not Customer.objects.filter(name="网址公司").exists()


def test_row_errors_are_in_the_language_of_the_request(client, org):
    assert org.rep.language in ("", "zh-hans")  # saved: Chinese (the default)
    client.force_login(org.rep)
    client.post(
        reverse("customers:import"),
        {"file": upload([{"name": "", "address": "成都"}, {"name": "好公司"}])},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    job = FileJob.objects.get(created_by=org.rep)
    assert job.errors == [{"row": 2, "field": "name", "column": "Company name", "message": "Enter the company name."}]


LANDLINE = "028-85551234-801"


def test_a_landline_with_an_extension_is_accepted_everywhere(client, org):
    client.force_login(org.rep)
    page = client.post(
        reverse("customers:create"), {"name": "分机一", "contact_name": "王工", "contact_mobile": LANDLINE}
    )
    assert page.status_code == 302, page.context["contact_form"].errors
    api = client.post(
        "/api/customers/",
        {"name": "分机二", "contacts": [{"name": "李工", "mobile": "028-85551234-802"}]},
        content_type="application/json",
    )
    assert api.status_code == 201, api.json()
    rows = [{"name": "分机三", "contact_name": "赵工", "contact_mobile": "028-85551234 转 803"}]
    assert run_import(org.rep, BytesIO(workbook(rows)), mode="all").created == 1
    customer = services.create_customer(org.rep, {"name": "分机四"})
    contact_page = client.post(
        reverse("customers:contact_add", args=[customer.pk]),
        {"name": "钱工", "mobile": "028 8555 1234 ext 804", "decision_role": "other"},
    )
    assert contact_page.status_code == 302
    assert sorted(Contact.objects.values_list("mobile", flat=True)) == [
        "02885551234-801",
        "02885551234-802",
        "02885551234-803",
        "02885551234-804",
    ]
    # the extension is part of the number: the same landline and extension is a duplicate
    again = client.post(
        "/api/customers/",
        {"name": "分机五", "contacts": [{"name": "孙工", "mobile": "028 8555 1234-801"}]},
        content_type="application/json",
    )
    assert again.status_code == 400 and "contacts" in again.json()["error"]["fields"]


# --- item 9: coordinates ------------------------------------------------------------------------------
def test_customer_coordinates_out_of_range_are_refused_by_form_and_api(client, org):
    client.force_login(org.rep)
    page = client.post(reverse("customers:create"), {"name": "坐标公司", "latitude": "999", "longitude": "-181"})
    assert page.context["form"].errors["latitude"] == ["纬度必须在 -90 到 90 之间。"]
    assert page.context["form"].errors["longitude"] == ["经度必须在 -180 到 180 之间。"]
    api = client.post(
        "/api/customers/", {"name": "坐标公司", "latitude": "999", "longitude": "30"}, content_type="application/json"
    )
    assert api.status_code == 400 and list(api.json()["error"]["fields"]) == ["latitude"]
    customer = services.create_customer(org.rep, {"name": "坐标公司", "latitude": 30, "longitude": 104})
    edit = client.patch(
        f"/api/customers/{customer.pk}/", {"longitude": "180.5", "version": 1}, content_type="application/json"
    )
    assert list(edit.json()["error"]["fields"]) == ["longitude"]
    assert not Customer.objects.filter(latitude__gt=90).exists()
