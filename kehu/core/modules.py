"""The registry of modules: what a role can be granted, and whether the module's records have a data scope.

Each domain app registers its modules once, in its `AppConfig.ready()`. Roles store grants by module key,
so adding a module later (customers, orders, ...) needs no change here.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "view": _("View"),
    "add": _("Create"),
    "change": _("Edit"),
    "delete": _("Delete"),
    "export": _("Export"),
    "manage": _("Manage"),
    "authorise": _("Authorise"),
}


@dataclass(frozen=True)
class Module:
    key: str
    label: str
    actions: tuple[str, ...]
    scoped: bool = False  # records of this module have an owner and are filtered by data scope
    order: int = 100
    help_text: str = ""
    action_labels: dict = field(default_factory=dict)

    def action_label(self, action: str) -> str:
        return self.action_labels.get(action) or ACTION_LABELS.get(action, action)


_modules: dict[str, Module] = {}


def register(module: Module) -> Module:
    _modules[module.key] = module
    return module


def get(key: str) -> Module | None:
    return _modules.get(key)


def all_modules() -> list[Module]:
    return sorted(_modules.values(), key=lambda m: (m.order, m.key))
