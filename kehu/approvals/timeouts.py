"""Time-outs (`kehu worker`, every 15 minutes): an open approval task past its due time reminds its holder once,
or — when its step says so — is escalated to the holder's superior, who gets a fresh time-out."""

from django.db import transaction
from django.utils import timezone

from kehu.approvals import events, routing
from kehu.approvals.models import FlowAction, FlowInstance, FlowTask
from kehu.approvals.trail import record
from kehu.core.events import emit
from kehu.org.models import User

Kind = FlowAction.Kind
Task = FlowTask


def handle_timeouts(now=None) -> dict:
    """Open approval tasks past their due time: remind the holder once, or escalate the task to their superior
    (who gets a fresh time-out). Safe to run on several workers at once."""
    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    due = FlowTask.objects.filter(
        state=Task.State.OPEN, kind=Task.Kind.APPROVAL, due_at__lte=now, reminded_at__isnull=True
    ).values_list("pk", flat=True)
    for task_id in list(due[:500]):
        with transaction.atomic():
            task = FlowTask.objects.filter(pk=task_id).first()
            instance = routing.locked_instance(task.instance_id)
            task = FlowTask.objects.select_related("assignee__superior").get(pk=task_id)
            if task.state != Task.State.OPEN or task.reminded_at or instance.state != FlowInstance.State.RUNNING:
                continue
            node = instance.definition.node(task.node_id) or {}
            superior = task.assignee.superior
            task.reminded_at = now
            task.save(update_fields=["reminded_at"])
            can_escalate = (
                node.get("timeout_action") == "escalate"
                and superior is not None
                and superior.is_active
                and superior.status == User.Status.ACTIVE
                and routing.may_decide(instance, superior)
                and not routing.holds_step(instance, task.node_id, task.visit, superior)
            )
            if can_escalate:
                routing.move_task(instance, task, superior, Kind.ESCALATE, None, "")
                counts["escalated"] += 1
                continue
            record(instance, Kind.REMIND, task=task, detail=task.assignee.display_name)
            emit(events.TASK_TIMED_OUT, instance=instance, task=task)
            counts["reminded"] += 1
    return counts
