from django.utils.translation import gettext_lazy as _

from kehu.core.menus import MenuEntry, register

register(MenuEntry("departments", _("Departments"), "org:departments", "settings", "diagram-3", 10, ("org", "view")))
register(MenuEntry("users", _("Users"), "org:users", "settings", "person-badge", 20, ("org", "view")))
register(MenuEntry("roles", _("Roles"), "org:roles", "settings", "shield-lock", 30, ("org", "view")))
register(
    MenuEntry(
        "authorise",
        _("Batch authorisation"),
        "org:authorise",
        "settings",
        "people-fill",
        40,
        ("org", "authorise"),
    )
)
