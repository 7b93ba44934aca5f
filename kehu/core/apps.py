from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kehu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.backends.signals import connection_created

        from kehu.core import api_schema, leaks, limits, listing, menus, textinput  # noqa: F401  (schema extensions, menus, routes)

        textinput.install()  # every text field of every form and serializer normalises its input
        limits.install()  # every list of every serializer is bounded
        connection_created.connect(listing.watch_connection, dispatch_uid="kehu-data-versions")
