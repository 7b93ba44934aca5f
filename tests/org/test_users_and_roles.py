"""Users (profile, superior, leaving) and roles (module permissions, data scope per module)."""

import pytest
from django.core.exceptions import ValidationError

from kehu.org import services
from kehu.org.models import Role, RoleGrant, User
from tests.factories import log_in


def test_create_a_user_with_roles_and_an_initial_password(client, org):
    rep_role = Role.objects.get(code="sales_rep")
    person = services.create_user(
        org.admin,
        password="Initial-pass-2026",
        roles=[rep_role],
        username="wangfang",
        name="王芳",
        phone="13812345678",
        department=org.north,
        superior=org.manager,
    )
    assert list(person.roles.all()) == [rep_role]
    assert log_in(client, "wangfang", "Initial-pass-2026")


def test_usernames_are_unique_ignoring_case(org):
    with pytest.raises(ValidationError) as error:
        services.create_user(org.admin, password=None, username="REP", name="重名", department=org.north)
    assert error.value.message_dict == {"username": ["该用户名已被占用。"]}


def test_a_reporting_line_cannot_loop(org):
    services.update_user(org.admin, org.manager, expected_version=org.manager.version, superior=org.director)
    director = User.objects.get(pk=org.director.pk)
    services.update_user(org.admin, org.rep, expected_version=org.rep.version, superior=org.manager)
    with pytest.raises(ValidationError) as error:
        services.update_user(org.admin, director, expected_version=director.version, superior=org.rep)
    assert list(error.value.message_dict) == ["superior"]


def test_a_user_who_left_cannot_log_in_and_can_be_reinstated(client, org):
    services.mark_user_left(org.admin, org.rep)
    rep = User.objects.get(pk=org.rep.pk)
    assert (rep.status, rep.is_active, rep.left_at is not None) == ("left", False, True)
    assert not log_in(client, "rep", "secret-pass-123")
    services.reinstate_user(org.admin, rep)
    assert log_in(client, "rep", "secret-pass-123")


def test_an_administrator_cannot_mark_themselves_as_left(org):
    with pytest.raises(ValidationError):
        services.mark_user_left(org.admin, org.admin)


def test_user_form_gives_field_messages_and_keeps_the_input(client, org):
    client.force_login(org.admin)
    response = client.post(
        "/org/users/new/",
        {"username": "zhaolei", "name": "赵磊", "phone": "12345", "email": "not-an-email", "department": org.north.pk},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["phone"] == ["请输入 11 位中国大陆手机号，例如 13812345678。"]
    assert errors["email"] == ["请输入合法的邮件地址。"]
    assert 'value="zhaolei"' in response.content.decode()
    assert not User.objects.filter(username="zhaolei").exists()


def test_user_list_filters_by_department_subtree_role_and_text(client, org):
    client.force_login(org.admin)
    page = client.get(f"/org/users/?department={org.north.pk}").context["page"]
    assert {u.username for u in page.object_list} == {"manager", "rep", "rep_bj", "dept_viewer"}
    page = client.get("/org/users/?q=华东").context["page"]
    assert [u.username for u in page.object_list] == ["rep_east"]
    role = Role.objects.get(code="t_tree")
    page = client.get(f"/org/users/?role={role.pk}&sort=username").context["page"]
    assert [u.username for u in page.object_list] == ["director", "manager"]


def test_save_a_role_with_grants_and_chosen_departments(org):
    from kehu.core import modules

    assert modules.get("memos").scoped
    role = services.save_role(
        org.admin,
        None,
        code="east_observer",
        name_zh="华东观察员",
        name_en="East observer",
        description="",
        grants=[services.GrantSpec("memos", ["view"], "chosen", (org.east.pk,))],
    )
    grant = RoleGrant.objects.get(role=role)
    assert (grant.module, grant.actions, grant.scope) == ("memos", ["view"], "chosen")
    assert list(grant.departments.all()) == [org.east]


def test_invalid_grants_are_refused_with_a_message(org):
    with pytest.raises(ValidationError) as error:
        services.save_role(
            org.admin,
            None,
            code="bad",
            name_zh="坏",
            name_en="Bad",
            description="",
            grants=[services.GrantSpec("memos", ["view", "fly"], "chosen", ())],
        )
    assert len(error.value.message_dict["grants"]) == 2
    assert not Role.objects.filter(code="bad").exists()


def test_built_in_roles_cannot_be_deleted_and_held_roles_neither(org):
    with pytest.raises(ValidationError):
        services.delete_role(org.admin, Role.objects.get(code="sales_rep"))
    with pytest.raises(ValidationError):
        services.delete_role(org.admin, Role.objects.get(code="t_rep"))
    lonely = Role.objects.create(code="lonely", name_zh="闲置", name_en="Unused")
    services.delete_role(org.admin, lonely)
    assert not Role.objects.filter(code="lonely").exists()


def test_role_editor_page_saves_grants(client, org):
    client.force_login(org.admin)
    role = Role.objects.get(code="t_rep")
    response = client.post(
        f"/org/roles/{role.pk}/",
        {
            "code": "t_rep",
            "name_zh": "销售代表",
            "name_en": "Rep",
            "description": "",
            "version": role.version,
            "grant-memos-view": "1",
            "grant-memos-change": "1",
            "grant-memos-scope": "department",
        },
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(role=role, module="memos")
    assert (grant.actions, grant.scope) == (["change", "view"], "department")
    assert Role.objects.get(pk=role.pk).name_zh == "销售代表"


def test_default_roles_exist_after_migrate(db):
    assert set(Role.objects.values_list("code", flat=True)) >= {
        "system_admin",
        "sales_ops",
        "sales_director",
        "sales_manager",
        "sales_rep",
        "warehouse_keeper",
        "after_sales",
    }
