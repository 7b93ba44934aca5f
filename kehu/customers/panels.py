"""The customers' panels on the workbench: follow-up next steps that are due or overdue."""

from django.utils import timezone

from kehu.core.workbench import Panel, register
from kehu.customers.models import FollowUp, next_step_of
from kehu.org.scope import has_module_perm


def _due_next_steps(request):
    if not has_module_perm(request.user, "customers", "view"):
        return None
    today = timezone.localdate()
    steps = list(
        FollowUp.objects.filter(
            next_step_of(request.user),
            next_step_due__isnull=False,
            next_step_due__lte=today,
            next_step_done_at__isnull=True,
        )
        .select_related("customer")
        .order_by("next_step_due", "id")[:8]
    )
    return {"steps": steps, "today": today} if steps else None


register(Panel("due_next_steps", "todos", "customers/_due_next_steps_panel.html", _due_next_steps, order=20))
