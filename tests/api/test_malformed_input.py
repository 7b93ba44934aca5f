"""Malformed API input answers 400/404 in the API's error format, never a 500 or an HTML page (the schema fuzzing
walks every operation; these are the cases that were found by hand)."""

import pytest

from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db

TOO_BIG = 2**64 + 1


@pytest.fixture
def api(client, org):
    client.force_login(org.admin)
    return client


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/pool/release/", {"customers": [TOO_BIG], "reason": "x"}, "customers"),
        ("/api/pool/assign/", {"customers": [TOO_BIG], "to_user": 1}, "customers"),
        ("/api/customers/transfer/", {"customers": [TOO_BIG], "to_user": 1}, "customers"),
        ("/api/customers/merge/", {"keep": TOO_BIG, "duplicate": 1}, "keep"),
        ("/api/followups/", {"customer": TOO_BIG, "content": "x"}, "customer"),
        ("/api/visits/", {"customer": TOO_BIG}, "customer"),
    ],
)
def test_an_id_beyond_64_bits_in_a_body_is_a_field_error(api, path, body, field):
    response = api.post(path, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "path",
    ["/api/approvals/abc/", "/api/approvals/abc/comment/", "/api/pool/abc/claim/", "/api/no-such-thing/", "/api/x"],
)
def test_a_path_that_names_no_record_is_a_json_404(api, path):
    response = api.post(path, {}, content_type="application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "3"])
def test_a_body_that_is_not_an_object_is_a_400(api, org, body):
    customer = Customer.objects.create(number="CU-M-1", name="某公司", name_normalized="某公司", owner=org.admin)
    response = api.patch(f"/api/customers/{customer.pk}/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"non_field_errors": ["请求内容必须是一个 JSON 对象。"]}


def test_a_flow_without_a_graph_is_a_400_and_a_user_without_the_permission_gets_403_first(client, org):
    client.force_login(org.rep)
    refused = client.post("/api/approval-flows/", {"doc_type": "customers.create"}, content_type="application/json")
    assert refused.status_code == 403
    client.force_login(org.admin)
    for body in (
        {"doc_type": "customers.create", "name": "x"},
        {"doc_type": "customers.create", "name": "x", "graph": 3},
    ):
        response = client.post("/api/approval-flows/", body, content_type="application/json")
        assert response.status_code == 400, response.content
        assert list(response.json()["error"]["fields"]) == ["graph"]
