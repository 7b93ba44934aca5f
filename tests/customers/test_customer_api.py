"""The customers API: the same rules and scope as the pages."""

from kehu.customers import services
from kehu.customers.models import Customer


def test_create_list_and_edit_through_the_api(client, org, levels):
    client.force_login(org.rep)
    response = client.post(
        "/api/customers/",
        {
            "name": "杭州云帆智能科技有限公司",
            "level": levels["b"].pk,
            "credit_code": "91350100M000100Y43",
            "contacts": [{"name": "周敏", "mobile": "13711112222", "decision_role": "decision_maker"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["owner"], body["contacts"][0]["mobile"]) == (org.rep.pk, "13711112222")
    listed = client.get("/api/customers/?q=hzyf").json()
    assert [c["number"] for c in listed["results"]] == [body["number"]]
    stale = client.patch(
        f"/api/customers/{body['id']}/", {"address": "杭州", "version": 0}, content_type="application/json"
    )
    assert stale.status_code == 409
    ok = client.patch(
        f"/api/customers/{body['id']}/", {"address": "杭州", "version": 1}, content_type="application/json"
    )
    assert ok.json()["address"] == "杭州"


def test_api_duplicates_and_field_errors(client, org):
    services.create_customer(org.rep_east, {"name": "北京致远科技有限公司"})
    client.force_login(org.rep)
    response = client.post(
        "/api/customers/", {"name": "北京致远科技", "credit_code": "123"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"credit_code"}
    response = client.post("/api/customers/", {"name": "北京致远科技"}, content_type="application/json")
    assert set(response.json()["error"]["fields"]) == {"name"}
    check = client.get("/api/customers/duplicates/?name=北京致远科技有限责任公司").json()
    assert [(d["reason"], d["customer"]) for d in check] == [("name", None)]  # out of scope: no id


def test_transfer_and_contacts_through_the_api(client, org):
    customer = services.create_customer(org.rep, {"name": "甲公司"})
    client.force_login(org.manager)
    summary = client.post(
        "/api/customers/transfer/",
        {"customers": [customer.pk], "to_user": org.rep_bj.pk},
        content_type="application/json",
    ).json()
    assert summary == {"customers": 1, "open_followups": 0, "planned_visits": 0, "skipped": [], "approval": None}
    assert Customer.objects.get(pk=customer.pk).owner == org.rep_bj
    added = client.post(
        "/api/contacts/",
        {"customer": customer.pk, "name": "钱经理", "mobile": "13600001234"},
        content_type="application/json",
    )
    assert added.status_code == 201
    client.force_login(org.rep_east)
    assert client.get(f"/api/contacts/{added.json()['id']}/").status_code == 404
