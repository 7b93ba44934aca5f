"""Domain events: services raise named events, subscribers run after the transaction commits.

A service says what happened (`emit("customer.transferred", customers=[...], to_user=..., actor=...)`)
inside its `transaction.atomic()` block; messages, timeline entries, rollups and (later) webhooks subscribe in
their app's `events.py`. Delivery waits for the commit (`transaction.on_commit`), so a rolled-back change
never sends a message, and no service writes another app's rows inside its own transaction.

Every event name is declared once (`declare`) with a label, so a typo in `emit` fails loudly instead of
delivering to nobody, and the list of events can be shown to integrators.

A subscriber that fails is logged and the others still run: the change it reacts to is already committed.
With `KEHU_EVENTS_RAISE = True` (the test settings) the failure is raised instead, so tests see it.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.payload[key]

    def get(self, key, default=None):
        return self.payload.get(key, default)


_labels: dict[str, str] = {}
_subscribers: dict[str, list[Callable[[Event], None]]] = defaultdict(list)


def declare(name: str, label: str = "") -> str:
    """Declare an event name (`<app>.<what happened>`); returns the name, for use as a constant."""
    _labels[name] = label
    return name


def declared() -> dict[str, str]:
    return dict(sorted(_labels.items()))


def subscribe(*names: str):
    """Decorator: run the function with the `Event` after each commit that raised one of `names`."""

    def register(func: Callable[[Event], None]):
        for name in names:
            if name not in _labels:
                raise LookupError(f"unknown event {name!r}: declare it first")
            if func not in _subscribers[name]:
                _subscribers[name].append(func)
        return func

    return register


def subscribers(name: str) -> list[Callable[[Event], None]]:
    return list(_subscribers.get(name, ()))


def in_business_transaction(using=None) -> bool:
    """True inside a transaction the code opened (so an emitted event would wait for its commit)."""
    # The test case's own wrapping transaction stands for autocommit: only blocks opened by the code count.
    blocks = transaction.get_connection(using).atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


def emit(name: str, using=None, **payload) -> Event:
    """Raise `name` with `payload`; subscribers run after the current transaction commits (at once outside
    one). Returns the event."""
    if name not in _labels:
        raise LookupError(f"unknown event {name!r}: declare it first")
    event = Event(name, payload)
    if in_business_transaction(using):
        transaction.on_commit(partial(deliver, event), using=using)
    else:
        deliver(event)
    return event


def deliver(event: Event) -> None:
    for subscriber in subscribers(event.name):
        try:
            subscriber(event)
        except Exception:
            if getattr(settings, "KEHU_EVENTS_RAISE", False):
                raise
            logger.exception("subscriber %s of %s failed", getattr(subscriber, "__qualname__", subscriber), event.name)
