"""Approval pages: the inboxes, an approval with its form, diagram, actions and trail, the flow designer and
delegations. Every change goes through `services.py`; refusals come back as messages saying why."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kehu.approvals import graph as flowgraph
from kehu.approvals import queries, registry, services
from kehu.approvals.conditions import OPERATORS, OPERATORS_BY_KIND
from kehu.approvals.forms import ActForm, CommentForm, DelegationForm, editable_inputs
from kehu.approvals.models import Delegation, FlowAction, FlowDefinition, FlowInstance, FlowTask
from kehu.approvals.resources import DELEGATIONS, INSTANCES, TASKS
from kehu.core.views import apply_form_errors, require_perm
from kehu.org.models import Role
from kehu.org.scope import has_module_perm

PHONE_AGENTS = ("Mobile", "Android", "iPhone")


def is_phone(request) -> bool:
    """The phone layout: a mobile browser, or the page said it is laid out for a phone (narrow window)."""
    agent = request.META.get("HTTP_USER_AGENT", "")
    return request.POST.get("layout") == "phone" or any(word in agent for word in PHONE_AGENTS)


def _refused(request, exc):
    messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))


# --- inboxes ----------------------------------------------------------------------------------
BOX_TITLES = {
    "todo": gettext_lazy("To-do"),
    "done": gettext_lazy("Done"),
    "mine": gettext_lazy("Submitted by me"),
    "cc": gettext_lazy("Copied to me"),
    "all": gettext_lazy("All approvals"),
}


def _inbox_context(request, context):
    """What an inbox row shows beyond the task or approval: its approval, type label and current holders."""
    box, page = context["tab"], context["page"]
    rows = list(page.object_list)
    params = request.GET
    if box == "todo" and not (params.get("q") or params.get("type")):
        queries.remember_todo_count(request.user, page.paginator.count)
    instances = [r if isinstance(r, FlowInstance) else r.instance for r in rows]
    holders = queries.current_assignees(instances) if box in ("mine", "all") else {}
    types = {t.key: t.label for t in registry.all_types()}
    return {
        "box": box,
        "box_title": str(BOX_TITLES[box]),
        "rows": [
            {"row": r, "instance": i, "holders": holders.get(i.pk, []), "type_label": types.get(i.doc_type, i.doc_type)}
            for r, i in zip(rows, instances, strict=True)
        ],
        "types": types,
        "states": FlowInstance.State.choices,
        "q": params.get("q", "").strip(),
        "doc_type": params.get("type", ""),
        "state": params.get("state", ""),
        "now": timezone.now(),
        "can_manage": request.user.has_perm("approvals.manage"),
    }


inbox_todo = TASKS.page_view("todo", _inbox_context)
inbox_done = TASKS.page_view("done", _inbox_context)
inbox_cc = TASKS.page_view("cc", _inbox_context)
inbox_mine = INSTANCES.page_view("mine", _inbox_context)
inbox_all = INSTANCES.page_view("all", _inbox_context)


# --- one approval -----------------------------------------------------------------------------
def instance_context(request, instance) -> dict:
    """What the approval page and a document's approval tab show: form, diagram, trail and my actions."""
    doc_type = registry.get(instance.doc_type)
    user = request.user
    my_task = (
        FlowTask.objects.filter(instance=instance, assignee=user, state=FlowTask.State.OPEN)
        .order_by("kind", "pk")
        .first()
        if instance.state == FlowInstance.State.RUNNING
        else None
    )
    node = instance.definition.node(my_task.node_id) if my_task else None
    editable = node.get("editable_fields") or [] if node and my_task.kind == FlowTask.Kind.APPROVAL else []
    fields = [
        {"name": f.name, "label": f.label, "value": f.display(instance.form.get(f.name)), "multiline": f.multiline}
        for f in (doc_type.fields if doc_type else [])
    ]
    actions = queries.with_shown_changes(
        list(FlowAction.objects.filter(instance=instance).select_related("actor", "on_behalf_of")), doc_type
    )
    tasks = list(FlowTask.objects.filter(instance=instance).select_related("assignee", "on_behalf_of").order_by("pk"))
    document_url = ""
    if doc_type:
        try:
            document_url = doc_type.get_document(instance.object_id).approval_url()
        except doc_type.model.DoesNotExist:
            document_url = ""
    return {
        "instance": instance,
        "doc_type": doc_type,
        "fields": fields,
        "my_task": my_task,
        "node": node or {},
        "editable": editable_inputs(doc_type, instance.form, editable) if doc_type else [],
        "return_targets": services.return_targets(instance, my_task) if my_task else [],
        "act_form": ActForm(),
        "comment_form": CommentForm(),
        "actions": actions,
        "open_tasks": [
            t for t in tasks if t.state in (FlowTask.State.OPEN, FlowTask.State.WAITING) and t.kind != FlowTask.Kind.CC
        ],
        "diagram": flowgraph.layout(
            instance.definition.graph,
            doc_type,
            states=queries.diagram_states(instance),
            people=queries.step_people(instance),
        ),
        "can_withdraw": services.can_withdraw(user, instance),
        "trail_intact": services.verify_trail(instance),
        "can_comment": services.may_comment(user, instance),
        "document_url": document_url,
        "pc_only_here": bool(node and node.get("pc_only")),
    }


@login_required
def instance_detail(request, pk):
    instance = services.get_instance_for_user(request.user, pk)
    context = instance_context(request, instance)
    services.mark_copies_read(request.user, instance)
    return render(request, "approvals/instance.html", context)


def _done_message(action: str, data: dict) -> str:
    if action == "transfer":
        return _("Handed to %(name)s.") % {"name": data["to_user"].display_name}
    if action == "add_signer":
        return _("%(name)s was added as a signer.") % {"name": data["signer"].display_name}
    return {
        "approve": _("Approved."),
        "reject": _("Rejected; the document is back with its submitter."),
        "return": _("Returned."),
    }.get(action, _("Marked as read."))


@login_required
@require_POST
def task_act(request, pk):
    task = FlowTask.objects.filter(pk=pk, assignee=request.user).select_related("instance").first()
    if task is None:
        raise Http404
    form = ActForm(request.POST)
    back = reverse("approvals:instance", kwargs={"pk": task.instance_id})
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''} {' '.join(errors)}")
        return redirect(back)
    data, phone = form.cleaned_data, is_phone(request)
    action, comment = data["action"], data["comment"]
    changes = {k[2:]: v for k, v in request.POST.items() if k.startswith("f_")}
    try:
        services.act(
            request.user,
            task.pk,
            action,
            comment,
            changes=changes,
            to=data["to"],
            to_user=data["to_user"],
            signer=data["signer"],
            position=data["position"],
            phone=phone,
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
        return redirect(back)
    messages.success(request, _done_message(action, data))
    if action in ("approve", "reject", "return", "transfer") or (
        action == "add_signer" and data["position"] != "before"
    ):
        nxt = queries.todo_tasks(request.user).first()
        if nxt:
            return redirect("approvals:instance", pk=nxt.instance_id)
        return redirect("approvals:todo")
    return redirect(back)


@login_required
@require_POST
def instance_withdraw(request, pk):
    try:
        services.withdraw(request.user, pk, request.POST.get("comment", ""))
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Withdrawn; the document is a draft again."))
    return redirect("approvals:instance", pk=pk)


@login_required
@require_POST
def instance_resubmit(request, pk):
    try:
        services.resubmit(request.user, pk)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Submitted for approval."))
    return redirect("approvals:instance", pk=pk)


@login_required
@require_POST
def instance_comment(request, pk):
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment(request.user, pk, form.cleaned_data["comment"])
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Comment added."))
    else:
        services.get_instance_for_user(request.user, pk)
        messages.error(request, _("Write a comment."))
    return redirect(reverse("approvals:instance", kwargs={"pk": pk}) + "#trail")


# --- flows ------------------------------------------------------------------------------------
@login_required
def flow_list(request):
    require_perm(request, "approvals", "manage")
    definitions = list(FlowDefinition.objects.select_related("published_by", "created_by"))
    rows = []
    for doc_type in registry.all_types():
        versions = [d for d in definitions if d.doc_type == doc_type.key]
        rows.append(
            {
                "type": doc_type,
                "published": next((d for d in versions if d.status == FlowDefinition.Status.PUBLISHED), None),
                "draft": next((d for d in versions if d.status == FlowDefinition.Status.DRAFT), None),
                "versions": versions,
            }
        )
    return render(request, "approvals/flow_list.html", {"rows": rows})


def _designer_catalog(doc_type) -> dict:
    """What the designer's pickers offer: fields (with operators and values), roles, people."""
    from kehu.org.forms import active_people, person_label

    return {
        "fields": [
            {
                "name": f.name,
                "label": str(f.label),
                "kind": f.kind,
                "choices": f.choice_list(),
                "editable": f.editable,
                "condition": f.condition,
                "ops": [[op, str(OPERATORS[op])] for op in OPERATORS_BY_KIND[f.kind]],
            }
            for f in doc_type.fields
        ],
        "roles": [[r.pk, r.name] for r in Role.objects.order_by("pk")],
        "users": [[u.pk, person_label(u)] for u in active_people()],
        "types": {k: str(v) for k, v in flowgraph.NODE_TYPES.items()},
        "modes": {k: str(v) for k, v in flowgraph.MODES.items()},
        "approver_kinds": {k: str(v) for k, v in flowgraph.APPROVER_KINDS.items()},
        "timeout_actions": {k: str(v) for k, v in flowgraph.TIMEOUT_ACTIONS.items()},
        "no_approver": {k: str(v) for k, v in flowgraph.NO_APPROVER.items()},
    }


STARTER = {
    "start": "n1",
    "nodes": {
        "n1": {
            "type": "approval",
            "name": "",
            "approvers": {"kind": "department_head"},
            "mode": "any",
            "next": "end",
        }
    },
}


@login_required
def flow_design(request, doc_type):
    require_perm(request, "approvals", "manage")
    doc_type = services.doc_type_or_404(doc_type)
    version = request.GET.get("version")
    definitions = FlowDefinition.objects.filter(doc_type=doc_type.key)
    definition = (
        get_object_or_404(definitions, version=version)
        if str(version or "").isdigit()
        else definitions.filter(status=FlowDefinition.Status.DRAFT).first()
        or definitions.filter(status=FlowDefinition.Status.PUBLISHED).first()
    )
    errors = {}
    graph_shown = definition.graph if definition else STARTER
    name_shown = definition.name if definition else str(doc_type.label)
    if request.method == "POST":
        # A refused publish keeps the work as a draft and shows it again with the problems, per step.
        try:
            graph = json.loads(request.POST.get("graph") or "{}")
        except ValueError:
            graph = None
        name_shown = request.POST.get("name", "")
        graph_shown = graph if isinstance(graph, dict) else graph_shown
        try:
            definition = services.save_draft(request.user, doc_type.key, name_shown, graph, definition)
            if request.POST.get("publish"):
                services.publish(request.user, definition)
                messages.success(
                    request, _("Version %(v)s published; new submissions use it.") % {"v": definition.version}
                )
                return redirect("approvals:flows")
            messages.success(request, _("Draft saved (version %(v)s).") % {"v": definition.version})
            url = reverse("approvals:flow_design", kwargs={"doc_type": doc_type.key})
            return redirect(f"{url}?version={definition.version}")
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return render(
        request,
        "approvals/flow_design.html",
        {
            "doc_type": doc_type,
            "definition": definition,
            "graph_json": graph_shown,
            "flow_name": name_shown,
            "errors": errors,
            "catalog": _designer_catalog(doc_type),
            "diagram": flowgraph.layout(graph_shown, doc_type),
            "read_only": bool(definition and definition.status != FlowDefinition.Status.DRAFT),
        },
    )


@login_required
@require_POST
def flow_preview(request, doc_type):
    """The designer's live diagram and problems (htmx): nothing is saved."""
    require_perm(request, "approvals", "manage")
    doc_type = services.doc_type_or_404(doc_type)
    try:
        graph = json.loads(request.POST.get("graph") or "{}")
    except ValueError:
        graph = {}
    errors = {}
    try:
        flowgraph.check(graph, doc_type)
    except ValidationError as exc:
        errors = exc.message_dict
    return render(
        request,
        "approvals/_designer_preview.html",
        {"diagram": flowgraph.layout(graph if isinstance(graph, dict) else {}, doc_type), "errors": errors},
    )


@login_required
@require_POST
def flow_turn_off(request, doc_type):
    require_perm(request, "approvals", "manage")
    if services.turn_off(request.user, doc_type):
        messages.success(request, _("Approval is no longer required for new documents of this type."))
    return redirect("approvals:flows")


# --- delegation -------------------------------------------------------------------------------
@login_required
def delegations(request):
    manage = has_module_perm(request.user, "approvals", "manage")
    form = DelegationForm(request.POST or None, actor=request.user, manage=manage)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_delegation(
                request.user,
                data["user"],
                data["delegate"],
                data["starts_on"],
                data["ends_on"],
                data["doc_types"],
                data["reason"],
            )
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError):
                apply_form_errors(form, exc)
            else:
                form.add_error(None, str(exc))
        else:
            messages.success(request, _("Delegation saved."))
            return redirect("approvals:delegations")
    types = {t.key: t.label for t in registry.all_types()}
    context = DELEGATIONS.page_context(request)
    return render(request, "approvals/delegations.html", {**context, "form": form, "manage": manage, "types": types})


@login_required
@require_POST
def delegation_cancel(request, pk):
    delegation = get_object_or_404(Delegation, pk=pk)
    if delegation.user_id != request.user.pk and not has_module_perm(request.user, "approvals", "manage"):
        raise Http404
    services.cancel_delegation(request.user, delegation)
    messages.success(request, _("Delegation ended."))
    return redirect("approvals:delegations")
