"""An integration logs in with a token instead of a session."""

from django.test import Client


def test_token_auth(client, org):
    response = client.post("/api/token/", {"username": "manager", "password": "secret-pass-123"})
    assert response.status_code == 200
    token = response.json()["token"]
    me = Client().get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert (me["username"], me["name"]) == ("manager", "华北经理")
    assert [g["group"] for g in me["menu"]] == ["workbench", "customers", "sales", "products", "approvals"]
