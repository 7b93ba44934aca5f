"""POST /api/customers/import/: the same checks and modes as the pages, answered as counts and row errors."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kehu.customers.models import Customer
from tests.customers.test_import_helpers import upload

URL = "/api/customers/import/"
ROWS = [{"name": "接口公司甲"}, {"name": "接口公司乙", "contact_name": "王", "contact_mobile": "123"}]


@pytest.fixture
def api(org):
    client = APIClient()
    org.rep.language = "en"
    org.rep.save(update_fields=["language"])
    client.force_authenticate(org.rep)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def post(api, rows, **data):
    return api.post(URL, {"file": upload(rows), **data}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")


def test_the_route_is_named_and_precedes_the_customer_detail_route():
    assert reverse("api:customer-import") == URL
    assert reverse("api:customer-export") == "/api/customers/export/"


def test_validate_reports_counts_and_row_errors_and_writes_nothing(api):
    response = post(api, ROWS)
    assert response.status_code == 200
    assert response.json() == {
        "mode": "validate",
        "total": 2,
        "valid": 1,
        "invalid": 1,
        "created": 0,
        "written": False,
        "errors": [
            {
                "row": 3,
                "field": "contact_mobile",
                "column": "Contact mobile",
                "message": "123 is not a valid phone number (a mobile number or a landline with its area code).",
            }
        ],
        "errors_truncated": False,
    }
    assert Customer.objects.count() == 0


def test_all_is_refused_with_errors_and_valid_only_writes_the_valid_rows(api, org):
    refused = post(api, ROWS, mode="all")
    assert refused.status_code == 400
    body = refused.json()
    assert (body["created"], body["written"], body["error"]["code"]) == (0, False, "invalid_rows")
    assert Customer.objects.count() == 0
    written = post(api, ROWS, mode="valid_only")
    assert written.status_code == 201
    assert (written.json()["created"], written.json()["invalid"]) == (1, 1)
    assert list(Customer.objects.values_list("name", "owner")) == [("接口公司甲", org.rep.pk)]


def test_all_writes_a_clean_file(api):
    response = post(api, [{"name": "干净甲"}, {"name": "干净乙"}], mode="all")
    assert response.status_code == 201 and response.json()["created"] == 2


def test_bad_requests_answer_field_errors(api, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(URL, {"file": SimpleUploadedFile("x.xlsx", b"nope")}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "file": ["This is not an Excel workbook (.xlsx). Download the template and fill it in."]
    }
    response = post(api, ROWS, mode="everything")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["mode"]
    response = post(api, ROWS, mode="all", owner=org.rep_east.pk)
    assert response.status_code == 403
    api.force_authenticate(org.everyone_viewer)
    assert post(api, ROWS).status_code == 403
    assert Customer.objects.count() == 0
