"""The menu registry: every page a user can navigate to is one entry here, registered by its app.

Sales operations can rename entries (per language), reorder them and hide them per role without code
(`MenuSetting`); hiding is about navigation only, permissions still come from roles. An entry is hidden
for a user when every role they hold hides it.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kehu.core.text import localized

GROUPS = [
    ("workbench", _("Workbench"), "speedometer2"),
    ("customers", _("Customers"), "people"),
    ("sales", _("Opportunities & sales"), "graph-up-arrow"),
    ("products", _("Products"), "box-seam"),
    ("reports", _("Reports"), "bar-chart"),
    ("approvals", _("Approvals"), "check2-square"),
    ("settings", _("Settings"), "gear"),
]


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str
    url_name: str
    group: str
    icon: str
    order: int = 100
    permission: tuple[str, str] | None = None  # (module, action) needed to see the entry
    mobile_order: int | None = None  # position in the phone's bottom bar, None = under "Me"
    badge: str | None = None  # name of a count shown beside the entry (see `badges`)


_entries: dict[str, MenuEntry] = {}


def register(entry: MenuEntry) -> MenuEntry:
    if entry.group not in {g[0] for g in GROUPS}:
        raise ValueError(f"menu entry {entry.key!r}: unknown group {entry.group!r}")
    _entries[entry.key] = entry
    return entry


def all_entries() -> list[MenuEntry]:
    return sorted(_entries.values(), key=lambda e: (e.group, e.order, e.key))


def get(key: str) -> MenuEntry | None:
    return _entries.get(key)


@dataclass
class ShownEntry:
    key: str
    label: str
    url: str
    icon: str
    group: str
    order: int
    mobile_order: int | None
    badge: str | None
    count: int = 0  # the badge's number, filled in per request by `fill_badges`


_badges: dict[str, Callable] = {}


def register_badge(name: str, count: Callable) -> None:
    """A live count shown beside menu entries whose `badge` is `name`: `count(user) -> int`."""
    _badges[name] = count


def fill_badges(user, entries) -> None:
    counts: dict[str, int] = {}
    for entry in entries:
        if entry.badge in _badges:
            if entry.badge not in counts:
                counts[entry.badge] = _badges[entry.badge](user)
            entry.count = counts[entry.badge]


def menu_for(user) -> list[dict]:
    """The menu groups and entries `user` sees, with ops' labels, order and per-role hiding applied."""
    cached = user.__dict__.get("_kehu_menu")
    if cached is not None:
        return cached
    if not user.is_authenticated:
        return _build_menu(user)
    from django.utils import translation

    from kehu.core import listing

    # built once per process for a user, language and menu settings, under the scope version (roles, grants) and
    # the core tables' data version (the menu settings); each request gets its own copies (badges fill them in)
    key = ("menu", translation.get_language(), listing.data_version("core"))
    built = listing.cached_under_scope(user, *key, compute=lambda: _build_menu(user))
    groups = [{**group, "entries": [replace(e) for e in group["entries"]]} for group in built]
    user.__dict__["_kehu_menu"] = groups
    return groups


def _build_menu(user) -> list[dict]:
    from kehu.core.models import MenuSetting

    settings_by_key = {s.key: s for s in MenuSetting.objects.prefetch_related("hidden_for_roles")}
    role_ids = set(user.roles.values_list("pk", flat=True)) if user.is_authenticated else set()
    shown: list[ShownEntry] = []
    for entry in _entries.values():
        if entry.permission and not user.has_perm("{}.{}".format(*entry.permission)):
            continue
        setting = settings_by_key.get(entry.key)
        label, order = str(entry.label), entry.order
        if setting:
            hidden_for = {r.pk for r in setting.hidden_for_roles.all()}
            if role_ids and hidden_for and role_ids <= hidden_for:
                continue
            label = localized(setting.label_zh, setting.label_en) or label
            if setting.sort_order is not None:
                order = setting.sort_order
        shown.append(
            ShownEntry(
                entry.key,
                label,
                reverse(entry.url_name),
                entry.icon,
                entry.group,
                order,
                entry.mobile_order,
                entry.badge,
            )
        )
    groups = []
    for code, group_label, icon in GROUPS:
        items = sorted((e for e in shown if e.group == code), key=lambda e: (e.order, e.key))
        if items:
            groups.append({"code": code, "label": group_label, "icon": icon, "entries": items})
    return groups


def mobile_bar_for(user) -> list[ShownEntry]:
    entries = [e for g in menu_for(user) for e in g["entries"] if e.mobile_order is not None]
    return sorted(entries, key=lambda e: e.mobile_order)[:4]


# The core's own entries.
register(MenuEntry("workbench", _("Workbench"), "core:workbench", "workbench", "speedometer2", 10, mobile_order=10))
register(MenuEntry("menus", _("Menus"), "core:menus", "settings", "list-nested", 60, ("config", "manage")))
register(
    MenuEntry("dictionaries", _("Dictionaries"), "core:dictionaries", "settings", "book", 70, ("config", "manage"))
)
