from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kehu.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from kehu.core import modules
        from kehu.customers import (  # noqa: F401
            approvals,
            defaults,
            events,
            exports,
            imports,
            leaks,
            menus,
            metrics,
            name_index,
            panels,
            pool_panels,
            resources,
        )

        modules.register(
            modules.Module(
                "customers",
                _("Customers"),
                ("view", "add", "change", "delete", "export", "transfer", "manage"),
                scoped=True,
                order=10,
                help_text=_("Transfer: move customers to another owner. Manage: merge, import, pool rules, limits."),
                action_labels={"transfer": _("Transfer"), "manage": _("Manage")},
            )
        )
        post_migrate.connect(defaults.ensure_defaults_after_migrate, sender=self)
        post_migrate.connect(name_index.install_after_migrate, sender=self)
