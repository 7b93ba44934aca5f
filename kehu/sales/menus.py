from django.utils.translation import gettext_lazy as _

from kehu.core.menus import MenuEntry, register

VIEW = ("opportunities", "view")
register(MenuEntry("my_opportunities", _("My opportunities"), "sales:mine", "sales", "funnel", 10, VIEW))
register(MenuEntry("opportunity_kanban", _("Pipeline kanban"), "sales:kanban", "sales", "kanban", 20, VIEW))
register(
    MenuEntry(
        "opportunity_management",
        _("Opportunity management"),
        "sales:manage",
        "sales",
        "clipboard-data",
        30,
        ("opportunities", "transfer"),
    )
)
register(
    MenuEntry(
        "opportunity_stages",
        _("Pipeline stages"),
        "sales:stages",
        "settings",
        "bar-chart-steps",
        85,
        ("opportunities", "manage"),
    )
)
