"""What the built-in roles may do with the case library, granted once when the module is first installed."""

from django.db import transaction

DEFAULT_GRANTS = {
    "sales_rep": (["view", "add", "change"], "self"),
    "sales_manager": (["view", "add", "change"], "self"),
    "sales_director": (["view", "add", "change", "manage"], "self"),
    "sales_ops": (["view", "add", "change", "manage"], "all"),
    "after_sales": (["view"], "self"),
}


def ensure_case_defaults() -> None:
    from kehu.org.models import Role, RoleGrant

    with transaction.atomic():
        if not RoleGrant.objects.filter(module="cases").exists():
            for role in Role.objects.filter(code__in=DEFAULT_GRANTS, is_system=True):
                actions, scope = DEFAULT_GRANTS[role.code]
                RoleGrant.objects.create(role=role, module="cases", actions=actions, scope=scope)


def ensure_defaults_after_migrate(sender, **kwargs) -> None:
    ensure_case_defaults()
