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
    from kehu.org.defaults import grant_on_first_install

    with transaction.atomic():
        grant_on_first_install("targets", DEFAULT_GRANTS)


def ensure_defaults_after_migrate(sender, **kwargs) -> None:
    ensure_target_defaults()
