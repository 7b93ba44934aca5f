from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "kehu.products"
    label = "products"
    verbose_name = _("Products and stock")

    def ready(self):
        from kehu.core import modules
        from kehu.products import approvals, defaults, events, imports, leaks, menus, resources  # noqa: F401

        modules.register(
            modules.Module(
                "products",
                _("Products and stock"),
                ("view", "add", "change", "delete", "export", "costs", "stock", "manage"),
                scoped=True,
                order=30,
                help_text=_(
                    "The data scope applies to stock (by warehouse; keepers always see their warehouses). "
                    "See costs: cost prices and unit costs. Stock work: stock-ins and stocktakes. "
                    "Manage: categories, price lists, warehouses, adjustments, cancelling stock-ins, import."
                ),
                action_labels={"costs": _("See costs"), "stock": _("Stock work"), "manage": _("Manage")},
            )
        )
        post_migrate.connect(defaults.ensure_defaults_after_migrate, sender=self)
