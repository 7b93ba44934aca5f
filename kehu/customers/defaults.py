"""What the built-in roles may do with customers, granted once when the module is first installed."""

from django.db import transaction

# role code: (actions, data scope)
DEFAULT_GRANTS = {
    "sales_rep": (["view", "add", "change", "export"], "self"),
    "sales_manager": (["view", "add", "change", "export", "transfer"], "department_tree"),
    "sales_director": (["view", "add", "change", "export", "transfer"], "department_tree"),
    "sales_ops": (["view", "add", "change", "delete", "export", "transfer", "manage"], "all"),
    "after_sales": (["view"], "all"),
}
DEFAULT_LIMITS = {"sales_rep": (300, 20), "sales_manager": (500, 30), "sales_director": (None, None)}


def ensure_customer_defaults() -> None:
    from kehu.core.models import DictionaryItem
    from kehu.customers.models import CustomerLimit, PoolRule
    from kehu.org.defaults import grant_on_first_install
    from kehu.org.models import Role

    with transaction.atomic():
        if grant_on_first_install("customers", DEFAULT_GRANTS):  # the module's first installation
            for role in Role.objects.filter(code__in=DEFAULT_LIMITS, is_system=True):
                max_owned, max_claims = DEFAULT_LIMITS[role.code]
                CustomerLimit.objects.get_or_create(
                    role=role, defaults={"max_owned": max_owned, "max_claims_per_day": max_claims}
                )
        if not PoolRule.objects.exists():
            PoolRule.objects.create(level=None, days_without_followup=60, warn_days_before=5, reclaim_block_days=30)
            for code, days in (("a", 90), ("c", 30)):
                level = DictionaryItem.objects.filter(dictionary__code="customer_level", code=code).first()
                if level:
                    PoolRule.objects.create(
                        level=level,
                        days_without_followup=days,
                        warn_days_before=7 if code == "a" else 3,
                        reclaim_block_days=30,
                    )


def ensure_defaults_after_migrate(sender, **kwargs) -> None:
    ensure_customer_defaults()
