"""Every change leaves who, when and before → after, shown on the record's page."""

from django.utils import translation

from kehu.core.audit import audit_trail
from kehu.org import services
from kehu.org.models import Role, User


def test_department_rename_is_recorded_with_author_and_values(org):
    services.update_department(org.admin, org.north, name="华北大区", code="N", head=org.manager, expected_version=1)
    with translation.override("en"):
        latest = audit_trail(org.north)[0]
    assert latest.actor == org.admin
    assert latest.action == "Changed"
    changes = {c.field: (c.before, c.after) for c in latest.changes}
    assert changes == {"name": ("华北销售部", "华北大区"), "code": ("—", "N"), "head": ("—", "华北经理")}


def test_role_changes_on_a_user_are_recorded_as_names(org):
    ops = Role.objects.get(code="sales_ops")
    person = User.objects.get(pk=org.rep.pk)
    services.update_user(org.admin, person, expected_version=person.version, roles=[*person.roles.all(), ops])
    entries = audit_trail(User.objects.get(pk=org.rep.pk))
    role_changes = [c for e in entries for c in e.changes if c.field == "roles"]
    assert role_changes[0].before == "t_rep"
    assert role_changes[0].after == "t_rep、销售管理"
    assert entries[0].actor == org.admin


def test_user_page_shows_the_history(client, org):
    services.update_user(org.admin, org.rep, expected_version=org.rep.version, title="大客户经理")
    client.force_login(org.admin)
    page = client.get(f"/org/users/{org.rep.pk}/").content.decode()
    assert 'id="history"' in page
    assert "大客户经理" in page
    assert "管理员" in page


def test_passwords_never_appear_in_the_trail(org):
    services.set_user_password(org.admin, org.rep, "Another-pass-2026")
    fields = {c.field for e in audit_trail(org.rep) for c in e.changes}
    assert "password" not in fields


def test_permission_changes_moves_and_password_resets_show_in_the_trail(org):
    from django.utils import translation

    role = Role.objects.get(code="t_rep")
    with translation.override("en"):
        services.save_role(
            org.admin,
            role,
            code="t_rep",
            name_zh="t_rep",
            name_en="t_rep",
            description="",
            grants=[services.GrantSpec("memos", ["view", "change"], "department")],
            expected_version=role.version,
        )
        services.move_department(org.admin, org.beijing, org.east)
        services.set_user_password(org.admin, org.rep, "Another-pass-2026")
    assert audit_trail(role)[0].reason == "Permissions: Memos: View、Edit (Own department)"
    assert audit_trail(org.beijing)[0].reason.startswith("Moved under 总公司 / 销售中心 / 华东销售部")
    assert audit_trail(org.rep)[0].reason == "Password set by an administrator"
