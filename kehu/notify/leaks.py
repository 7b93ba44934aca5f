from kehu.core.leakcheck import scoped, unscoped
from kehu.notify.models import Message

scoped("notify:message_detail", Message, "detail")
scoped("api:message-read", Message, "detail", api=True, method="post")
unscoped(
    "acts on the current user's own messages only",
    "notify:mark_all_read",
    "notify:unread_badge",
    "api:message-read-all",
    "api:message-unread-count",
)
