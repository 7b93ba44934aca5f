from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "kehu.notify"
    label = "notify"
    verbose_name = _("Messages")

    def ready(self):
        from kehu.notify import leaks, menus, panels, resources  # noqa: F401
