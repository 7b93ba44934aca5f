"""The built-in roles every installation starts with (PRODUCT.md §2). Created once; ops may change them."""

from django.db import transaction
from django.utils.translation import gettext_noop as N_

from kehu.core.text import Translatable

# The Chinese descriptions stored before they were product text (converted by org migration 0004).
FORMER_DESCRIPTIONS = {
    "system_admin": "维护部门、用户和角色，搭建组织架构。",
    "sales_ops": "系统的业务负责人：维护字典、菜单、授权、审批流程和报表，可查看全部销售数据。",
    "sales_director": "审批、审阅并调配权限范围内各销售部门的工作。",
    "sales_manager": "带领销售团队：查看本部门及下级数据，负责审批与审阅。",
    "sales_rep": "跟进自己的客户、拜访、商机和订单。",
    "warehouse_keeper": "负责产品、入库和发货执行。",
    "after_sales": "处理分派给自己的售后工单。",
}

# code: (name_zh, name_en, description, {module: (actions, scope)}); the description is product text, stored as
# a Translatable and shown in the reader's language until ops type their own.
DEFAULT_ROLES = {
    "system_admin": (
        "系统管理员",
        "System administrator",
        N_("Maintains departments, users and roles: sets up the organisation."),
        {"org": (["view", "manage", "authorise"], "all"), "config": (["manage"], "all")},
    ),
    "sales_ops": (
        "销售管理",
        "Sales operations",
        N_(
            "The business owner of the system: maintains dictionaries, menus, authorisations, approval flows "
            "and reports, and sees all sales data."
        ),
        {"org": (["view", "authorise"], "all"), "config": (["manage"], "all")},
    ),
    "sales_director": (
        "销售总监",
        "Sales director",
        N_("Approves, reviews and steers the work of the sales departments in their scope."),
        {"org": (["view"], "all")},
    ),
    "sales_manager": (
        "销售经理",
        "Sales manager",
        N_("Leads a sales team: sees the data of their department and below, approves and reviews."),
        {"org": (["view"], "all")},
    ),
    "sales_rep": ("销售员", "Sales rep", N_("Follows up their own customers, visits, opportunities and orders."), {}),
    "warehouse_keeper": ("库管", "Warehouse keeper", N_("Looks after products, stock-in and deliveries."), {}),
    "after_sales": (
        "售后工程师",
        "After-sales engineer",
        N_("Handles the after-sales tickets assigned to them."),
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
                    "description": Translatable(description),
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


def grant_on_first_install(module: str, grants: dict) -> bool:
    """Give the built-in roles a module's default grants (`{role code: (actions, scope)}`) when the module is first
    installed — no grant of it exists yet — so what ops change on the roles page later is never undone. True when
    they were given (the module's other first-install defaults may follow)."""
    from kehu.org.models import Role, RoleGrant

    if RoleGrant.objects.filter(module=module).exists():
        return False
    for role in Role.objects.filter(code__in=grants, is_system=True):
        actions, scope = grants[role.code]
        RoleGrant.objects.create(role=role, module=module, actions=list(actions), scope=scope)
    return True
