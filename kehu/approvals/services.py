"""Every change in the approval engine: designing and publishing flows, submitting documents, acting on tasks,
delegating, time-outs. Each action runs in one transaction that first locks the flow instance's row
(`select_for_update`; on SQLite the IMMEDIATE transaction does the same), then re-reads the task: a double
click or two approvers of an any-one step acting at once advance the flow exactly once, and the late one is
told the task was already handled.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kehu.approvals import graph as flowgraph
from kehu.approvals import registry
from kehu.approvals.conditions import matches
from kehu.approvals.models import Delegation, FlowAction, FlowDefinition, FlowInstance, FlowTask
from kehu.org.models import RoleGrant, User
from kehu.org.scope import has_module_perm

Kind = FlowAction.Kind
Task = FlowTask


class TaskClosed(ValidationError):
    """The task was handled already (double click, another approver, a withdrawal)."""

    code = "task_closed"

    def __init__(self, message):
        super().__init__(message, code="task_closed")


def require_manage(actor) -> None:
    if not has_module_perm(actor, "approvals", "manage"):
        raise PermissionDenied(_("You do not have permission to do this."))


def doc_type_or_404(key: str) -> registry.DocumentType:
    doc_type = registry.get(key)
    if doc_type is None:
        raise Http404
    return doc_type


# --- designing flows --------------------------------------------------------------------------
def published_flow(doc_type: str) -> FlowDefinition | None:
    return FlowDefinition.objects.filter(doc_type=doc_type, status=FlowDefinition.Status.PUBLISHED).first()


def open_instance(doc_type: str, object_id) -> FlowInstance | None:
    """The document's approval in progress (running, or returned to its submitter), if any."""
    return FlowInstance.objects.filter(
        doc_type=doc_type, object_id=object_id, state__in=FlowInstance.OPEN_STATES
    ).first()


def requires_approval(doc_type: str) -> bool:
    return FlowDefinition.objects.filter(doc_type=doc_type, status=FlowDefinition.Status.PUBLISHED).exists()


def save_draft(actor, doc_type: str, name: str, graph: dict, definition: FlowDefinition | None = None):
    """Keep a work-in-progress version (not checked until publishing). Editing a published or retired version
    makes a new draft: what runs is never changed in place."""
    require_manage(actor)
    doc_type_or_404(doc_type)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the flow a name.")})
    if not isinstance(graph, dict):
        raise ValidationError({"graph": _("The flow could not be read.")})
    with transaction.atomic():
        if definition is not None and definition.status == FlowDefinition.Status.DRAFT:
            definition = FlowDefinition.objects.select_for_update().get(pk=definition.pk)
            definition.name, definition.graph = name[:80], graph
            definition.save(update_fields=["name", "graph"])
            return definition
        return _new_version(actor, doc_type, name, graph)


def _new_version(actor, doc_type, name, graph) -> FlowDefinition:
    for _attempt in range(3):
        latest = FlowDefinition.objects.filter(doc_type=doc_type).aggregate(v=Max("version"))["v"] or 0
        try:
            with transaction.atomic():
                return FlowDefinition.objects.create(
                    doc_type=doc_type, version=latest + 1, name=name[:80], graph=graph, created_by=actor
                )
        except IntegrityError:
            continue
    raise ValidationError(_("Someone else is saving this flow right now. Try again."))


def publish(actor, definition: FlowDefinition) -> FlowDefinition:
    """Check the draft and make it the flow new submissions use; the previous version is retired (running
    instances keep it). Refused with messages keyed by node id when the flow cannot run."""
    require_manage(actor)
    doc_type = doc_type_or_404(definition.doc_type)
    if definition.status != FlowDefinition.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    flowgraph.check(definition.graph, doc_type)
    with transaction.atomic():
        list(FlowDefinition.objects.select_for_update().filter(doc_type=definition.doc_type))
        FlowDefinition.objects.filter(doc_type=definition.doc_type, status=FlowDefinition.Status.PUBLISHED).update(
            status=FlowDefinition.Status.RETIRED
        )
        definition.status, definition.published_by, definition.published_at = (
            FlowDefinition.Status.PUBLISHED,
            actor,
            timezone.now(),
        )
        definition.save(update_fields=["status", "published_by", "published_at"])
    return definition


def turn_off(actor, doc_type: str) -> int:
    """Stop requiring approval for a document type (its published version is retired). Running instances go on."""
    require_manage(actor)
    doc_type_or_404(doc_type)
    return FlowDefinition.objects.filter(doc_type=doc_type, status=FlowDefinition.Status.PUBLISHED).update(
        status=FlowDefinition.Status.RETIRED
    )


# --- the trail and notifications --------------------------------------------------------------
def _log(instance, kind, actor=None, *, task=None, comment="", detail="", changes=(), on_behalf_of=None):
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
        detail=str(detail)[:200],
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


def instance_url(instance) -> str:
    return reverse("approvals:instance", kwargs={"pk": instance.pk})


def _notify(users, make, link: str, level: str = "info") -> None:
    """Send each user a message written in their own language (`make()` returns title and body)."""
    from kehu.notify.services import send_message

    for user in {u.pk: u for u in users if u is not None}.values():
        with translation.override(user.language or settings.LANGUAGE_CODE):
            title, body = make()
            send_message([user], str(title), str(body), link, level=level)


# --- who handles a step -----------------------------------------------------------------------
def ops_users() -> list[User]:
    """Sales operations: everyone holding approvals.manage (superusers when nobody does)."""
    role_ids = {g.role_id for g in RoleGrant.objects.filter(module="approvals") if "manage" in g.actions}
    users = list(User.objects.filter(roles__in=role_ids, status=User.Status.ACTIVE, is_active=True).distinct())
    return users or list(User.objects.filter(is_superuser=True, status=User.Status.ACTIVE, is_active=True))


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


def delegate_of(user, doc_type: str, day=None) -> User | None:
    """Who receives `user`'s new tasks of `doc_type` on `day` (None: nobody, the user handles them)."""
    day = day or timezone.localdate()
    for delegation in Delegation.objects.filter(
        user=user, cancelled_at__isnull=True, starts_on__lte=day, ends_on__gte=day
    ).select_related("delegate"):
        if delegation.covers(doc_type) and delegation.delegate.is_active:
            return delegation.delegate
    return None


def _holds_step(instance, node_id, visit, user) -> bool:
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
    if _holds_step(instance, node_id, visit, delegate):
        return None
    return delegate


def _due(node) -> timedelta | None:
    hours = node.get("timeout_hours") or 0
    return timedelta(hours=hours) if hours else None


def _create_task(instance, node_id, node, user, *, kind, state=Task.State.OPEN, sequence=0, visit=1, named=(), **extra):
    """A task for `user` (or their delegate); approval tasks that open now get the step's time-out. Waiting tasks
    are bound to a delegate and get their time-out only when their turn comes (`_open_waiting`)."""
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


def _open_waiting(instance, task) -> None:
    """A waiting task's turn: it opens now, with a fresh time-out, and goes to the holder's delegate if they are
    away by now."""
    node = instance.definition.node(task.node_id) or {}
    due = _due(node)
    task.state, task.reminded_at = Task.State.OPEN, None
    task.due_at = timezone.now() + due if due else None
    if task.on_behalf_of_id is None and not task.added:
        named = set(_node_tasks(instance, task).exclude(pk=task.pk).values_list("assignee_id", flat=True))
        delegate = _usable_delegate(instance, task.node_id, task.visit, task.assignee, named)
        if delegate is not None:
            task.assignee, task.on_behalf_of = delegate, task.assignee
    task.save(update_fields=["state", "reminded_at", "due_at", "assignee", "on_behalf_of"])
    _announce([task], instance)


def _announce(tasks, instance):
    link = instance_url(instance)
    for task in tasks:
        if task.state != Task.State.OPEN:
            continue
        if task.kind == Task.Kind.APPROVAL:

            def make(task=task):
                return _("To approve: %(title)s") % {"title": instance.title}, _(
                    "%(who)s submitted it. Step: %(step)s"
                ) % {
                    "who": instance.submitter.display_name,
                    "step": task.node_name,
                }

        elif task.kind == Task.Kind.REVIEW:

            def make(task=task):
                return _("To review: %(title)s") % {"title": instance.title}, task.node_name

        else:

            def make(task=task):
                return _("For your information: %(title)s") % {"title": instance.title}, task.node_name

        _notify([task.assignee], make, link, level="reminder" if task.kind == Task.Kind.APPROVAL else "info")


# --- moving through the graph -----------------------------------------------------------------
def _enter(instance, node_id) -> None:
    """Walk from `node_id` until a step needs somebody's decision or the flow ends. Branches choose their path
    from the form, reviews and copies are handed out without waiting."""
    definition = instance.definition
    doc_type = registry.get(instance.doc_type)
    for _step in range(flowgraph.MAX_NODES * 2):
        if node_id in (None, "", flowgraph.END):
            _finish(instance)
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
        if kind == "approval":  # nobody approves their own document: the others named decide, or nobody is left
            users = [u for u in users if u.pk != instance.submitter_id]
        if kind in ("review", "cc"):
            task_kind = Task.Kind.REVIEW if kind == "review" else Task.Kind.CC
            tasks = [_create_task(instance, node_id, node, u, kind=task_kind, visit=visit) for u in users]
            instance.current_node = node_id
            _log(instance, Kind.CC, detail="、".join(t.assignee.display_name for t in tasks) or "—")
            _announce(tasks, instance)
            node_id = node.get("next") or flowgraph.END
            continue
        instance.current_node = node_id
        if not users and node.get("if_no_approver") == "ops":
            users = ops_users()
            _log(instance, Kind.TO_OPS, detail="、".join(u.display_name for u in users))
        if not users:
            _log(instance, Kind.SKIP)
            node_id = node.get("next") or flowgraph.END
            continue
        in_order = node.get("mode") == "sequence"
        tasks = [
            _create_task(
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
        _announce(tasks, instance)
        return
    raise ValidationError(_("The flow does not end."))


def _finish(instance) -> None:
    doc_type = registry.get(instance.doc_type)
    instance.state, instance.current_node, instance.finished_at = FlowInstance.State.APPROVED, "", timezone.now()
    instance.save()
    _log(instance, Kind.FINISH, detail=str(FlowInstance.State.APPROVED.label))
    document = doc_type.model._default_manager.select_for_update().get(pk=instance.object_id)
    doc_type.on_approved(document, instance.form, instance)

    def make():
        return _("Approved: %(title)s") % {"title": instance.title}, ""

    _notify([instance.submitter], make, instance_url(instance))


def _node_tasks(instance, task):
    return FlowTask.objects.filter(
        instance=instance, node_id=task.node_id, visit=task.visit, round=task.round, kind=Task.Kind.APPROVAL
    )


def _after_approval(instance, task) -> None:
    node = instance.definition.node(task.node_id)
    siblings = _node_tasks(instance, task)
    if task.resume_id:
        resumed = FlowTask.objects.filter(pk=task.resume_id, state=Task.State.WAITING).first()
        if resumed is not None:
            _open_waiting(instance, resumed)
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
            _open_waiting(instance, waiting)
            return
    if not siblings.filter(state__in=[Task.State.OPEN, Task.State.WAITING]).exists():
        _enter(instance, node.get("next") or flowgraph.END)


def _close_open_tasks(instance, kinds=(Task.Kind.APPROVAL, Task.Kind.REVIEW)) -> None:
    FlowTask.objects.filter(instance=instance, kind__in=kinds, state__in=[Task.State.OPEN, Task.State.WAITING]).update(
        state=Task.State.CANCELLED, acted_at=timezone.now()
    )


def _back_to_draft(instance, state, reason: str) -> None:
    doc_type = registry.get(instance.doc_type)
    _close_open_tasks(instance)
    instance.state, instance.current_node = state, ""
    if state != FlowInstance.State.RETURNED:
        instance.finished_at = timezone.now()
    instance.save()
    document = doc_type.model._default_manager.select_for_update().get(pk=instance.object_id)
    doc_type.on_back_to_draft(document, instance, reason)


def _locked_instance(instance_id) -> FlowInstance | None:
    """The instance row, locked until the transaction ends: every change to a flow starts here."""
    return (
        FlowInstance.objects.select_for_update(of=("self",))
        .select_related("definition", "submitter")
        .filter(pk=instance_id)
        .first()
    )


# --- submitting -------------------------------------------------------------------------------
def submit(actor, doc_type_key: str, document) -> FlowInstance:
    """Start the published flow for `document` (or resume the instance returned to the submitter, from its first
    step, with the corrected document). The document locks until the flow ends."""
    doc_type = doc_type_or_404(doc_type_key)
    doc_type.check_submit(actor, document)
    with transaction.atomic():
        # The instance before the document, in the same order as every action (no deadlock between them).
        open_instance = (
            FlowInstance.objects.select_for_update(of=("self",))
            .select_related("definition")
            .filter(doc_type=doc_type_key, object_id=document.pk, state__in=FlowInstance.OPEN_STATES)
            .first()
        )
        document = doc_type.model._default_manager.select_for_update().get(pk=document.pk)
        if open_instance and open_instance.state == FlowInstance.State.RUNNING:
            raise ValidationError(_("This document is already in approval."))
        if open_instance:
            instance = open_instance
            if instance.submitter_id != actor.pk:
                raise PermissionDenied(_("Only the person who submitted it can resubmit it."))
            instance.round += 1
            instance.state, instance.form, instance.title = (
                FlowInstance.State.RUNNING,
                doc_type.form(document),
                doc_type.title(document)[:200],
            )
            instance.save()
            doc_type.on_submitted(document, actor)
            _log(instance, Kind.RESUBMIT, actor)
        else:
            definition = published_flow(doc_type_key)
            if definition is None:
                raise ValidationError(_("No approval flow is published for %(type)s.") % {"type": doc_type.label})
            try:
                with transaction.atomic():
                    instance = FlowInstance.objects.create(
                        definition=definition,
                        doc_type=doc_type_key,
                        object_id=document.pk,
                        title=doc_type.title(document)[:200],
                        submitter=actor,
                        form=doc_type.form(document),
                    )
            except IntegrityError:  # someone submitted it at the same moment (one open instance per document)
                raise ValidationError(_("This document is already in approval.")) from None
            doc_type.on_submitted(document, actor)
            _log(instance, Kind.SUBMIT, actor)
        _enter(instance, instance.definition.graph["start"])
        instance.save()
    return instance


# --- acting on a task -------------------------------------------------------------------------
def _open_task(actor, task_id, *, kinds=(Task.Kind.APPROVAL,), phone: bool = False):
    """Lock the task's instance and return (instance, task) when `actor` may act on it now."""
    task = FlowTask.objects.filter(pk=task_id).only("instance_id", "assignee_id").first()
    if task is None or task.assignee_id != actor.pk:
        raise Http404
    instance = _locked_instance(task.instance_id)
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


def _apply_changes(instance, task, changes: dict | None) -> list[dict]:
    """Approvers' corrections to the fields their step lets them edit; returns the trail's before/after list."""
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
    cleaned = doc_type.clean_changes(document, instance.form, changed)
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
        task.state, task.result, task.acted_at = Task.State.DONE, "approved", timezone.now()
        task.save(update_fields=["state", "result", "acted_at"])
        _log(instance, Kind.APPROVE, actor, task=task, comment=comment, changes=trail)
        _after_approval(instance, task)
        instance.save()
    return instance


def reject(actor, task_id, comment: str, *, phone: bool = False):
    """End the flow: the document goes back to draft with the reason."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why you reject it.")})
    with transaction.atomic():
        instance, task = _open_task(actor, task_id, phone=phone)
        task.state, task.result, task.acted_at = Task.State.DONE, "rejected", timezone.now()
        task.save(update_fields=["state", "result", "acted_at"])
        _log(instance, Kind.REJECT, actor, task=task, comment=comment)
        _back_to_draft(instance, FlowInstance.State.REJECTED, comment)

        def make():
            return _("Rejected: %(title)s") % {"title": instance.title}, f"{actor.display_name}: {comment}"

        _notify([instance.submitter], make, instance_url(instance), level="warning")
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
        task.state, task.result, task.acted_at = Task.State.DONE, "returned", timezone.now()
        task.save(update_fields=["state", "result", "acted_at"])
        _log(instance, Kind.RETURN, actor, task=task, comment=comment, detail=targets[to])
        if to == "submitter":
            _back_to_draft(instance, FlowInstance.State.RETURNED, comment)

            def make():
                return _("Returned to you: %(title)s") % {"title": instance.title}, f"{actor.display_name}: {comment}"

            _notify([instance.submitter], make, instance_url(instance), level="warning")
        else:
            _close_open_tasks(instance)
            _enter(instance, to)
            instance.save()
    return instance


def resubmit(actor, instance_id) -> FlowInstance:
    """Send an approval returned to its submitter through its flow again, with the document as it is now."""
    instance = FlowInstance.objects.filter(pk=instance_id).first()
    if instance is None or instance.submitter_id != actor.pk:
        raise Http404
    if instance.state != FlowInstance.State.RETURNED:
        raise TaskClosed(_("Only an approval returned to you can be resubmitted."))
    doc_type = doc_type_or_404(instance.doc_type)
    return submit(actor, instance.doc_type, doc_type.get_document(instance.object_id))


def withdraw(actor, instance_id, comment: str = "") -> FlowInstance:
    """The submitter takes the document back while no approver has acted yet (or after it was returned)."""
    with transaction.atomic():
        instance = _locked_instance(instance_id)
        if instance is None or instance.submitter_id != actor.pk:
            raise Http404
        if not instance.is_open:
            raise TaskClosed(_("This approval has already ended."))
        if not can_withdraw(actor, instance):
            raise ValidationError(_("An approver has already acted on it; it can no longer be withdrawn."))
        _log(instance, Kind.WITHDRAW, actor, comment=comment)
        _back_to_draft(instance, FlowInstance.State.WITHDRAWN, comment or str(_("Withdrawn")))
        instance.finished_at = timezone.now()
        instance.save()
    return instance


def can_withdraw(user, instance) -> bool:
    """The submitter may take it back after it was returned to them, or while no approver has acted yet."""
    if instance.submitter_id != user.pk or not instance.is_open:
        return False
    return instance.state == FlowInstance.State.RETURNED or not has_been_acted_on(instance)


def has_been_acted_on(instance) -> bool:
    last_start = (
        FlowAction.objects.filter(instance=instance, kind__in=[Kind.SUBMIT, Kind.RESUBMIT]).aggregate(m=Max("id"))["m"]
        or 0
    )
    return FlowAction.objects.filter(
        instance=instance,
        id__gt=last_start,
        actor__isnull=False,
        kind__in=[Kind.APPROVE, Kind.REJECT, Kind.RETURN, Kind.TRANSFER, Kind.ADD_SIGNER],
    ).exists()


def _check_person(user, actor, field: str, instance=None) -> None:
    if user is None or not user.is_active or user.status != User.Status.ACTIVE:
        raise ValidationError({field: _("Choose someone who is still with the company.")})
    if user.pk == actor.pk:
        raise ValidationError({field: _("Choose someone other than yourself.")})
    if instance is not None and user.pk == instance.submitter_id:
        raise ValidationError({field: _("The submitter cannot approve their own document.")})


def transfer(actor, task_id, to_user, comment: str = "", *, phone: bool = False):
    """Hand my task to someone else; they decide in my place."""
    _check_person(to_user, actor, "to_user")
    with transaction.atomic():
        instance, task = _open_task(actor, task_id, kinds=(Task.Kind.APPROVAL, Task.Kind.REVIEW), phone=phone)
        _check_person(to_user, actor, "to_user", instance)
        _move_task(instance, task, to_user, Kind.TRANSFER, actor, comment)
    return instance


def _move_task(instance, task, to_user, kind, actor, comment=""):
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
    _log(instance, kind, actor, task=task, comment=comment, detail=to_user.display_name)
    _announce([new], instance)
    return new


def add_signer(actor, task_id, signer, position: str, comment: str = "", *, phone: bool = False):
    """加签: ask `signer` to approve this step too — before me (I decide after them) or after me (I approve now,
    the step waits for them)."""
    if position not in ("before", "after"):
        raise ValidationError({"position": _("Choose before or after yourself.")})
    _check_person(signer, actor, "signer")
    with transaction.atomic():
        instance, task = _open_task(actor, task_id, phone=phone)
        _check_person(signer, actor, "signer", instance)
        if (
            _node_tasks(instance, task)
            .filter(assignee=signer, state__in=[Task.State.OPEN, Task.State.WAITING])
            .exists()
        ):
            raise ValidationError({"signer": _("%(name)s already has this step.") % {"name": signer.display_name}})
        label = _("before me") if position == "before" else _("after me")
        _log(instance, Kind.ADD_SIGNER, actor, task=task, comment=comment, detail=f"{signer.display_name} · {label}")
        node = instance.definition.node(task.node_id) or {}
        if position == "before":
            task.state = Task.State.WAITING
            task.save(update_fields=["state"])
            added = _create_task(
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
            _announce([added], instance)
        else:
            task.state, task.result, task.acted_at = Task.State.DONE, "approved", timezone.now()
            task.save(update_fields=["state", "result", "acted_at"])
            _log(instance, Kind.APPROVE, actor, task=task)
            if node.get("mode", "any") == "any" and not task.added:
                others = _node_tasks(instance, task).filter(state__in=[Task.State.OPEN, Task.State.WAITING])
                others.exclude(pk=task.pk).update(state=Task.State.CANCELLED, acted_at=timezone.now())
            added = _create_task(
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
            _announce([added], instance)
        instance.save()
    return instance


def acknowledge(actor, task_id, comment: str = "") -> FlowInstance:
    """A reviewer (审阅) confirms they have read the document; it never holds the flow up."""
    with transaction.atomic():
        task = FlowTask.objects.filter(pk=task_id, assignee=actor).first()
        if task is None:
            raise Http404
        instance = _locked_instance(task.instance_id)
        task.refresh_from_db()
        if task.kind not in (Task.Kind.REVIEW, Task.Kind.CC) or task.state != Task.State.OPEN:
            raise TaskClosed(_("This was already handled."))
        task.state, task.result, task.acted_at = Task.State.DONE, "acknowledged", timezone.now()
        task.save(update_fields=["state", "result", "acted_at"])
        if task.kind == Task.Kind.REVIEW:
            _log(instance, Kind.ACKNOWLEDGE, actor, task=task, comment=comment)
    return instance


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
        instance = _locked_instance(instance_id)
        if instance is None or not can_view(actor, instance):
            raise Http404
        if not may_comment(actor, instance):
            raise PermissionDenied(_("Only the people taking part in this approval can comment on it."))
        return _log(instance, Kind.COMMENT, actor, comment=text.strip(), detail="")


# --- who may see an instance ------------------------------------------------------------------
def is_participant(user, instance) -> bool:
    return (
        instance.submitter_id == user.pk
        or FlowTask.objects.filter(Q(assignee=user) | Q(on_behalf_of=user), instance=instance).exists()
    )


def may_comment(user, instance) -> bool:
    return is_participant(user, instance) or has_module_perm(user, "approvals", "manage")


def can_view(user, instance) -> bool:
    if not user.is_authenticated:
        return False
    if FlowInstance.objects.visible_to(user).filter(pk=instance.pk).exists():
        return True
    doc_type = registry.get(instance.doc_type)
    if doc_type is None:
        return False
    try:
        document = doc_type.get_document(instance.object_id)
    except doc_type.model.DoesNotExist:
        return False
    return bool(doc_type.can_view(user, document))


def get_instance_for_user(user, pk) -> FlowInstance:
    instance = FlowInstance.objects.select_related("definition", "submitter").filter(pk=pk).first()
    if instance is None or not can_view(user, instance):
        raise Http404
    return instance


# --- delegation -------------------------------------------------------------------------------
def set_delegation(actor, user, delegate, starts_on, ends_on, doc_types=(), reason: str = "") -> Delegation:
    """While `user` is away, their new approval tasks go to `delegate`. Users set their own; ops set anyone's."""
    if user.pk != actor.pk:
        require_manage(actor)
    errors = {}
    if delegate is None or not delegate.is_active or delegate.status != User.Status.ACTIVE:
        errors["delegate"] = _("Choose someone who is still with the company.")
    elif delegate.pk == user.pk:
        errors["delegate"] = _("Choose someone other than the person who is away.")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The end date is before the start date.")
    unknown = [t for t in doc_types or [] if registry.get(t) is None]
    if unknown:
        errors["doc_types"] = _("Unknown document type: %(types)s") % {"types": ", ".join(unknown)}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk=user.pk))
        overlapping = Delegation.objects.filter(
            user=user, cancelled_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).first()
        if overlapping:
            raise ValidationError(
                {
                    "starts_on": _("%(name)s already delegates to %(delegate)s from %(start)s to %(end)s.")
                    % {
                        "name": user.display_name,
                        "delegate": overlapping.delegate.display_name,
                        "start": overlapping.starts_on,
                        "end": overlapping.ends_on,
                    }
                }
            )
        return Delegation.objects.create(
            user=user,
            delegate=delegate,
            starts_on=starts_on,
            ends_on=ends_on,
            doc_types=list(doc_types or []),
            reason=reason[:200],
            created_by=actor,
        )


def cancel_delegation(actor, delegation: Delegation) -> None:
    if delegation.user_id != actor.pk:
        require_manage(actor)
    Delegation.objects.filter(pk=delegation.pk, cancelled_at__isnull=True).update(cancelled_at=timezone.now())


# --- time-outs --------------------------------------------------------------------------------
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
            instance = _locked_instance(task.instance_id)
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
                and superior.pk != instance.submitter_id
                and not _holds_step(instance, task.node_id, task.visit, superior)
            )
            if can_escalate:
                _move_task(instance, task, superior, Kind.ESCALATE, None, "")
                counts["escalated"] += 1
                continue
            _log(instance, Kind.REMIND, task=task, detail=task.assignee.display_name)

            def make(task=task, instance=instance):
                return _("Overdue approval: %(title)s") % {"title": instance.title}, task.node_name

            _notify([task.assignee], make, instance_url(instance), level="warning")
            counts["reminded"] += 1
    return counts
