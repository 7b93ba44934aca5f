from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kehu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from kehu.core import api_schema, leaks, menus  # noqa: F401  (schema extensions, core menu entries, routes)
