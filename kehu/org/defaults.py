"""The built-in roles every installation starts with (PRODUCT.md §2). Created once; ops may change them."""

from django.db import transaction

# code: (name_zh, name_en, description, {module: (actions, scope)})
DEFAULT_ROLES = {
    "system_admin": (
        "系统管理员",
        "System administrator",
        "维护部门、用户和角色，搭建组织架构。",
        {"org": (["view", "manage", "authorise"], "all"), "config": (["manage"], "all")},
    ),
    "sales_ops": (
        "销售管理",
        "Sales operations",
        "系统的业务负责人：维护字典、菜单、授权、审批流程和报表，可查看全部销售数据。",
        {"org": (["view", "authorise"], "all"), "config": (["manage"], "all")},
    ),
    "sales_director": (
        "销售总监",
        "Sales director",
        "审批、审阅并调配权限范围内各销售部门的工作。",
        {"org": (["view"], "all")},
    ),
    "sales_manager": (
        "销售经理",
        "Sales manager",
        "带领销售团队：查看本部门及下级数据，负责审批与审阅。",
        {"org": (["view"], "all")},
    ),
    "sales_rep": ("销售员", "Sales rep", "跟进自己的客户、拜访、商机和订单。", {}),
    "warehouse_keeper": ("库管", "Warehouse keeper", "负责产品、入库和发货执行。", {}),
    "after_sales": (
        "售后工程师",
        "After-sales engineer",
        "处理分派给自己的售后工单。",
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
