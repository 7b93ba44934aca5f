"""The register the leak test walks: every named URL is either scoped (it shows or acts on owned records, and must
show or touch exactly those the user may) or declared unscoped with the reason it cannot leak.

`tests/test_leaks.py` fails when a URL is in neither list, so a new page cannot skip the check. Apps
register their routes in their `leaks.py`, imported from `AppConfig.ready()`.

A route is walked as every role of the test organisation, with every record of its model:
- "list": shows exactly the visible records (or a subset of them, `complete=False`);
- "detail": a record outside the scope (`action`) answers 404, one inside it 200 (or, for a POST, neither 403 nor
  404);
- an action (`perm=` and/or `call=`): without the permission 403 (checked first: it says nothing about the record),
  outside the scope 404, with both success (2xx/3xx) and, where `call` says how to see it, the change happened.
  Each call runs in a savepoint that is rolled back, so no action changes the records the walk goes on with.
- `action_route(url, perm=..., call=...)` without a model: a route that touches no existing owned record (an
  import, "mark all my messages read", a settings page): 403 without the permission, success with it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Perm = tuple[str, str]  # (module, action), e.g. ("customers", "merge")


@dataclass(frozen=True)
class Call:
    """How to call an action for one record as one person: URL kwargs, the request body, and how to see that the
    action happened (`changed()`, run before the savepoint is rolled back)."""

    kwargs: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    changed: Callable[[], bool] | None = None
    multipart: bool = False  # an API call that uploads a file (default: a JSON body)


@dataclass(frozen=True)
class ScopedRoute:
    url_name: str  # namespaced, e.g. "notify:message_detail" or "api:message-list"
    model: type | None
    kind: str  # "list" or "detail" (an action on one record is a "detail" with a method and a `call`)
    marker: Callable = str  # the text that identifies a record on an HTML page
    api: bool = False
    list_query: str = ""  # query string that makes an HTML list show every record (e.g. "box=all")
    action: str = "view"  # the scope a detail route needs ("change" for edit pages and actions)
    complete: bool = True  # a list that shows every visible record (False: a subset, e.g. "my customers")
    method: str = "get"  # "post" for actions on one record: they must answer 404 outside the scope
    perms: tuple[Perm, ...] = ()  # permissions the route needs: 403 without any of them, whatever the record
    call: Callable[[Any, Any], Call] | None = None  # (record, person) -> Call; default: kwargs {"pk": record.pk}
    applies: Callable[[Any], bool] | None = None  # the records the route is walked with (default: all)
    oracle: str = ""  # a named alternative visibility rule of the model in the test oracles (e.g. "pool")
    outside: str = "404"  # "404", or "missing": a bulk action that skips what it may not touch answers as for
    # a missing record and changes nothing (the same answer either way, so existence does not leak)
    read: Callable | None = None  # response -> text, for a list that is not HTML (an .xlsx export)
    key: str = ""  # the register's key: the URL name, or "url_name#model" when one URL is checked per model
    needs: tuple = ()  # other models whose records must exist for the check to mean something (a page showing them)

    @property
    def is_action(self) -> bool:
        return bool(self.perms) or self.call is not None


SCOPED: dict[str, ScopedRoute] = {}
UNSCOPED: dict[str, str] = {}
DEFAULTS: set[str] = set()  # entered by a declared resource (kehu.core.resources); an app's own entry replaces it


def _explicit(name: str) -> None:
    """An app registers `name` itself: what a resource entered for it by default gives way."""
    if name in DEFAULTS:
        DEFAULTS.discard(name)
        SCOPED.pop(name, None)
        UNSCOPED.pop(name, None)


def default(url_name: str, *args, **kwargs) -> None:
    """A resource's entry for one of its routes: kept unless the app registers the route itself."""
    if url_name in SCOPED or url_name in UNSCOPED:
        return
    scoped(url_name, *args, **kwargs)
    DEFAULTS.add(url_name)


def default_unscoped(reason: str, *url_names: str) -> None:
    for name in url_names:
        if name not in SCOPED and name not in UNSCOPED:
            UNSCOPED[name] = reason
            DEFAULTS.add(name)


def _perms(perm) -> tuple[Perm, ...]:
    if not perm:
        return ()
    if isinstance(perm[0], str):
        return (tuple(perm),)
    return tuple(tuple(p) for p in perm)


def scoped(
    url_name: str,
    model,
    kind: str,
    *,
    marker: Callable = str,
    api: bool = False,
    list_query: str = "",
    action: str = "view",
    complete: bool = True,
    method: str = "get",
    perm: Perm | tuple[Perm, ...] | None = None,
    call: Callable | None = None,
    applies: Callable | None = None,
    oracle: str = "",
    outside: str = "404",
    read: Callable | None = None,
    also: bool = False,
    needs: tuple = (),
):
    """Register a route that shows or acts on records of `model`. `also=True` registers one more check of a URL
    that is registered already (a page that shows records of several models, such as the workbench)."""
    if kind not in {"list", "detail"}:
        raise ValueError(kind)
    if outside not in {"404", "missing"}:
        raise ValueError(outside)
    key = f"{url_name}#{model.__name__}" if also else url_name
    _explicit(key)
    SCOPED[key] = ScopedRoute(
        url_name,
        model,
        kind,
        marker,
        api,
        list_query,
        action,
        complete,
        method,
        perms=_perms(perm),
        call=call,
        applies=applies,
        oracle=oracle,
        outside=outside,
        read=read,
        key=key,
        needs=tuple(needs),
    )


def action_route(
    url_name: str,
    model=None,
    *,
    perm: Perm | tuple[Perm, ...] | None = None,
    call: Callable | None = None,
    api: bool = False,
    action: str = "change",
    method: str = "post",
    applies: Callable | None = None,
    oracle: str = "",
    outside: str = "404",
):
    """Register an action: the permission it needs, and how to call it for a record (`call(record, person)`).
    Without a model it acts on no existing owned record: only the permission is checked (`call(None, person)`)."""
    if model is None:
        _explicit(url_name)
        SCOPED[url_name] = ScopedRoute(
            url_name, None, "detail", api=api, method=method, perms=_perms(perm), call=call, key=url_name
        )
        return
    scoped(
        url_name,
        model,
        "detail",
        api=api,
        action=action,
        method=method,
        perm=perm,
        call=call,
        applies=applies,
        oracle=oracle,
        outside=outside,
    )


def route_names() -> set[str]:
    """The URL names the register covers, scoped or not."""
    return {route.url_name for route in SCOPED.values()} | set(UNSCOPED)


def unscoped(reason: str, *url_names: str):
    for name in url_names:
        _explicit(name)
        UNSCOPED[name] = reason
