"""A flow's graph: nodes keyed by id, each pointing at the next (`"end"` finishes the flow); a branch node
points at one target per condition plus a default. `check` refuses what cannot run (and says which node);
`layout` places the nodes for the diagram in the designer and on every document's trail.

    {"start": "n1", "nodes": {
        "n1": {"type": "approval", "name": "部门主管", "approvers": {"kind": "department_head"},
               "mode": "any", "next": "b1", "timeout_hours": 24, "timeout_action": "remind",
               "pc_only": false, "editable_fields": ["level"], "if_no_approver": "skip"},
        "b1": {"type": "branch", "name": "级别", "branches": [
                  {"name": "A 级", "condition": {"field": "level", "op": "eq", "value": "A"}, "next": "n2"}],
               "default": "end"},
        "n2": {"type": "approval", "name": "销售总监", "approvers": {"kind": "role", "role": 3}, "next": "end"}}}
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kehu.approvals import conditions

END = "end"
NODE_TYPES = {
    "approval": gettext_lazy("Approval"),
    "review": gettext_lazy("Review"),
    "cc": gettext_lazy("Carbon copy"),
    "branch": gettext_lazy("Condition branch"),
}
MODES = {
    "any": gettext_lazy("Any one approves"),
    "all": gettext_lazy("All approve"),
    "sequence": gettext_lazy("One after another"),
}
APPROVER_KINDS = {
    "users": gettext_lazy("Named people"),
    "role": gettext_lazy("Everyone with a role"),
    "department_head": gettext_lazy("Submitter's department head"),
    "superior": gettext_lazy("Submitter's superior (N levels up)"),
    "field": gettext_lazy("A person field of the document"),
}
TIMEOUT_ACTIONS = {"remind": gettext_lazy("Remind"), "escalate": gettext_lazy("Escalate to their superior")}
NO_APPROVER = {"skip": gettext_lazy("Skip the step"), "ops": gettext_lazy("Send to sales operations")}
MAX_NODES = 60


def targets(node: dict) -> list[str]:
    if node.get("type") == "branch":
        return [b.get("next") for b in node.get("branches") or [] if isinstance(b, dict)] + [node.get("default")]
    return [node.get("next") or END]


def check(graph, doc_type) -> None:
    """Raise ValidationError keyed by node id (or "__all__") when the flow cannot be published."""
    errors: dict[str, list[str]] = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), dict) or not graph["nodes"]:
        raise ValidationError({"__all__": [_("The flow has no steps.")]})
    nodes: dict = graph["nodes"]
    if len(nodes) > MAX_NODES:
        add("__all__", _("A flow can have at most %(n)s steps.") % {"n": MAX_NODES})
    start = graph.get("start")
    if start not in nodes:
        add("__all__", _("The flow does not say which step comes first."))
    for node_id, node in nodes.items():
        if not isinstance(node, dict):
            add(node_id, _("This step is empty."))
            continue
        label = _step_label(node_id, node)
        for problem in _node_problems(node, doc_type, nodes):
            add(node_id, _("%(reason)s: %(detail)s") % {"reason": label, "detail": problem})
    if start in nodes:
        reached, cycle_at = _walk(nodes, start)
        for node_id in nodes:
            if node_id not in reached and isinstance(nodes[node_id], dict):
                add(
                    node_id, _("%(step)s: no path leads to this step.") % {"step": _step_label(node_id, nodes[node_id])}
                )
        if cycle_at:
            add(cycle_at, _("%(step)s: the flow loops back here.") % {"step": _step_label(cycle_at, nodes[cycle_at])})
    if errors:
        raise ValidationError(errors)


def _step_label(node_id, node) -> str:
    name = str(node.get("name") or "").strip() if isinstance(node, dict) else ""
    return _("Step “%(name)s”") % {"name": name or node_id}


def _node_problems(node, doc_type, nodes) -> list[str]:
    from kehu.org.models import Role, User

    problems = []
    kind = node.get("type")
    if kind not in NODE_TYPES:
        return [_("unknown kind of step.")]
    if not str(node.get("name") or "").strip():
        problems.append(_("give the step a name."))
    outs = targets(node)
    for index, target in enumerate(outs):
        if target in (None, ""):
            is_default = kind == "branch" and index == len(outs) - 1  # `targets` puts the default last
            problems.append(
                _("the branch has no default (otherwise) path.")
                if is_default
                else _("says nothing about where to go next.")
            )
        elif target != END and target not in nodes:
            problems.append(_("leads to a step that does not exist (%(id)s).") % {"id": target})
    if kind == "branch":
        branches = node.get("branches")
        if not isinstance(branches, list) or not branches:
            problems.append(_("a condition branch needs at least one condition."))
            branches = []
        for branch in branches:
            if not isinstance(branch, dict):
                problems.append(_("a branch is empty."))
                continue
            for problem in conditions.validate(branch.get("condition"), doc_type):
                problems.append(
                    _("%(reason)s: %(detail)s") % {"reason": branch.get("name") or _("branch"), "detail": problem}
                )
        return problems
    rule = node.get("approvers")
    rule_kind = rule.get("kind") if isinstance(rule, dict) else None
    if rule_kind not in APPROVER_KINDS:
        problems.append(_("choose who handles this step."))
    elif rule_kind == "users":
        chosen = rule.get("users") if isinstance(rule.get("users"), list) else []
        ids = {int(i) for i in chosen if str(i).isdecimal()}
        if not ids or len(chosen) != sum(1 for i in chosen if str(i).isdecimal()):
            problems.append(_("choose at least one person."))
        elif User.objects.filter(pk__in=ids, status=User.Status.ACTIVE).count() != len(ids):
            problems.append(_("someone chosen has left the company or does not exist."))
    elif rule_kind == "role":
        if not str(rule.get("role") or "").isdigit() or not Role.objects.filter(pk=rule["role"]).exists():
            problems.append(_("choose a role."))
    elif rule_kind == "superior":
        level = rule.get("level")
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 10:
            problems.append(_("the superior's level must be between 1 and 10."))
    elif rule_kind == "field":
        spec = doc_type.field(rule.get("field") or "")
        if spec is None or spec.kind != "user":
            problems.append(_("choose a person field of the document."))
    if kind == "approval":
        if node.get("mode", "any") not in MODES:
            problems.append(_("unknown way of signing."))
        hours = node.get("timeout_hours") or 0
        if not isinstance(hours, int) or isinstance(hours, bool) or not 0 <= hours <= 24 * 90:
            problems.append(_("the time-out must be a whole number of hours between 0 and 2160."))
        if node.get("timeout_action", "remind") not in TIMEOUT_ACTIONS:
            problems.append(_("unknown time-out action."))
        if node.get("if_no_approver", "skip") not in NO_APPROVER:
            problems.append(_("unknown choice for when nobody can approve."))
        editable = {f.name for f in doc_type.editable_fields()}
        for name in node.get("editable_fields") or []:
            if name not in editable:
                problems.append(_("approvers cannot edit the field “%(field)s”.") % {"field": name})
    return problems


def _walk(nodes, start):
    """Nodes reachable from start, and a node where a cycle closes (None when there is none)."""
    reached, on_stack, cycle_at = set(), set(), None

    def visit(node_id):
        nonlocal cycle_at
        if node_id == END or node_id not in nodes or not isinstance(nodes[node_id], dict):
            return
        if node_id in on_stack:
            cycle_at = cycle_at or node_id
            return
        if node_id in reached:
            return
        reached.add(node_id)
        on_stack.add(node_id)
        for target in targets(nodes[node_id]):
            visit(target)
        on_stack.discard(node_id)

    visit(start)
    return reached, cycle_at


# --- the diagram ------------------------------------------------------------------------------
BOX_W, BOX_H, GAP_X, GAP_Y = 150, 46, 30, 44


def layout(graph, doc_type=None, *, states: dict | None = None, people: dict | None = None) -> dict:
    """Positions for an SVG diagram: boxes in layers (longest path from the start), arrows between them.
    `states` maps node ids to "done" / "current" / "skipped" for an instance's trail; `people` maps node ids to
    the names of who approved, holds or will approve the step (shown instead of the rule)."""
    people = people or {}
    nodes = graph.get("nodes") or {} if isinstance(graph, dict) else {}
    start = graph.get("start") if isinstance(graph, dict) else None
    states = states or {}
    order: list[str] = []
    depth: dict[str, int] = {"__start": 0}
    edges = []
    if start in nodes:
        _reached, cycle_at = _walk(nodes, start)
        if cycle_at is None:
            order = _topological(nodes, start)
    for node_id in order:
        depth.setdefault(node_id, 1)
    if start in depth:
        depth[start] = max(depth[start], 1)
    edges.append(("__start", start if start in depth else END, ""))
    for node_id in order:
        node = nodes[node_id]
        if node.get("type") == "branch":
            outs = [(b.get("next") or END, b.get("name") or "") for b in node.get("branches") or []]
            outs.append((node.get("default") or END, str(_("Otherwise"))))
        else:
            outs = [(node.get("next") or END, "")]
        for target, label in outs:
            target = target if target in depth or target == END else END
            edges.append((node_id, target, label))
            if target != END:
                depth[target] = max(depth.get(target, 0), depth[node_id] + 1)
    depth[END] = max(depth.values()) + 1
    layers: dict[int, list[str]] = {}
    for node_id in ["__start", *order, END]:
        layers.setdefault(depth[node_id], []).append(node_id)
    width = max(len(ids) for ids in layers.values()) * (BOX_W + GAP_X) + GAP_X
    boxes = {}
    for level, ids in layers.items():
        row_width = len(ids) * (BOX_W + GAP_X) - GAP_X
        for i, node_id in enumerate(ids):
            x = (width - row_width) / 2 + i * (BOX_W + GAP_X)
            y = GAP_Y / 2 + level * (BOX_H + GAP_Y)
            if node_id == "__start":
                name, kind, detail = str(_("Submit")), "start", ""
            elif node_id == END:
                name, kind, detail = str(_("End")), "end", ""
            else:
                node = nodes[node_id]
                name, kind = node.get("name") or node_id, node.get("type")
                rule = describe_node(node, doc_type) if doc_type else ""
                detail = "、".join(people[node_id]) if people.get(node_id) else rule
            boxes[node_id] = {
                "id": node_id,
                "name": name,
                "kind": kind,
                "detail": detail,
                "rule": rule if node_id not in ("__start", END) else "",
                "state": states.get(node_id, ""),
                "x": x,
                "y": y,
                "cx": x + BOX_W / 2,
            }
    arrows = []
    detour = width + 10  # arrows that skip layers run down the right-hand side, clear of the boxes between
    for source, target, label in edges:
        a, b = boxes[source], boxes[target]
        taken = states.get(source) in ("done", "current") and states.get(target) in ("done", "current")
        if depth[target] - depth[source] > 1:
            x1, y1 = a["x"] + BOX_W, a["y"] + BOX_H / 2
            x2, y2 = b["x"] + BOX_W, b["y"] + BOX_H / 2
            d = f"M{x1:.0f},{y1:.0f} C{detour:.0f},{y1:.0f} {detour:.0f},{y2:.0f} {x2 + 2:.0f},{y2:.0f}"
            arrows.append({"d": d, "label": label, "lx": detour - 8, "ly": (y1 + y2) / 2, "taken": taken})
            continue
        x1, y1, x2, y2 = a["cx"], a["y"] + BOX_H, b["cx"], b["y"]
        mid = (y1 + y2) / 2
        arrows.append(
            {
                "d": f"M{x1:.0f},{y1:.0f} C{x1:.0f},{mid:.0f} {x2:.0f},{mid:.0f} {x2:.0f},{y2 - 2:.0f}",
                "label": label,
                "lx": (x1 + x2) / 2,
                "ly": mid + 4,
                "taken": taken,
            }
        )
    if any(depth[t] - depth[s] > 1 for s, t, _label in edges):
        width += 60
    height = (depth[END] + 1) * (BOX_H + GAP_Y)
    return {
        "boxes": list(boxes.values()),
        "arrows": arrows,
        "width": width,
        "height": height,
        "box_w": BOX_W,
        "box_h": BOX_H,
    }


def _topological(nodes, start) -> list[str]:
    seen, result = set(), []

    def visit(node_id):
        if node_id == END or node_id not in nodes or node_id in seen or not isinstance(nodes[node_id], dict):
            return
        seen.add(node_id)
        for target in targets(nodes[node_id]):
            visit(target)
        result.append(node_id)

    visit(start)
    return list(reversed(result))


def describe_node(node: dict, doc_type) -> str:
    """One line under the node's name: who handles it and how."""
    from kehu.org.models import Role, User

    kind = node.get("type")
    if kind == "branch":
        count = len(node.get("branches") or [])
        return ngettext("%(n)s condition", "%(n)s conditions", count) % {"n": count}
    rule = node.get("approvers") or {}
    rule_kind = rule.get("kind")
    if rule_kind == "users":
        names = list(User.objects.filter(pk__in=rule.get("users") or []).values_list("name", flat=True))
        who = "、".join(names[:3]) + ("…" if len(names) > 3 else "")
    elif rule_kind == "role":
        role = Role.objects.filter(pk=rule.get("role") or 0).first()
        who = role.name if role else "?"
    elif rule_kind == "superior":
        who = _("Superior, level %(n)s") % {"n": rule.get("level")}
    elif rule_kind == "field":
        spec = doc_type.field(rule.get("field") or "") if doc_type else None
        who = spec.label if spec else "?"
    elif rule_kind == "department_head":
        who = _("Department head")
    else:
        who = "?"
    if kind == "approval" and node.get("mode") in ("all", "sequence"):
        who = f"{who} · {_('all') if node['mode'] == 'all' else _('in order')}"
    return str(who)
