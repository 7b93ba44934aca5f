"""What the built-in roles may do with targets, granted once when the module is first installed."""

from django.db import transaction

# role code: (actions, data scope)
DEFAULT_GRANTS = {
    "sales_rep": (["view"], "self"),
    "sales_manager": (["view", "change"], "department_tree"),
    "sales_director": (["view", "change"], "department_tree"),
    "sales_ops": (["view", "change"], "all"),
}


def ensure_target_defaults() -> None:
    from kehu.org.models import Role, RoleGrant

    with transaction.atomic():
        if not RoleGrant.objects.filter(module="targets").exists():
            for role in Role.objects.filter(code__in=DEFAULT_GRANTS, is_system=True):
                actions, scope = DEFAULT_GRANTS[role.code]
                RoleGrant.objects.create(role=role, module="targets", actions=actions, scope=scope)


def ensure_defaults_after_migrate(sender, **kwargs) -> None:
    ensure_target_defaults()
