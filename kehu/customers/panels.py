"""The customers' panels on the workbench: follow-up next steps that are due or overdue."""

from django.utils import timezone

from kehu.core.workbench import Panel, register
from kehu.customers.queries import open_next_steps_for
from kehu.org.scope import has_module_perm


def _due_next_steps(request):
    """The due and overdue part of the next-steps page (`open_next_steps_for`: only customers in the scope)."""
    if not has_module_perm(request.user, "customers", "view"):
        return None
    today = timezone.localdate()
    steps = list(open_next_steps_for(request.user).filter(next_step_due__lte=today)[:8])
    return {"steps": steps, "today": today} if steps else None


register(Panel("due_next_steps", "todos", "customers/_due_next_steps_panel.html", _due_next_steps, order=20))
