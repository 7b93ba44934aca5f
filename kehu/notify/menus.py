from django.utils.translation import gettext_lazy as _

from kehu.core.menus import MenuEntry, register

register(MenuEntry("messages", _("Messages"), "notify:inbox", "workbench", "bell", 20, mobile_order=40, badge="unread"))
