from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "kehu.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from kehu.core import listing, modules
        from kehu.org import defaults, leaks, menus, panels, resources, scope, signals  # noqa: F401

        listing.register_scope(scope.request_scope_version, scope.cached_under_scope)  # counts and menus

        modules.register(
            modules.Module(
                "org",
                _("Organisation"),
                ("view", "manage", "authorise"),
                order=900,
                help_text=_("Departments, users and roles. Authorise: grant and revoke roles in batches."),
            )
        )
        modules.register(
            modules.Module(
                "config",
                _("Configuration"),
                ("manage",),
                order=910,
                help_text=_("Menus and dictionaries."),
            )
        )
        post_migrate.connect(defaults.ensure_defaults_after_migrate, sender=self)
