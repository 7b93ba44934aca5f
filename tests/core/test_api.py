"""The REST API: session and token auth, pagination, filters, one error format, offline schema and Swagger UI."""

import re

from kehu.org.models import Department, User


def test_anonymous_requests_are_refused_in_the_error_format(client, db):
    response = client.get("/api/me/")
    assert response.status_code in (401, 403)
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_token_auth(client, org):
    response = client.post("/api/token/", {"username": "manager", "password": "secret-pass-123"})
    assert response.status_code == 200
    token = response.json()["token"]
    from django.test import Client

    me = Client().get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert (me["username"], me["name"]) == ("manager", "华北经理")
    assert [g["group"] for g in me["menu"]] == ["workbench", "customers", "approvals"]


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


def test_pagination_and_filters(client, org):
    client.force_login(org.admin)
    body = client.get("/api/users/?page_size=3&ordering=username").json()
    assert body["count"] == 10
    assert [u["username"] for u in body["results"]] == ["admin", "all", "chosen"]
    assert "page=2" in body["next"]
    under = client.get(f"/api/users/?under_department={org.north.pk}&ordering=username").json()
    assert [u["username"] for u in under["results"]] == ["dept_viewer", "manager", "rep", "rep_bj"]
    search = client.get("/api/users/?search=华东").json()
    assert [u["username"] for u in search["results"]] == ["rep_east"]
    capped = client.get("/api/users/?page_size=1000").json()
    assert len(capped["results"]) == 10


def test_create_department_and_close_through_the_api(client, org):
    client.force_login(org.admin)
    created = client.post(
        "/api/departments/", {"name": "天津组", "parent": org.north.pk}, content_type="application/json"
    )
    assert created.status_code == 201
    department_id = created.json()["id"]
    assert created.json()["full_name"] == "总公司 / 销售中心 / 华北销售部 / 天津组"
    closed = client.post(f"/api/departments/{department_id}/close/")
    assert closed.json()["is_active"] is False
    assert Department.objects.get(pk=department_id).is_active is False


def test_batch_authorise_through_the_api(client, org):
    from kehu.org.models import Role

    client.force_login(org.admin)
    role = Role.objects.get(code="sales_rep")
    response = client.post(
        "/api/authorise/",
        {"operation": "grant", "roles": [role.pk], "departments": [org.east.pk]},
        content_type="application/json",
    )
    assert response.json() == {"users": 1, "changed": 1, "unchanged": 0}


def test_schema_and_swagger_ui_are_served_offline(client, org):
    client.force_login(org.rep)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/departments/" in schema.content and b"/api/messages/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs)
    assert assets and all(a.startswith("/") for a in assets), assets
    assert re.search(r"https?://", docs) is None  # no remote address at all (a random token may contain "cdn")
