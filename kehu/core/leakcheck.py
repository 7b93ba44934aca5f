"""The register the leak test walks: every named URL is either scoped (it shows owned records, and must show
exactly those the user may see) or declared unscoped with the reason it cannot leak.

`tests/test_leaks.py` fails when a URL is in neither list, so a new page cannot skip the check. Apps
register their routes in their `leaks.py`, imported from `AppConfig.ready()`.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ScopedRoute:
    url_name: str  # namespaced, e.g. "notify:message_detail" or "api:message-list"
    model: type
    kind: str  # "list" or "detail"
    marker: Callable = str  # the text that identifies a record on an HTML page
    api: bool = False
    list_query: str = ""  # query string that makes an HTML list show every record (e.g. "box=all")
    action: str = "view"  # the scope a detail route needs ("change" for edit pages)
    complete: bool = True  # a list that shows every visible record (False: a subset, e.g. "my customers")
    method: str = "get"  # "post" for actions on one record: they must answer 404 outside the scope


SCOPED: dict[str, ScopedRoute] = {}
UNSCOPED: dict[str, str] = {}


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
):
    if kind not in {"list", "detail"}:
        raise ValueError(kind)
    SCOPED[url_name] = ScopedRoute(url_name, model, kind, marker, api, list_query, action, complete, method)


def unscoped(reason: str, *url_names: str):
    for name in url_names:
        UNSCOPED[name] = reason
