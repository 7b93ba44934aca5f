"""The append-only trail of an approval (`FlowAction`): each row is chained to the previous one by a digest, so a
row changed or removed afterwards breaks the chain (`verify_trail`)."""

from django.utils import timezone

from kehu.approvals.models import FlowAction
from kehu.core.text import Translatable


def record(instance, kind, actor=None, *, task=None, comment="", detail="", changes=(), on_behalf_of=None):
    """Append one entry to the instance's trail (in the caller's transaction, which holds the instance lock)."""
    previous = (
        FlowAction.objects.filter(instance=instance).order_by("-id").values_list("digest", flat=True).first() or ""
    )
    node_id = task.node_id if task else instance.current_node
    node = instance.definition.node(node_id) if node_id else None
    action = FlowAction(
        instance=instance,
        task=task,
        node_id=node_id or "",
        node_name=(task.node_name if task else (node or {}).get("name", ""))[:80],
        kind=kind,
        actor=actor,
        on_behalf_of=on_behalf_of or (task.on_behalf_of if task else None),
        comment=comment,
        detail=detail if isinstance(detail, Translatable) else str(detail)[:200],
        changes=list(changes),
        created_at=timezone.now(),
    )
    action.digest = action.compute_digest(previous)
    action.save()
    return action


def verify_trail(instance) -> bool:
    """True while no row of the instance's trail was changed or removed after it was written."""
    previous = ""
    for action in FlowAction.objects.filter(instance=instance).order_by("id"):
        if action.compute_digest(previous) != action.digest:
            return False
        previous = action.digest
    return True
