from django.utils.translation import gettext_lazy as _

from kehu.core.menus import MenuEntry, register

register(MenuEntry("sales_targets", _("Sales targets"), "targets:page", "sales", "bullseye", 60, ("targets", "view")))
register(
    MenuEntry(
        "sales_forecast", _("Forecast"), "targets:forecast", "sales", "graph-up-arrow", 65, ("opportunities", "view")
    )
)
