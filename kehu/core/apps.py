from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kehu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.backends.signals import connection_created

        from kehu.core import leaks, listing, menus  # noqa: F401  (register the core menu entries and routes)

        connection_created.connect(listing.watch_connection, dispatch_uid="kehu-data-versions")
