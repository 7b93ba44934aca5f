"""Sending messages to people and marking them read."""

from django.db import transaction
from django.utils import timezone

from kehu.notify.models import Message


def send_message(recipients, title: str, body: str = "", link: str = "", level: str = Message.Level.INFO):
    """Put a message in each recipient's message centre. Returns the messages created."""
    with transaction.atomic():
        return Message.objects.bulk_create(
            Message(recipient=user, title=title[:200], body=body, link=link, level=level)
            for user in {u.pk: u for u in recipients if u.is_active}.values()
        )


def mark_read(user, message_ids=None) -> int:
    """Mark the user's messages read (all of them when `message_ids` is None). Returns how many changed."""
    queryset = Message.objects.visible_to(user).unread()
    if message_ids is not None:
        queryset = queryset.filter(pk__in=message_ids)
    return queryset.update(read_at=timezone.now())


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    cached = user.__dict__.get("_kehu_unread")
    if cached is None:
        cached = Message.objects.visible_to(user).unread().count()
        user.__dict__["_kehu_unread"] = cached
    return cached
