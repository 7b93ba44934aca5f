"""The workbench (工作台) is made of panels that apps register: to-dos, reminders, KPIs.

A panel is a function `(request) -> dict | None` returning template context for its template, or None
when it has nothing to show this user. Apps add panels in their `ready()`; the workbench page needs no
change when a module arrives.
"""

from collections.abc import Callable
from dataclasses import dataclass

SLOTS = ("todos", "reminders", "kpis")


@dataclass(frozen=True)
class Panel:
    key: str
    slot: str
    template: str
    build: Callable
    order: int = 100


_panels: dict[str, Panel] = {}


def register(panel: Panel) -> Panel:
    if panel.slot not in SLOTS:
        raise ValueError(f"workbench panel {panel.key!r}: unknown slot {panel.slot!r}")
    _panels[panel.key] = panel
    return panel


def panels_for(request) -> dict[str, list[dict]]:
    result = {slot: [] for slot in SLOTS}
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        context = panel.build(request)
        if context is not None:
            result[panel.slot].append({"key": panel.key, "template": panel.template, **context})
    return result
