"""The pool's workbench to-do: my customers that go back to the public pool soon (即将掉入公海)."""

from django.utils import timezone

from kehu.core.workbench import Panel, register
from kehu.customers import pool_queries
from kehu.org.scope import has_module_perm

SHOWN = 8


def _returning_soon(request):
    if not has_module_perm(request.user, "customers", "view"):
        return None
    now = timezone.now()
    items = pool_queries.upcoming_returns_for_owner(request.user, now)
    if not items:
        return None
    return {"items": items[:SHOWN], "more": max(len(items) - SHOWN, 0), "now": now}


register(Panel("pool_returning_soon", "todos", "customers/pool_due_soon_panel.html", _returning_soon, order=30))
