from kehu.core.leakcheck import Call, action_route, scoped, unscoped
from kehu.notify.models import Message

scoped("notify:message_detail", Message, "detail")


def _read_one(message, person):
    read = Message.objects.filter(pk=message.pk, read_at__isnull=False)
    return Call(kwargs={"pk": message.pk}, changed=read.exists)


def _read_all(record, person):
    """All of the person's messages become read, and nobody else's."""
    others_unread = Message.objects.exclude(recipient=person).unread()
    before = others_unread.count()

    def changed():
        return not Message.objects.filter(recipient=person).unread().exists() and others_unread.count() == before

    return Call(changed=changed)


action_route("api:message-read", Message, api=True, action="view", call=_read_one)
action_route("notify:mark_all_read", call=_read_all)
action_route("api:message-read-all", api=True, call=_read_all)
unscoped(
    "the count of the current user's own unread messages; shows no message",
    "notify:unread_badge",
    "api:message-unread-count",
)
