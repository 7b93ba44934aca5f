"""Building blocks for approval tests: flows as dicts, a published flow, an expense to submit."""

from decimal import Decimal

from kehu.approvals import services
from kehu.approvals.models import FlowTask
from tests.scoped_app.models import Expense


def approval(name, approvers, next="end", **options):
    return {"type": "approval", "name": name, "approvers": approvers, "next": next, **options}


def people(*users):
    return {"kind": "users", "users": [u.pk for u in users]}


def flow(nodes: dict, start: str = "n1") -> dict:
    return {"start": start, "nodes": nodes}


def publish(actor, graph, doc_type="tests.expense", name="报销审批"):
    return services.publish(actor, services.save_draft(actor, doc_type, name, graph))


def expense(owner, amount="1000", **fields) -> Expense:
    return Expense.objects.create(title=fields.pop("title", "差旅报销"), amount=Decimal(amount), owner=owner, **fields)


def submit(owner, amount="1000", **fields):
    return services.submit(owner, "tests.expense", expense(owner, amount, **fields))


def task_of(user, instance, state=FlowTask.State.OPEN):
    return FlowTask.objects.get(instance=instance, assignee=user, state=state, kind=FlowTask.Kind.APPROVAL)


def holders(instance) -> list[str]:
    """Usernames holding open approval tasks, sorted."""
    return sorted(
        FlowTask.objects.filter(instance=instance, state=FlowTask.State.OPEN, kind=FlowTask.Kind.APPROVAL).values_list(
            "assignee__username", flat=True
        )
    )


def trail(instance) -> list[tuple]:
    return [
        (a.kind, a.actor.username if a.actor else None)
        for a in instance.actions.select_related("actor").order_by("id")
        if a.kind not in ("cc",)
    ]


def status(instance) -> str:
    """The status of the expense an instance approves."""
    return Expense.objects.get(pk=instance.object_id).status
