"""Moving an approval through its graph: who handles a step, the tasks they get (or their delegates), walking
from node to node through branches, reviews and copies until a step needs a decision, and ending the flow —
where the document takes the outcome along its status table (`documents.py`).

Everything here runs inside the caller's transaction, which has locked the instance first (`locked_instance`).
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.approvals import documents, events, registry
from kehu.approvals import graph as flowgraph
from kehu.approvals.conditions import matches
from kehu.approvals.delegation import delegate_of
from kehu.approvals.models import FlowAction, FlowInstance, FlowTask
from kehu.approvals.trail import record
from kehu.core.events import emit
from kehu.core.text import Translatable
from kehu.org.models import User
from kehu.org.queries import holders

Kind = FlowAction.Kind
Task = FlowTask


class TaskClosed(ValidationError):
    """The task was handled already (double click, another approver, a withdrawal)."""

    code = "task_closed"

    def __init__(self, message):
        super().__init__(message, code="task_closed")


def locked_instance(instance_id) -> FlowInstance | None:
    """The instance row, locked until the transaction ends: every change to a flow starts here."""
    return (
        FlowInstance.objects.select_for_update(of=("self",))
        .select_related("definition", "submitter")
        .filter(pk=instance_id)
        .first()
    )


# --- who handles a step -----------------------------------------------------------------------
def ops_users(instance=None) -> list[User]:
    """Sales operations: everyone holding approvals.manage (superusers when nobody does) — without the submitter of
    `instance`, who never decides on their own document."""
    active = User.objects.filter(status=User.Status.ACTIVE, is_active=True)
    ops = holders("approvals", "manage")
    if instance is not None:
        active, ops = active.exclude(pk=instance.submitter_id), ops.exclude(pk=instance.submitter_id)
    return list(ops.order_by("pk")) or list(active.filter(is_superuser=True).order_by("pk"))


def may_decide(instance, user) -> bool:
    """The one rule every path that hands out a deciding task goes through (a step's approvers, the fallback to
    sales operations, escalation, transfer, an added signer, a delegate): never the submitter."""
    return user is not None and user.pk != instance.submitter_id


def _refuse_submitter(instance, user, kind) -> None:
    if kind != Task.Kind.CC and not may_decide(instance, user):
        raise ValidationError(_("The submitter cannot approve their own document."))


def resolve_approvers(rule: dict, instance) -> list[User]:
    """The people a node's approver rule names for this instance, in a stable order, without leavers."""
    submitter = instance.submitter
    kind = (rule or {}).get("kind")
    users: list[User] = []
    if kind == "users":
        by_pk = {u.pk: u for u in User.objects.filter(pk__in=rule.get("users") or [])}
        users = [by_pk[int(pk)] for pk in rule.get("users") or [] if int(pk) in by_pk]
    elif kind == "role":
        users = list(User.objects.filter(roles=rule.get("role")).order_by("department__path", "name", "pk"))
    elif kind == "department_head":
        from kehu.org.models import Department

        department = Department.objects.filter(pk=submitter.department_id).select_related("head").first()
        while department is not None:
            head = department.head
            if head is not None and head.pk != submitter.pk and head.is_active and head.status == User.Status.ACTIVE:
                users = [head]
                break
            department = type(department).objects.get_parent(department, update=True)
    elif kind == "superior":
        person = submitter
        for _level in range(int(rule.get("level") or 1)):
            person = person.superior if person else None
        users = [person] if person else []
    elif kind == "field":
        value = instance.form.get(rule.get("field") or "")
        users = list(User.objects.filter(pk=value)) if str(value or "").isdigit() else []
    return [u for u in dict.fromkeys(users) if u.is_active and u.status == User.Status.ACTIVE]


def holds_step(instance, node_id, visit, user) -> bool:
    return FlowTask.objects.filter(
        instance=instance,
        node_id=node_id,
        visit=visit,
        round=instance.round,
        assignee=user,
        state__in=[Task.State.OPEN, Task.State.WAITING],
    ).exists()


def _usable_delegate(instance, node_id, visit, user, named=()):
    """`user`'s delegate for this step, unless it would let someone approve their own document or hold the step
    twice — already holding it, or named for it themselves (an all-sign step keeps its separate signatures)."""
    delegate = delegate_of(user, instance.doc_type)
    if delegate is None or delegate.pk == instance.submitter_id or delegate.pk in named:
        return None
    if holds_step(instance, node_id, visit, delegate):
        return None
    return delegate


def _due(node) -> timedelta | None:
    hours = node.get("timeout_hours") or 0
    return timedelta(hours=hours) if hours else None


# --- tasks ------------------------------------------------------------------------------------
def create_task(instance, node_id, node, user, *, kind, state=Task.State.OPEN, sequence=0, visit=1, named=(), **extra):
    """A task for `user` (or their delegate); approval tasks that open now get the step's time-out. Waiting tasks
    are bound to a delegate and get their time-out only when their turn comes (`open_waiting`)."""
    _refuse_submitter(instance, user, kind)
    delegate = None
    if kind != Task.Kind.CC and state == Task.State.OPEN:
        delegate = _usable_delegate(instance, node_id, visit, user, named)
    due = _due(node) if kind == Task.Kind.APPROVAL and state == Task.State.OPEN else None
    now = timezone.now()
    return FlowTask.objects.create(
        instance=instance,
        node_id=node_id,
        node_name=(node.get("name") or node_id)[:80],
        round=instance.round,
        visit=visit,
        kind=kind,
        assignee=delegate or user,
        on_behalf_of=user if delegate else None,
        state=state,
        sequence=sequence,
        created_at=now,
        due_at=now + due if due else None,
        **extra,
    )


def announce(tasks, instance) -> None:
    """Tell the holders of the tasks that are open now (after the commit: `events.TASK_ASSIGNED`)."""
    opened = [task for task in tasks if task.state == Task.State.OPEN]
    if opened:
        emit(events.TASK_ASSIGNED, instance=instance, tasks=opened)


def open_waiting(instance, task) -> None:
    """A waiting task's turn: it opens now, with a fresh time-out, and goes to the holder's delegate if they are
    away by now."""
    node = instance.definition.node(task.node_id) or {}
    due = _due(node)
    task.state, task.reminded_at = Task.State.OPEN, None
    task.due_at = timezone.now() + due if due else None
    if task.on_behalf_of_id is None and not task.added:
        named = set(node_tasks(instance, task).exclude(pk=task.pk).values_list("assignee_id", flat=True))
        delegate = _usable_delegate(instance, task.node_id, task.visit, task.assignee, named)
        if delegate is not None:
            task.assignee, task.on_behalf_of = delegate, task.assignee
    task.save(update_fields=["state", "reminded_at", "due_at", "assignee", "on_behalf_of"])
    announce([task], instance)


def move_task(instance, task, to_user, kind, actor, comment=""):
    """Hand `task` to `to_user` (a transfer, or an escalation when `actor` is None); they get a fresh time-out."""
    _refuse_submitter(instance, to_user, task.kind)
    if FlowTask.objects.filter(
        instance=instance,
        node_id=task.node_id,
        visit=task.visit,
        round=task.round,
        assignee=to_user,
        state__in=[Task.State.OPEN, Task.State.WAITING],
    ).exists():
        raise ValidationError({"to_user": _("%(name)s already has this step.") % {"name": to_user.display_name}})
    task.state, task.result, task.acted_at = Task.State.DONE, "transferred", timezone.now()
    task.save(update_fields=["state", "result", "acted_at"])
    node = instance.definition.node(task.node_id) or {}
    new = FlowTask.objects.create(
        instance=instance,
        node_id=task.node_id,
        node_name=task.node_name,
        round=task.round,
        visit=task.visit,
        kind=task.kind,
        assignee=to_user,
        state=Task.State.OPEN,
        sequence=task.sequence,
        added=task.added,
        resume=task.resume,
        due_at=timezone.now() + timedelta(hours=node["timeout_hours"]) if node.get("timeout_hours") else None,
    )
    FlowTask.objects.filter(resume=task).update(resume=new)
    record(instance, kind, actor, task=task, comment=comment, detail=to_user.display_name)
    announce([new], instance)
    emit(events.TASKS_ENDED, instance=instance)
    return new


def node_tasks(instance, task):
    return FlowTask.objects.filter(
        instance=instance, node_id=task.node_id, visit=task.visit, round=task.round, kind=Task.Kind.APPROVAL
    )


def close_open_tasks(instance, kinds=(Task.Kind.APPROVAL, Task.Kind.REVIEW)) -> None:
    FlowTask.objects.filter(instance=instance, kind__in=kinds, state__in=[Task.State.OPEN, Task.State.WAITING]).update(
        state=Task.State.CANCELLED, acted_at=timezone.now()
    )


# --- moving through the graph -----------------------------------------------------------------
def enter(instance, node_id) -> None:
    """Walk from `node_id` until a step needs somebody's decision or the flow ends. Branches choose their path
    from the form, reviews and copies are handed out without waiting."""
    definition = instance.definition
    doc_type = registry.get(instance.doc_type)
    for _step in range(flowgraph.MAX_NODES * 2):
        if node_id in (None, "", flowgraph.END):
            finish(instance)
            return
        node = definition.node(node_id)
        instance.path = [*instance.path, node_id]
        visit = sum(1 for n in instance.path if n == node_id)
        kind = node["type"]
        if kind == "branch":
            node_id = next(
                (b["next"] for b in node["branches"] if matches(b["condition"], instance.form, doc_type)),
                node["default"],
            )
            continue
        users = resolve_approvers(node.get("approvers"), instance)
        if kind in ("approval", "review"):  # nobody decides on their own document: the others named do, or nobody
            users = [u for u in users if may_decide(instance, u)]
        if kind in ("review", "cc"):
            task_kind = Task.Kind.REVIEW if kind == "review" else Task.Kind.CC
            tasks = [create_task(instance, node_id, node, u, kind=task_kind, visit=visit) for u in users]
            instance.current_node = node_id
            record(instance, Kind.CC, detail="、".join(t.assignee.display_name for t in tasks) or "—")
            announce(tasks, instance)
            node_id = node.get("next") or flowgraph.END
            continue
        instance.current_node = node_id
        if not users and node.get("if_no_approver") == "ops":
            users = ops_users(instance)
            if not users:
                raise ValidationError(
                    _(
                        "Nobody but the submitter could approve the step “%(step)s”: "
                        "ask an administrator to name its approvers."
                    )
                    % {"step": node.get("name") or node_id}
                )
            record(instance, Kind.TO_OPS, detail="、".join(u.display_name for u in users))
        if not users:
            record(instance, Kind.SKIP)
            node_id = node.get("next") or flowgraph.END
            continue
        in_order = node.get("mode") == "sequence"
        tasks = [
            create_task(
                instance,
                node_id,
                node,
                user,
                kind=Task.Kind.APPROVAL,
                state=Task.State.WAITING if in_order and i else Task.State.OPEN,
                sequence=i * 10,
                visit=visit,
                named={u.pk for u in users},
            )
            for i, user in enumerate(users)
        ]
        announce(tasks, instance)
        return
    raise ValidationError(_("The flow does not end."))


def _document_for_update(instance):
    doc_type = registry.get(instance.doc_type)
    return doc_type.model._default_manager.select_for_update().get(pk=instance.object_id)


def finish(instance) -> None:
    """The last step approved: the flow ends and the approved form becomes the document's."""
    instance.state, instance.current_node, instance.finished_at = FlowInstance.State.APPROVED, "", timezone.now()
    instance.save()
    record(instance, Kind.FINISH, detail=Translatable.of(FlowInstance.State.APPROVED.label))
    documents.concluded(_document_for_update(instance), "approve", instance)
    emit(events.FINISHED, instance=instance, outcome="approved", actor=None, comment="")


SENT_BACK = {
    FlowInstance.State.REJECTED: "reject",
    FlowInstance.State.RETURNED: "return",
    FlowInstance.State.WITHDRAWN: "withdraw",
}


def send_back(instance, state, reason: str) -> None:
    """Rejected, returned to the submitter or withdrawn: open tasks close and the document takes that step of its
    status table (back to draft, for most types)."""
    close_open_tasks(instance)
    instance.state, instance.current_node = state, ""
    if state != FlowInstance.State.RETURNED:
        instance.finished_at = timezone.now()
    instance.save()
    documents.concluded(_document_for_update(instance), SENT_BACK[state], instance, reason)


def after_approval(instance, task) -> None:
    """One approval of a step's task: resume whoever waited for it, close the others of an any-one step, hand an
    in-order step on, or move past the step when nobody is left on it."""
    node = instance.definition.node(task.node_id)
    siblings = node_tasks(instance, task)
    if task.resume_id:
        resumed = FlowTask.objects.filter(pk=task.resume_id, state=Task.State.WAITING).first()
        if resumed is not None:
            open_waiting(instance, resumed)
            return
    if node.get("mode", "any") == "any" and not task.added:
        others = siblings.filter(state__in=[Task.State.OPEN, Task.State.WAITING]).exclude(pk=task.pk)
        cancelled = list(others.values_list("pk", flat=True))
        others.update(state=Task.State.CANCELLED, acted_at=timezone.now())
        siblings.filter(resume_id__in=cancelled, state__in=[Task.State.OPEN, Task.State.WAITING]).update(
            state=Task.State.CANCELLED, acted_at=timezone.now()
        )
    if node.get("mode") == "sequence" and not siblings.filter(state=Task.State.OPEN).exists():
        waiting = siblings.filter(state=Task.State.WAITING, resume__isnull=True).order_by("sequence", "pk").first()
        waiting = waiting or siblings.filter(state=Task.State.WAITING).order_by("sequence", "pk").first()
        if waiting:
            open_waiting(instance, waiting)
            return
    if not siblings.filter(state__in=[Task.State.OPEN, Task.State.WAITING]).exists():
        enter(instance, node.get("next") or flowgraph.END)
