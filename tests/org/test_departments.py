"""Departments: a tree that administrators add to, rename, move and close."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kehu.org import services
from kehu.org.models import Department, User


def test_add_a_department_under_a_parent(org):
    team = services.create_department(org.admin, name="天津组", parent=org.north, code="TJ")
    assert Department.objects.get_parent(team) == org.north
    assert team.full_name() == "总公司 / 销售中心 / 华北销售部 / 天津组"
    assert team.updated_by == org.admin


def test_sibling_names_must_differ(org):
    with pytest.raises(ValidationError) as error:
        services.create_department(org.admin, name="华东销售部", parent=org.sales)
    assert error.value.message_dict == {"name": ["同一层级下已存在同名部门。"]}


def test_move_takes_the_sub_departments_along(org):
    services.move_department(org.admin, org.north, org.ops)
    beijing = Department.objects.get(pk=org.beijing.pk)
    assert beijing.full_name() == "总公司 / 销售管理部 / 华北销售部 / 北京组"


def test_a_department_cannot_move_under_its_own_subtree(org):
    with pytest.raises(ValidationError) as error:
        services.move_department(org.admin, org.sales, org.beijing)
    assert "parent" in error.value.message_dict
    assert Department.objects.get(pk=org.sales.pk).full_name() == "总公司 / 销售中心"


def test_closing_is_refused_while_members_or_open_sub_departments_remain(org):
    with pytest.raises(ValidationError) as error:
        services.close_department(org.admin, org.north)
    assert error.value.message_dict == {"department": ["请先关闭或移走其下未关闭的下级部门。"]}
    with pytest.raises(ValidationError) as error:
        services.close_department(org.admin, org.beijing)
    assert error.value.message_dict == {"department": ["该部门仍有 1 名在职用户，请先将其调出。"]}


def test_close_and_reopen_an_empty_department(org):
    services.update_user(org.admin, org.rep_bj, expected_version=org.rep_bj.version, department=org.north)
    closed = services.close_department(org.admin, org.beijing)
    assert (closed.is_active, closed.closed_at is not None) == (False, True)
    with pytest.raises(ValidationError):
        services.create_department(org.admin, name="北京二组", parent=closed)
    reopened = services.reopen_department(org.admin, closed)
    assert (reopened.is_active, reopened.closed_at) == (True, None)


def test_only_org_managers_may_change_departments(org):
    with pytest.raises(PermissionDenied):
        services.create_department(org.manager, name="新部门", parent=org.north)


def test_department_pages(client, org):
    client.force_login(org.admin)
    response = client.post("/org/departments/new/", {"name": "天津组", "code": "", "parent": org.north.pk})
    assert response.status_code == 302
    team = Department.objects.get(name="天津组")
    page = client.get("/org/departments/").content.decode()
    assert "天津组" in page and "华北销售部" in page
    response = client.post(f"/org/departments/{team.pk}/move/", {"parent": org.east.pk})
    assert response.status_code == 302
    assert Department.objects.get_parent(Department.objects.get(pk=team.pk)) == org.east
    response = client.post(f"/org/departments/{team.pk}/close/", follow=True)
    assert Department.objects.get(pk=team.pk).is_active is False
    assert response.status_code == 200


def test_blank_name_gets_a_field_message(client, org):
    client.force_login(org.admin)
    response = client.post("/org/departments/new/", {"name": "  ", "parent": org.north.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["该字段是必填项。"]


def test_a_rep_cannot_open_the_department_pages(client, org):
    client.force_login(org.rep)
    assert client.get("/org/departments/").status_code == 403
    assert client.post("/org/departments/new/", {"name": "x"}).status_code == 403
    assert User.objects.count() == 10


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
