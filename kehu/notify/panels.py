"""The message centre's panel on the workbench: the newest unread reminders and warnings."""

from kehu.core.workbench import Panel, register
from kehu.notify.models import Message


def _reminders(request):
    messages = list(Message.objects.visible_to(request.user).unread()[:6])
    return {"reminders": messages} if messages else None


register(Panel("unread_messages", "reminders", "notify/_reminders_panel.html", _reminders, order=10))
