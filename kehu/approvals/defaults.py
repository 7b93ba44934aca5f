"""Who manages approval flows out of the box: sales operations and the system administrator, granted once when
the module is first installed (ops can change it on the roles page afterwards)."""

from django.db import transaction

DEFAULT_GRANTS = {"sales_ops": ["manage"], "system_admin": ["manage"]}


def ensure_approval_defaults() -> None:
    from kehu.org.models import Role, RoleGrant

    with transaction.atomic():
        if not RoleGrant.objects.filter(module="approvals").exists():
            for role in Role.objects.filter(code__in=DEFAULT_GRANTS, is_system=True):
                RoleGrant.objects.create(role=role, module="approvals", actions=DEFAULT_GRANTS[role.code], scope="all")


def ensure_defaults_after_migrate(sender, **kwargs) -> None:
    ensure_approval_defaults()
