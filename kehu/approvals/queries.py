"""The read side of approvals: the inboxes (to-do, done, submitted by me, copied to me, all) and counts."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.approvals.models import Delegation, FlowAction, FlowInstance, FlowTask

Task = FlowTask


# What an inbox row shows: the task, its approval's title and type, the submitter's and principal's names.
ROW_FIELDS = (
    "id",
    "node_id",  # the API's task shows it: deferred, it would be one query a row
    "node_name",
    "kind",
    "state",
    "result",
    "created_at",
    "due_at",
    "acted_at",
    "assignee_id",
    "instance__id",
    "instance__title",
    "instance__doc_type",
    "instance__state",
    "instance__started_at",
    "instance__submitter__id",
    "instance__submitter__name",
    "instance__submitter__username",
    "on_behalf_of__id",
    "on_behalf_of__name",
    "on_behalf_of__username",
)


def todo_tasks(user):
    """My open approvals and reviews, newest first (the to-do list, 待办)."""
    return (
        FlowTask.objects.filter(assignee=user, state=Task.State.OPEN, kind__in=[Task.Kind.APPROVAL, Task.Kind.REVIEW])
        .select_related("instance__submitter", "on_behalf_of")
        .only(*ROW_FIELDS)
        .order_by("-created_at", "-id")
    )


def todo_count(user) -> int:
    if not user.is_authenticated:
        return 0
    cached = user.__dict__.get("_kehu_todos")
    if cached is None:
        cached = FlowTask.objects.filter(
            assignee=user, state=Task.State.OPEN, kind__in=[Task.Kind.APPROVAL, Task.Kind.REVIEW]
        ).count()
        user.__dict__["_kehu_todos"] = cached
    return cached


def unread_cc_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return FlowTask.objects.filter(assignee=user, state=Task.State.OPEN, kind=Task.Kind.CC).count()


def done_tasks(user):
    """What I handled (已办): approved, rejected, returned, transferred, acknowledged — latest first."""
    return (
        FlowTask.objects.filter(assignee=user, state=Task.State.DONE, kind__in=[Task.Kind.APPROVAL, Task.Kind.REVIEW])
        .select_related("instance__submitter", "on_behalf_of")
        .only(*ROW_FIELDS)
        .order_by("-acted_at", "-id")
    )


def cc_tasks(user):
    return (
        FlowTask.objects.filter(assignee=user, kind=Task.Kind.CC)
        .select_related("instance__submitter", "on_behalf_of")
        .only(*ROW_FIELDS)
        .order_by("-created_at", "-id")
    )


TASK_BOXES = {"todo": todo_tasks, "done": done_tasks, "cc": cc_tasks}
INSTANCE_BOXES = ("mine", "involved", "all")


def tasks_for(user, box: str):
    """My tasks in a box: "todo" (the default), "done" or "cc"."""
    return TASK_BOXES.get(box, todo_tasks)(user)


def instances_for(user, box: str):
    """Approvals from `visible_to(user)`: "mine" (submitted by me, the default), "involved" (I had a task in it)
    or "all" (everything the user may see: all of them for approvals.manage)."""
    queryset = FlowInstance.objects.visible_to(user).select_related("submitter", "definition")
    if box == "involved":
        queryset = queryset.filter(
            pk__in=FlowTask.objects.filter(Q(assignee=user) | Q(on_behalf_of=user)).values("instance_id")
        )
    elif box != "all":
        queryset = queryset.filter(submitter=user)
    return queryset.order_by("-started_at", "-id")


def delegations_for(user):
    return Delegation.objects.visible_to(user).select_related("user", "delegate").order_by("-starts_on", "-id")


def remember_todo_count(user, count: int) -> None:
    """The to-do page counted the list already: the menu badge (`todo_count`) uses that count."""
    user.__dict__["_kehu_todos"] = count


def filter_instances(queryset, *, q: str = "", doc_type: str = "", state: str = "", prefix: str = ""):
    """Narrow a task or instance queryset by title words, document type and state (`prefix` reaches the
    instance from a task queryset)."""
    if q:
        queryset = queryset.filter(Q(**{f"{prefix}title__icontains": q}))
    if doc_type:
        queryset = queryset.filter(**{f"{prefix}doc_type": doc_type})
    if state:
        queryset = queryset.filter(**{f"{prefix}state": state})
    return queryset


def current_assignees(instances) -> dict[int, list[str]]:
    """For a page of instances: who holds their open approval tasks now (one query)."""
    result: dict[int, list[str]] = {}
    rows = FlowTask.objects.filter(
        instance__in=[i.pk for i in instances], state=Task.State.OPEN, kind=Task.Kind.APPROVAL
    ).values_list("instance_id", "assignee__name")
    for instance_id, name in rows:
        result.setdefault(instance_id, []).append(name)
    return result


def diagram_states(instance) -> dict:
    """Node states for an instance's diagram: steps passed, the current one, the end when approved."""
    from kehu.approvals.graph import END

    states = {node_id: "done" for node_id in instance.path}
    if instance.is_open and instance.current_node:
        states[instance.current_node] = "current"
    if instance.state == FlowInstance.State.APPROVED:
        states[END] = "done"
    states["__start"] = "done"
    return states


def step_people(instance) -> dict[str, list[str]]:
    """Who each approval step of an instance concerns, by name: for a step reached, its task holders (those who
    acted, hold it or wait their turn) of the latest visit; for a step still ahead on a running instance, who its
    rule names now (it may change by the time it is reached)."""
    from kehu.approvals.routing import resolve_approvers

    people: dict[str, list[str]] = {}
    latest: dict[str, int] = {}
    tasks = (
        FlowTask.objects.filter(instance=instance, round=instance.round)
        .exclude(kind=Task.Kind.CC)
        .exclude(state=Task.State.CANCELLED)
        .select_related("assignee")
        .order_by("node_id", "-visit", "sequence", "pk")
    )
    for task in tasks:
        if latest.setdefault(task.node_id, task.visit) == task.visit:
            people.setdefault(task.node_id, []).append(task.assignee.display_name)
    if instance.is_open:
        for node_id, node in (instance.definition.graph.get("nodes") or {}).items():
            if node_id in people or node.get("type") != "approval":
                continue
            names = [u.display_name for u in resolve_approvers(node.get("approvers"), instance)]
            names = [n for n in names if n != instance.submitter.display_name]
            if names:
                people[node_id] = names[:5] + (["…"] if len(names) > 5 else [])
    return people


def document_approvals(doc_type_key: str, object_id) -> list[dict]:
    """Every approval of one document, latest first, with its diagram and trail, for the document's page
    (the caller has already checked the user may see the document)."""
    from kehu.approvals import graph, registry
    from kehu.approvals.trail import verify_trail

    doc_type = registry.get(doc_type_key)
    instances = list(
        FlowInstance.objects.for_document(doc_type_key, object_id).select_related("definition", "submitter")
    )
    actions = {}
    rows = FlowAction.objects.filter(instance__in=instances).select_related("actor", "on_behalf_of")
    for action in with_shown_changes(list(rows), doc_type):
        actions.setdefault(action.instance_id, []).append(action)
    return [
        {
            "instance": instance,
            "actions": actions.get(instance.pk, []),
            "diagram": graph.layout(
                instance.definition.graph,
                doc_type,
                states=diagram_states(instance),
                people=step_people(instance),
            ),
            "trail_intact": verify_trail(instance),
        }
        for instance in instances
    ]


def with_shown_changes(actions, doc_type):
    """Give each trail entry `shown_changes`: the corrected fields with label and values in the reader's language
    (the stored texts are the approver's; the stored raw values are displayed again)."""
    for action in actions:
        shown = []
        for change in action.changes or []:
            spec = doc_type.field(change.get("field", "")) if doc_type else None
            if spec is not None and "before_value" in change:
                shown.append(
                    {
                        "label": spec.label,
                        "before": spec.display(change["before_value"]),
                        "after": spec.display(change["after_value"]),
                    }
                )
            else:
                shown.append(change)
        action.shown_changes = shown
    return actions


def _doc_type_choices():
    from kehu.approvals import registry

    return [(t.key, t.label) for t in registry.all_types()]


class InstanceFilter(django_filters.FilterSet):
    """The inboxes' filters (page and API): words of the title, document type, state."""

    q = django_filters.CharFilter(label=_("Search"), field_name="title", lookup_expr="icontains")
    type = django_filters.ChoiceFilter(label=_("Type"), field_name="doc_type", choices=_doc_type_choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=FlowInstance.State.choices)

    class Meta:
        model = FlowInstance
        fields = ["q", "type", "state"]


class TaskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="instance__title", lookup_expr="icontains")
    type = django_filters.ChoiceFilter(label=_("Type"), field_name="instance__doc_type", choices=_doc_type_choices)

    class Meta:
        model = FlowTask
        fields = ["q", "type"]
