from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "kehu.sales"
    label = "sales"
    verbose_name = _("Opportunities")

    def ready(self):
        from kehu.core import modules
        from kehu.sales import approvals, customer_side, defaults, events, leaks, menus, resources  # noqa: F401

        modules.register(
            modules.Module(
                "opportunities",
                _("Opportunities"),
                ("view", "add", "change", "delete", "export", "transfer", "manage"),
                scoped=True,
                order=20,
                help_text=_(
                    "Transfer: move opportunities to another owner. Manage: reopen closed opportunities, "
                    "review follow-ups, stages and import."
                ),
                action_labels={"transfer": _("Transfer"), "manage": _("Manage")},
            )
        )
        post_migrate.connect(defaults.ensure_defaults_after_migrate, sender=self)
