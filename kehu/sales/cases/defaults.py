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
    from kehu.org.defaults import grant_on_first_install

    with transaction.atomic():
        grant_on_first_install("cases", DEFAULT_GRANTS)


def ensure_defaults_after_migrate(sender, **kwargs) -> None:
    ensure_case_defaults()
