from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kehu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from kehu.core import api_schema, leaks, limits, menus, textinput  # noqa: F401  (schema extensions, menus, routes)

        textinput.install()  # every text field of every form and serializer normalises its input
        limits.install()  # every list of every serializer is bounded
