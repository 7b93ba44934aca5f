"""The top bar's live counters (the message bell), registered by the apps that own them.

A counter has a name, which is also the template variable its number is published under on every page
(`{{ unread_count }}`), a `count(user) -> int`, and the template of its icon in the top bar. The page frame
shows what is registered, so core knows nothing of the apps behind the numbers.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Counter:
    name: str
    template: str
    count: Callable
    order: int = 100


_counters: dict[str, Counter] = {}


def register(counter: Counter) -> Counter:
    _counters[counter.name] = counter
    return counter


def counters_for(user) -> list[dict]:
    """Each registered counter with its number for `user`, in top-bar order."""
    ordered = sorted(_counters.values(), key=lambda c: (c.order, c.name))
    return [{"name": c.name, "template": c.template, "count": c.count(user)} for c in ordered]
