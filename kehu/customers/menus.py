from django.utils.translation import gettext_lazy as _

from kehu.core.menus import MenuEntry, register

VIEW = ("customers", "view")
register(
    MenuEntry(
        "my_customers", _("My customers"), "customers:mine", "customers", "person-vcard", 10, VIEW, mobile_order=20
    )
)
register(MenuEntry("shared_customers", _("Shared with me"), "customers:shared", "customers", "share", 20, VIEW))
register(
    MenuEntry(
        "customer_management",
        _("Customer management"),
        "customers:manage",
        "customers",
        "buildings",
        30,
        ("customers", "transfer"),
    )
)
# Follow-ups and visits (activity_views.py).
register(MenuEntry("visits", _("Visits"), "customers:visits", "customers", "geo-alt", 40, VIEW, mobile_order=30))
register(MenuEntry("followups", _("Follow-ups"), "customers:followups", "customers", "chat-left-text", 50, VIEW))
register(MenuEntry("public_pool", _("Public pool"), "customers:pool", "customers", "inboxes", 25, VIEW))
register(
    MenuEntry(
        "pool_settings",
        _("Pool rules & limits"),
        "customers:pool_settings",
        "settings",
        "sliders",
        80,
        ("customers", "manage"),
    )
)
