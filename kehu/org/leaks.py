"""Organisation administration shows no owned records (departments, users and roles are not data-scoped); what it
needs is the permission: org.view to look, org.manage to change, org.authorise to grant roles."""

from kehu.core.leakcheck import Call, action_route, unscoped


def _department(record, person):
    from kehu.org.models import Department

    return Call(kwargs={"pk": Department.objects.order_by("path").first().pk})


def _user(record, person):
    return Call(kwargs={"pk": person.pk})


def _role(record, person):
    from kehu.org.models import Role

    return Call(kwargs={"pk": Role.objects.order_by("pk").first().pk})


VIEW, MANAGE = ("org", "view"), ("org", "manage")
for name, perm, call in [
    ("org:departments", VIEW, None),
    ("org:department_add", MANAGE, None),
    ("org:department_edit", VIEW, _department),
    ("org:users", VIEW, None),
    ("org:user_add", MANAGE, None),
    ("org:user_detail", VIEW, _user),
    ("org:user_edit", MANAGE, _user),
    ("org:roles", VIEW, None),
    ("org:role_add", MANAGE, None),
    ("org:role_edit", VIEW, _role),
    ("org:authorise", ("org", "authorise"), None),
]:
    action_route(name, perm=perm, call=call, method="get")
for name, call in [
    ("api:department-list", None),
    ("api:department-detail", _department),
    ("api:user-list", None),
    ("api:user-detail", _user),
    ("api:role-list", None),
    ("api:role-detail", _role),
]:
    action_route(name, api=True, perm=VIEW, call=call, method="get")
unscoped(
    "organisation changes: org.manage / org.authorise required, no owned records (tests/org)",
    "org:department_move",
    "org:department_close",
    "org:user_status",
    "org:user_password",
    "org:role_delete",
    "api:department-move",
    "api:department-close",
    "api:department-reopen",
    "api:user-left",
    "api:user-password",
    "api:user-reinstate",
    "api:authorise",
)
