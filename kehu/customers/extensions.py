"""What other modules add to customers, without customers importing them (DESIGN.md: one folder a domain).

- **Tabs of the customer page** (`CustomerTab`): e.g. opportunities. `count(request, customer)` is the number beside the
  label (None hides the tab), `context(request, customer)` the shown tab's template context; both read through the
  module's own `visible_to`.
- **Timeline sources**: `source(customer, limit) -> [{"kind", "at", "actor", "obj", "template"}]`, merged into the
  customer's timeline newest first; `template` renders the entry (with `entry` and `obj` in the context).
- **Ownership hooks**, run *inside* the transaction that moves the customers, so that what hangs off a customer
  moves with it or not at all: `moved(actor, customers, to_user, kind, text)` after a transfer or a leaver handover
  (`kind` "transferred" | "handed_over"; `customers` the moved Customer rows), and `merged(actor, keep, duplicate)`
  after a merge. A hook writes its own module's rows only; messages go through domain events after the commit.
- The pool's "days without a new opportunity" clock stays where the pool reads it
  (`pool_rules.register_opportunity_clock`).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CustomerTab:
    key: str
    label: str
    template: str
    context: Callable  # (request, customer) -> the tab's template context (only for the tab shown)
    count: Callable  # (request, customer) -> the number beside the label; None hides the tab
    order: int = 50


_tabs: dict[str, CustomerTab] = {}
_timeline: list[Callable] = []
_moved: list[Callable] = []
_merged: list[Callable] = []


def register_tab(tab: CustomerTab) -> CustomerTab:
    _tabs[tab.key] = tab
    return tab


def register_timeline(source: Callable) -> Callable:
    if source not in _timeline:
        _timeline.append(source)
    return source


def on_moved(hook: Callable) -> Callable:
    if hook not in _moved:
        _moved.append(hook)
    return hook


def on_merged(hook: Callable) -> Callable:
    if hook not in _merged:
        _merged.append(hook)
    return hook


def tabs_for(request, customer, current: str) -> list[dict]:
    """The added tabs the user may open on this customer (`count` None hides one), with the current tab's context."""
    shown = []
    for tab in sorted(_tabs.values(), key=lambda t: (t.order, t.key)):
        count = tab.count(request, customer)
        if count is None:
            continue
        context = tab.context(request, customer) if tab.key == current else None
        shown.append({"key": tab.key, "label": tab.label, "template": tab.template, "count": count, "context": context})
    return shown


def timeline_entries(customer, limit: int) -> list[dict]:
    entries = []
    for source in _timeline:
        entries.extend(source(customer, limit))
    return entries


def customers_moved(actor, customers, to_user, kind: str, text: str) -> None:
    for hook in _moved:
        hook(actor, customers, to_user, kind, text)


def customers_merged(actor, keep, duplicate) -> None:
    for hook in _merged:
        hook(actor, keep, duplicate)
