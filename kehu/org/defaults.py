"""The built-in roles every installation starts with (PRODUCT.md §2). Created once; ops may change them."""

from django.db import transaction

# code: (name_zh, name_en, description, {module: (actions, scope)})
DEFAULT_ROLES = {
    "system_admin": (
        "系统管理员",
        "System administrator",
        "Sets up departments, users and roles.",
        {"org": (["view", "manage", "authorise"], "all"), "config": (["manage"], "all")},
    ),
    "sales_ops": (
        "销售管理",
        "Sales operations",
        "Owns the CRM: dictionaries, menus, authorisations, approval flows, reports; sees all sales data.",
        {"org": (["view", "authorise"], "all"), "config": (["manage"], "all")},
    ),
    "sales_director": (
        "销售总监",
        "Sales director",
        "Approves, reviews and reassigns across the sales departments in scope.",
        {"org": (["view"], "all")},
    ),
    "sales_manager": (
        "销售经理",
        "Sales manager",
        "Leads a sales team: sees their department and below, approves and reviews.",
        {"org": (["view"], "all")},
    ),
    "sales_rep": ("销售员", "Sales rep", "Works their own customers, visits, opportunities and orders.", {}),
    "warehouse_keeper": ("库管", "Warehouse keeper", "Products, stock-in and delivery execution.", {}),
    "after_sales": (
        "售后工程师",
        "After-sales engineer",
        "Handles the service tickets assigned to them.",
        {},
    ),
}


def ensure_default_roles() -> None:
    from kehu.org.models import Role, RoleGrant

    with transaction.atomic():
        for code, (name_zh, name_en, description, grants) in DEFAULT_ROLES.items():
            role, created = Role.objects.get_or_create(
                code=code,
                defaults={
                    "name_zh": name_zh,
                    "name_en": name_en,
                    "description": description,
                    "is_system": True,
                },
            )
            if created:
                for module, (actions, scope) in grants.items():
                    RoleGrant.objects.create(role=role, module=module, actions=actions, scope=scope)


def ensure_defaults_after_migrate(sender, using="default", **kwargs) -> None:
    from kehu.core.defaults import ensure_default_dictionaries

    ensure_default_roles()
    ensure_default_dictionaries()
