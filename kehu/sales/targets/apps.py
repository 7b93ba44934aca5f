from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "kehu.sales.targets"
    label = "targets"
    verbose_name = _("Sales targets")

    def ready(self):
        from kehu.core import modules
        from kehu.sales.targets import defaults, imports, leaks, menus, metrics, panels, resources  # noqa: F401

        modules.register(
            modules.Module(
                "targets",
                _("Sales targets"),
                ("view", "change"),
                scoped=True,
                order=40,
                help_text=_("View: targets and achievement in the scope. Change: set, copy and import targets."),
                action_labels={"change": _("Set targets")},
            )
        )
        post_migrate.connect(defaults.ensure_defaults_after_migrate, sender=self)
