from django.utils.translation import gettext_lazy as _

from kehu.core.menus import MenuEntry, register

register(MenuEntry("case_library", _("Case library"), "cases:list", "sales", "journal-richtext", 70, ("cases", "view")))
