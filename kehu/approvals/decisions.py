"""Decisions on tasks: approve (with corrections), reject, return, transfer, add a signer, acknowledge a review,
comment, and reading a copy. `act` is the one entry point the page and the API post to.

Each action runs in one transaction that first locks the flow instance's row (`routing.locked_instance`; on
SQLite the IMMEDIATE transaction does the same), then re-reads the task: a double click or two approvers of an
any-one step acting at once advance the flow exactly once, and the late one is told the task was already handled.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from kehu.approvals import events, registry, routing
from kehu.approvals import graph as flowgraph
from kehu.approvals.access import can_view, may_comment
from kehu.approvals.models import FlowAction, FlowInstance, FlowTask
from kehu.approvals.routing import TaskClosed
from kehu.approvals.trail import record
from kehu.core.events import emit
from kehu.core.text import Translatable
from kehu.org.models import User

Kind = FlowAction.Kind
Task = FlowTask


def _open_task(actor, task_id, *, kinds=(Task.Kind.APPROVAL,), phone: bool = False):
    """Lock the task's instance and return (instance, task) when `actor` may act on it now."""
    task = FlowTask.objects.filter(pk=task_id).only("instance_id", "assignee_id").first()
    if task is None or task.assignee_id != actor.pk:
        raise Http404
    instance = routing.locked_instance(task.instance_id)
    task = FlowTask.objects.select_related("on_behalf_of").get(pk=task_id)
    if task.state != Task.State.OPEN or instance.state != FlowInstance.State.RUNNING or task.kind not in kinds:
        raise TaskClosed(_closed_message(instance, task))
    node = instance.definition.node(task.node_id) or {}
    if phone and node.get("pc_only"):
        raise ValidationError(_("This step can only be handled on a computer."), code="pc_only")
    return instance, task


def _closed_message(instance, task) -> str:
    last = (
        FlowAction.objects.filter(instance=instance)
        .exclude(kind__in=[Kind.CC, Kind.COMMENT])
        .select_related("actor")
        .order_by("-id")
        .first()
    )
    if last and last.actor:
        return _("This was already handled: %(who)s — %(what)s at %(when)s.") % {
            "who": last.actor.display_name,
            "what": last.get_kind_display(),
            "when": timezone.localtime(last.created_at).strftime("%Y-%m-%d %H:%M"),
        }
    return _("This was already handled.")


def _done(task, result: str) -> None:
    task.state, task.result, task.acted_at = Task.State.DONE, result, timezone.now()
    task.save(update_fields=["state", "result", "acted_at"])


# --- approve, with corrections ----------------------------------------------------------------
def _apply_changes(instance, task, changes: dict | None) -> list[dict]:
    """Approvers' corrections to the fields their step lets them edit, validated as an edit of the document is
    (`clean_approval_changes`); returns the trail's before/after list."""
    if not changes:
        return []
    doc_type = registry.get(instance.doc_type)
    node = instance.definition.node(task.node_id) or {}
    allowed = set(node.get("editable_fields") or [])
    changed = {k: v for k, v in changes.items() if k in allowed and instance.form.get(k) != v}
    refused = set(changes) - allowed
    if refused:
        raise ValidationError({name: _("You cannot change this field at this step.") for name in refused})
    if not changed:
        return []
    document = doc_type.get_document(instance.object_id)
    cleaned = document.clean_approval_changes(changed)
    trail = []
    for name, value in cleaned.items():
        spec = doc_type.field(name)
        before = instance.form.get(name)
        if before == value:
            continue
        trail.append(
            {
                "field": name,
                "label": str(spec.label),
                "before": spec.display(before),
                "after": spec.display(value),
                "before_value": before,
                "after_value": value,
            }
        )
        instance.form = {**instance.form, name: value}
    return trail


def approve(actor, task_id, comment: str = "", changes: dict | None = None, *, phone: bool = False):
    with transaction.atomic():
        instance, task = _open_task(actor, task_id, phone=phone)
        trail = _apply_changes(instance, task, changes)
        _done(task, "approved")
        record(instance, Kind.APPROVE, actor, task=task, comment=comment, changes=trail)
        routing.after_approval(instance, task)
        instance.save()
        emit(events.TASKS_ENDED, instance=instance)
    return instance


# --- reject and return ------------------------------------------------------------------------
def reject(actor, task_id, comment: str, *, phone: bool = False):
    """End the flow: the document goes back to draft with the reason."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why you reject it.")})
    with transaction.atomic():
        instance, task = _open_task(actor, task_id, phone=phone)
        _done(task, "rejected")
        record(instance, Kind.REJECT, actor, task=task, comment=comment)
        routing.send_back(instance, FlowInstance.State.REJECTED, comment)
        emit(events.FINISHED, instance=instance, outcome="rejected", actor=actor, comment=comment)
    return instance


def _ancestors(graph: dict, node_id: str) -> set[str]:
    """The steps from which `node_id` can be reached."""
    nodes = graph.get("nodes") or {}
    parents: dict[str, set[str]] = {}
    for source, node in nodes.items():
        for target in flowgraph.targets(node):
            parents.setdefault(target, set()).add(source)
    found, todo = set(), [node_id]
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def return_targets(instance, task=None) -> list[tuple[str, str]]:
    """Where a task's holder may send the document back: the submitter, or an approval step passed in this round
    on the way to the current step (most recent first) — never forward, never onto a branch not taken."""
    definition = instance.definition
    current = task.node_id if task else instance.current_node
    before = _ancestors(definition.graph, current) if current else set()
    passed = (
        FlowTask.objects.filter(instance=instance, round=instance.round, kind=Task.Kind.APPROVAL, node_id__in=before)
        .order_by("created_at", "pk")
        .values_list("node_id", flat=True)
    )
    seen, result = set(), [("submitter", _("The submitter (%(name)s)") % {"name": instance.submitter.display_name})]
    for node_id in reversed(list(dict.fromkeys(passed))):
        if node_id in seen:
            continue
        seen.add(node_id)
        result.append((node_id, (definition.node(node_id) or {}).get("name", node_id)))
    return result


def return_(actor, task_id, comment: str, to: str = "submitter", *, phone: bool = False):
    """Send the document back to the submitter (it becomes editable; resubmitting starts the flow again) or to
    an earlier approval step (its approvers decide again)."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what should be corrected.")})
    with transaction.atomic():
        instance, task = _open_task(actor, task_id, phone=phone)
        targets = dict(return_targets(instance, task))
        if to not in targets:
            raise ValidationError({"to": _("The document cannot be returned to that step.")})
        _done(task, "returned")
        detail = (
            Translatable(N_("The submitter (%(name)s)"), name=instance.submitter.display_name)
            if to == "submitter"
            else targets[to]
        )
        record(instance, Kind.RETURN, actor, task=task, comment=comment, detail=detail)
        if to == "submitter":
            routing.send_back(instance, FlowInstance.State.RETURNED, comment)
            emit(events.RETURNED, instance=instance, actor=actor, comment=comment)
        else:
            routing.close_open_tasks(instance)
            routing.enter(instance, to)
            instance.save()
            emit(events.TASKS_ENDED, instance=instance)
    return instance


# --- transfer and add a signer ----------------------------------------------------------------
def _check_person(user, actor, field: str, instance=None) -> None:
    if user is None or not user.is_active or user.status != User.Status.ACTIVE:
        raise ValidationError({field: _("Choose someone who is still with the company.")})
    if user.pk == actor.pk:
        raise ValidationError({field: _("Choose someone other than yourself.")})
    if instance is not None and user.pk == instance.submitter_id:
        raise ValidationError({field: _("The submitter cannot approve their own document.")})


def transfer(actor, task_id, to_user, comment: str = "", *, phone: bool = False):
    """Hand my task to someone else; they decide in my place."""
    if to_user is None:
        raise ValidationError({"to_user": _("Choose who takes over this step.")})
    _check_person(to_user, actor, "to_user")
    with transaction.atomic():
        instance, task = _open_task(actor, task_id, kinds=(Task.Kind.APPROVAL, Task.Kind.REVIEW), phone=phone)
        _check_person(to_user, actor, "to_user", instance)
        routing.move_task(instance, task, to_user, Kind.TRANSFER, actor, comment)
    return instance


def add_signer(actor, task_id, signer, position: str, comment: str = "", *, phone: bool = False):
    """加签: ask `signer` to approve this step too — before me (I decide after them) or after me (I approve now,
    the step waits for them)."""
    if signer is None:
        raise ValidationError({"signer": _("Choose who signs.")})
    if position not in ("before", "after"):
        raise ValidationError({"position": _("Choose before or after yourself.")})
    _check_person(signer, actor, "signer")
    with transaction.atomic():
        instance, task = _open_task(actor, task_id, phone=phone)
        _check_person(signer, actor, "signer", instance)
        if (
            routing.node_tasks(instance, task)
            .filter(assignee=signer, state__in=[Task.State.OPEN, Task.State.WAITING])
            .exists()
        ):
            raise ValidationError({"signer": _("%(name)s already has this step.") % {"name": signer.display_name}})
        label = N_("%(name)s · before me") if position == "before" else N_("%(name)s · after me")
        detail = Translatable(label, name=signer.display_name)
        record(instance, Kind.ADD_SIGNER, actor, task=task, comment=comment, detail=detail)
        node = instance.definition.node(task.node_id) or {}
        if position == "before":
            task.state = Task.State.WAITING
            task.save(update_fields=["state"])
            added = routing.create_task(
                instance,
                task.node_id,
                node,
                signer,
                kind=Task.Kind.APPROVAL,
                sequence=task.sequence,
                visit=task.visit,
                added=True,
                resume=task,
            )
        else:
            _done(task, "approved")
            record(instance, Kind.APPROVE, actor, task=task)
            if node.get("mode", "any") == "any" and not task.added:
                others = routing.node_tasks(instance, task).filter(state__in=[Task.State.OPEN, Task.State.WAITING])
                others.exclude(pk=task.pk).update(state=Task.State.CANCELLED, acted_at=timezone.now())
            added = routing.create_task(
                instance,
                task.node_id,
                node,
                signer,
                kind=Task.Kind.APPROVAL,
                sequence=task.sequence + 1,
                visit=task.visit,
                added=True,
                resume=task.resume,  # signing after a signer added before someone: that someone still comes back
            )
        routing.announce([added], instance)
        instance.save()
        emit(events.TASKS_ENDED, instance=instance)
    return instance


# --- reviews and copies -----------------------------------------------------------------------
def acknowledge(actor, task_id, comment: str = "") -> FlowInstance:
    """A reviewer (审阅) confirms they have read the document; it never holds the flow up."""
    with transaction.atomic():
        task = FlowTask.objects.filter(pk=task_id, assignee=actor).first()
        if task is None:
            raise Http404
        instance = routing.locked_instance(task.instance_id)
        task.refresh_from_db()
        if task.kind not in (Task.Kind.REVIEW, Task.Kind.CC) or task.state != Task.State.OPEN:
            raise TaskClosed(_("This was already handled."))
        _done(task, "acknowledged")
        if task.kind == Task.Kind.REVIEW:
            record(instance, Kind.ACKNOWLEDGE, actor, task=task, comment=comment)
        emit(events.TASKS_ENDED, instance=instance)
    return instance


def mark_copies_read(user, instance) -> int:
    """Opening an approval (page or API) reads the copies of it sent to `user`. Returns how many were unread."""
    count = FlowTask.objects.filter(instance=instance, assignee=user, kind=Task.Kind.CC, state=Task.State.OPEN).update(
        state=Task.State.DONE, result="read", acted_at=timezone.now()
    )
    if count:
        emit(events.TASKS_ENDED, instance=instance)
    return count


# --- the one entry point ----------------------------------------------------------------------
ACTIONS = ("approve", "reject", "return", "transfer", "add_signer", "acknowledge")


def act(
    actor,
    task_id,
    action: str,
    comment: str = "",
    *,
    changes=None,
    to="submitter",
    to_user=None,
    signer=None,
    position="after",
    phone: bool = False,
) -> FlowInstance:
    """One decision on a task, as the pages and the API post it (`action` one of ACTIONS)."""
    if action == "approve":
        return approve(actor, task_id, comment, changes, phone=phone)
    if action == "reject":
        return reject(actor, task_id, comment, phone=phone)
    if action == "return":
        return return_(actor, task_id, comment, to or "submitter", phone=phone)
    if action == "transfer":
        return transfer(actor, task_id, to_user, comment, phone=phone)
    if action == "add_signer":
        return add_signer(actor, task_id, signer, position or "after", comment, phone=phone)
    if action == "acknowledge":
        return acknowledge(actor, task_id, comment)
    raise ValidationError({"action": _("Unknown action.")})


def comment(actor, instance_id, text: str) -> FlowAction:
    """A remark on the trail by anyone taking part (submitter, approvers, reviewers, people copied) or ops."""
    if not (text or "").strip():
        raise ValidationError({"comment": _("Write a comment.")})
    with transaction.atomic():
        instance = routing.locked_instance(instance_id)
        if instance is None or not can_view(actor, instance):
            raise Http404
        if not may_comment(actor, instance):
            raise PermissionDenied(_("Only the people taking part in this approval can comment on it."))
        return record(instance, Kind.COMMENT, actor, comment=text.strip(), detail="")
