"""Sending messages to people and marking them read.

Messages are written by event subscribers, after the change they report is committed: a service raises its
domain event (`kehu.core.events.emit`) and the app's `events.py` subscribes and calls `send_message` or
`send_in_their_language`. So a rolled-back change never sends a message, and no service writes message rows
inside its own transaction. With `KEHU_MESSAGES_ONLY_AFTER_COMMIT = True` a send inside a transaction the code
opened raises, which is how the tests keep it so.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from kehu.core.events import in_business_transaction
from kehu.core.text import Translatable, fit
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


def _message(user, title, body, link, level, topic="") -> Message:
    body = body if isinstance(body, Translatable) else str(body)
    return Message(recipient=user, title=fit(title, 200), body=body, link=link, level=level, topic=topic)


def send_message(
    recipients, title: str, body: str = "", link: str = "", level: str = Message.Level.INFO, *, topic: str = ""
):
    """Put a message in each active recipient's message centre. Returns the messages created. Title and body may
    be `Translatable` (shown in each reader's language). A to-do message names its `topic` (the task), so that
    `resolve` clears it when the task ends."""
    _after_commit_only()
    with transaction.atomic():
        return Message.objects.bulk_create(
            _message(user, title, body, link, level, topic) for user in _active(recipients)
        )


def resolve(topics) -> int:
    """The tasks named by `topics` ended: their messages, whoever holds them, are marked handled and read (the
    bell's count drops). Returns how many messages changed."""
    _after_commit_only()
    topics = [t for t in topics if t]
    if not topics:
        return 0
    now = timezone.now()
    return Message.objects.filter(topic__in=topics, resolved_at__isnull=True).update(
        resolved_at=now, read_at=Coalesce("read_at", Value(now))
    )


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
