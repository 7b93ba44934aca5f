"""Every API error has one format, `{"error": {"code", "message", "fields"}}`; field messages are in the user's
language."""

from kehu.org.models import User


def test_anonymous_requests_are_refused_in_the_error_format(client, db):
    response = client.get("/api/me/")
    assert response.status_code in (401, 403)
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_field_errors_name_the_field_in_the_users_language(client, org):
    client.force_login(org.admin)
    response = client.post(
        "/api/users/",
        {"username": "bad name!", "name": "", "phone": "123", "department": 999999},
        content_type="application/json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"username", "name", "phone", "department"}
    assert error["fields"]["phone"] == ["请输入 11 位中国大陆手机号，例如 13812345678。"]
    assert User.objects.filter(username="bad name!").count() == 0


def test_business_rule_errors_come_back_as_field_errors(client, org):
    client.force_login(org.admin)
    response = client.post(
        f"/api/departments/{org.sales.pk}/move/", {"parent": org.beijing.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["parent"]


def test_permission_denied_is_403_in_the_error_format(client, org):
    client.force_login(org.rep)
    response = client.get("/api/users/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_body_that_is_not_an_object_is_a_400_with_the_error_format(org):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(org.admin)
    for url in ("/api/users/", "/api/followups/", "/api/visits/", "/api/pool/release/"):
        for body in ([1, 2], "text", 7):
            response = api.post(url, body, format="json")
            assert response.status_code == 400, (url, body, response.status_code)
            assert response.json()["error"]["fields"] == {"non_field_errors": ["请求内容必须是一个 JSON 对象。"]}
