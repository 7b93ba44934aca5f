from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "kehu.sales.cases"
    label = "cases"
    verbose_name = _("Case library")

    def ready(self):
        from kehu.core import modules
        from kehu.sales.cases import defaults, leaks, menus, resources  # noqa: F401

        modules.register(
            modules.Module(
                "cases",
                _("Case library"),
                ("view", "add", "change", "manage"),
                scoped=False,
                order=45,
                help_text=_(
                    "View: read published cases. Add / change: write up won opportunities one may see, edit one's "
                    "own. Manage: edit, publish and withdraw every case."
                ),
                action_labels={"manage": _("Manage")},
            )
        )
        post_migrate.connect(defaults.ensure_defaults_after_migrate, sender=self)
