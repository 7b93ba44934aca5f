"""What the built-in roles may do with products and stock, granted once when the module is first installed, and
the default warehouse every installation starts with (PRODUCT.md §3.3)."""

from django.db import transaction

# role code: (actions, data scope) — the scope is that of stock (warehouses); the catalogue is the company's
DEFAULT_GRANTS = {
    "sales_rep": (["view"], "all"),
    "sales_manager": (["view", "export"], "all"),
    "sales_director": (["view", "export", "costs"], "all"),
    "sales_ops": (["view", "add", "change", "delete", "export", "costs", "stock", "manage"], "all"),
    # Keepers see and work in the warehouses they keep (shared with them), and their own department's.
    "warehouse_keeper": (["view", "add", "change", "export", "costs", "stock"], "department"),
    "after_sales": (["view"], "all"),
}


def ensure_product_defaults() -> None:
    from kehu.org.defaults import grant_on_first_install

    with transaction.atomic():
        grant_on_first_install("products", DEFAULT_GRANTS)


def ensure_defaults_after_migrate(sender, **kwargs) -> None:
    ensure_product_defaults()
