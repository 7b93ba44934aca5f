"""Who manages approval flows out of the box: sales operations and the system administrator, granted once when
the module is first installed (ops can change it on the roles page afterwards)."""

from django.db import transaction

DEFAULT_GRANTS = {"sales_ops": (["manage"], "all"), "system_admin": (["manage"], "all")}


def ensure_approval_defaults() -> None:
    from kehu.org.defaults import grant_on_first_install

    with transaction.atomic():
        grant_on_first_install("approvals", DEFAULT_GRANTS)


def ensure_defaults_after_migrate(sender, **kwargs) -> None:
    ensure_approval_defaults()
