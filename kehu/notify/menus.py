from django.utils.translation import gettext_lazy as _

from kehu.core import topbar
from kehu.core.menus import MenuEntry, register, register_badge

register(MenuEntry("messages", _("Messages"), "notify:inbox", "workbench", "bell", 20, mobile_order=40, badge="unread"))


def _unread(user) -> int:
    from kehu.notify.services import unread_count

    return unread_count(user)


register_badge("unread", _unread)
topbar.register(topbar.Counter("unread_count", "notify/_bell.html", _unread, order=10))
