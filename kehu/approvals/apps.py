from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "kehu.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        from kehu.approvals import defaults, events, leaks, menus, panels, resources  # noqa: F401
        from kehu.core import modules

        modules.register(
            modules.Module(
                "approvals",
                _("Approvals"),
                ("manage",),
                order=80,
                help_text=_(
                    "Everyone handles the approvals sent to them. Manage: design and publish flows, see every "
                    "approval, set delegations for others, receive steps nobody else can approve."
                ),
            )
        )
        post_migrate.connect(defaults.ensure_defaults_after_migrate, sender=self)
