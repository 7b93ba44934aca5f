"""The workbench's approval panel: my open approvals, oldest due first."""

from django.utils import timezone

from kehu.approvals import queries
from kehu.core.workbench import Panel, register


def _my_todos(request):
    tasks = list(queries.todo_tasks(request.user)[:6])
    if not tasks:
        return None
    return {"tasks": tasks, "total": queries.todo_count(request.user), "now": timezone.now()}


register(Panel("approval_todos", "todos", "approvals/_todo_panel.html", _my_todos, order=10))
