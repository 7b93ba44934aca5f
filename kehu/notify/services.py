"""Sending messages to people and marking them read.

Messages are written by event subscribers, after the change they report is committed: a service raises its
domain event (`kehu.core.events.emit`) and the app's `events.py` subscribes and calls `send_message` or
`send_in_their_language`. So a rolled-back change never sends a message, and no service writes message rows
inside its own transaction. With `KEHU_MESSAGES_ONLY_AFTER_COMMIT = True` a send inside a transaction the code
opened raises, which is how the tests keep it so.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from kehu.core.events import in_business_transaction
from kehu.notify.models import Message


class SentInsideTransaction(RuntimeError):
    """A message was sent before the change it reports was committed: send it from an event subscriber."""


def _after_commit_only() -> None:
    if getattr(settings, "KEHU_MESSAGES_ONLY_AFTER_COMMIT", False) and in_business_transaction():
        raise SentInsideTransaction(
            "send messages from an event subscriber (kehu.core.events), after the commit, not inside a service"
        )


def _active(recipients) -> list:
    """Each recipient once; nobody who has left (inactive users get no messages)."""
    return list({u.pk: u for u in recipients if u is not None and u.is_active}.values())


def _message(user, title, body, link, level) -> Message:
    return Message(recipient=user, title=str(title)[:200], body=str(body), link=link, level=level)


def send_message(recipients, title: str, body: str = "", link: str = "", level: str = Message.Level.INFO):
    """Put a message in each active recipient's message centre. Returns the messages created."""
    _after_commit_only()
    with transaction.atomic():
        return Message.objects.bulk_create(_message(user, title, body, link, level) for user in _active(recipients))


def send_in_their_language(recipients, compose, link: str = "", level: str = Message.Level.INFO):
    """One message per recipient, written in their own interface language: `compose(recipient)` returns the
    title and body and runs with that language active. Returns the messages created."""
    _after_commit_only()
    messages = []
    for user in _active(recipients):
        with translation.override(user.language or settings.LANGUAGE_CODE):
            title, body = compose(user)
            messages.append(_message(user, title, body, link, level))
    with transaction.atomic():
        return Message.objects.bulk_create(messages)


def mark_read(user, message_ids=None) -> int:
    """Mark the user's messages read (all of them when `message_ids` is None). Returns how many changed."""
    queryset = Message.objects.visible_to(user).unread()
    if message_ids is not None:
        queryset = queryset.filter(pk__in=message_ids)
    changed = queryset.update(read_at=timezone.now())
    user.__dict__.pop("_kehu_unread", None)  # the count shown on the rest of this request
    return changed


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    cached = user.__dict__.get("_kehu_unread")
    if cached is None:
        cached = Message.objects.visible_to(user).unread().count()
        user.__dict__["_kehu_unread"] = cached
    return cached
