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
