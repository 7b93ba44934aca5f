"""Batch authorisation: grant or revoke roles for many users and whole departments in one action."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kehu.org import services
from kehu.org.models import Role, User


def holders(role):
    return set(role.users.values_list("username", flat=True))


def test_grant_to_a_department_and_its_sub_departments(org):
    role = Role.objects.get(code="sales_rep")
    summary = services.batch_authorise(org.admin, roles=[role], departments=[org.north])
    assert holders(role) == {"manager", "rep", "rep_bj", "dept_viewer"}
    assert (summary.users, summary.changed, summary.unchanged) == (4, 4, 0)


def test_without_sub_departments_only_direct_members(org):
    role = Role.objects.get(code="sales_rep")
    services.batch_authorise(org.admin, roles=[role], departments=[org.north], include_sub_departments=False)
    assert holders(role) == {"manager", "rep", "dept_viewer"}


def test_users_and_departments_together_and_repeat_is_idempotent(org):
    role = Role.objects.get(code="sales_manager")
    services.batch_authorise(org.admin, roles=[role], users=[org.rep_east], departments=[org.beijing])
    again = services.batch_authorise(org.admin, roles=[role], users=[org.rep_east], departments=[org.beijing])
    assert holders(role) == {"rep_east", "rep_bj"}
    assert (again.changed, again.unchanged) == (0, 2)


def test_revoke_keeps_the_other_roles(org):
    rep_role, manager_role = Role.objects.get(code="sales_rep"), Role.objects.get(code="sales_manager")
    services.batch_authorise(org.admin, roles=[rep_role, manager_role], users=[org.rep, org.rep_east])
    summary = services.batch_authorise(org.admin, roles=[rep_role], users=[org.rep, org.rep_east], grant=False)
    assert summary.changed == 2
    assert set(User.objects.get(pk=org.rep.pk).roles.values_list("code", flat=True)) == {"t_rep", "sales_manager"}


def test_left_users_are_not_swept_in_by_a_department(org):
    services.mark_user_left(org.admin, org.rep_bj)
    role = Role.objects.get(code="sales_rep")
    with pytest.raises(ValidationError):
        services.batch_authorise(org.admin, roles=[role], departments=[org.beijing])
    services.batch_authorise(org.admin, roles=[role], departments=[org.north], include_sub_departments=True)
    assert "rep_bj" not in holders(role)


def test_nothing_chosen_is_refused(org):
    with pytest.raises(ValidationError) as error:
        services.batch_authorise(org.admin, roles=[])
    assert list(error.value.message_dict) == ["roles"]


def test_sales_ops_may_authorise_but_a_manager_may_not(org):
    ops = User.objects.get(pk=org.admin.pk)
    role = Role.objects.get(code="sales_rep")
    services.batch_authorise(ops, roles=[role], users=[org.rep])
    with pytest.raises(PermissionDenied):
        services.batch_authorise(org.manager, roles=[role], users=[org.rep_east])


def test_the_page_reports_how_many_changed_and_the_trail_records_it(client, org):
    client.force_login(org.admin)
    role = Role.objects.get(code="sales_director")
    response = client.post(
        "/org/authorise/",
        {"operation": "grant", "roles": [role.pk], "departments": [org.east.pk], "include_sub_departments": "on"},
        follow=True,
    )
    assert response.status_code == 200
    assert "1" in [m.message for m in response.context["messages"]][0]
    assert holders(role) == {"rep_east"}
    history = User.objects.get(pk=org.rep_east.pk).history.first()
    assert history.history_user == org.admin


def test_nobody_hands_out_more_than_they_may_do_themselves(org):
    ops = User.objects.get(pk=org.admin.pk)
    ops.roles.set([Role.objects.get(code="sales_ops")])  # may authorise, may not manage the organisation
    ops = User.objects.get(pk=ops.pk)
    admin_role = Role.objects.get(code="system_admin")
    with pytest.raises(ValidationError) as error:
        services.batch_authorise(ops, roles=[admin_role], users=[ops])
    assert list(error.value.message_dict) == ["roles"]
    assert "系统管理员" in error.value.message_dict["roles"][0]
    assert not ops.roles.filter(code="system_admin").exists()
    services.batch_authorise(ops, roles=[Role.objects.get(code="sales_rep")], users=[org.rep_east])


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
