"""Approvals are not owned records: an approval is visible to its submitter, its task holders (and the people they
act for) and approvals.manage (`FlowInstance.objects.visible_to`; `services.can_view` adds whoever may see the
document). Withdraw and resubmit are the submitter's, a task decision is its holder's; anyone else gets 404."""

from kehu.approvals.models import FlowAction, FlowInstance, FlowTask
from kehu.core.leakcheck import Call, action_route, scoped, unscoped

LEAK_MARK = "LEAK-CHECK"


def _title(instance):
    return instance.title.split(" · ")[-1]


def _task_title(task):
    return _title(task.instance)


def _withdraw(instance, person):
    withdrawn = FlowInstance.objects.filter(pk=instance.pk, state=FlowInstance.State.WITHDRAWN)
    return Call(kwargs={"pk": instance.pk}, data={"comment": LEAK_MARK}, changed=withdrawn.exists)


def _resubmit(instance, person):
    """Returned to the submitter first (by the real decision of its task holder), then sent again."""
    from kehu.approvals import services

    task = FlowTask.objects.filter(instance=instance, state=FlowTask.State.OPEN, kind=FlowTask.Kind.APPROVAL).first()
    services.act(task.assignee, task.pk, "return", LEAK_MARK, to="submitter")
    running = FlowInstance.objects.for_document(instance.doc_type, instance.object_id).filter(
        state=FlowInstance.State.RUNNING
    )
    return Call(kwargs={"pk": instance.pk}, changed=running.exists)


def _comment(instance, person):
    said = FlowAction.objects.filter(instance=instance, actor=person, comment=LEAK_MARK)
    return Call(kwargs={"pk": instance.pk}, data={"comment": LEAK_MARK}, changed=said.exists)


def _act(task, person):
    done = FlowTask.objects.filter(pk=task.pk, state=FlowTask.State.DONE)
    return Call(kwargs={"pk": task.pk}, data={"action": "approve", "comment": LEAK_MARK}, changed=done.exists)


# --- inboxes and lists ---------------------------------------------------------------------------------------
scoped("approvals:todo", FlowTask, "list", marker=_task_title, oracle="holder")
scoped("approvals:done", FlowTask, "list", marker=_task_title, oracle="holder", complete=False)  # handled ones
scoped("approvals:cc", FlowTask, "list", marker=_task_title, oracle="holder", complete=False)  # copies only
scoped("approvals:mine", FlowInstance, "list", marker=_title, oracle="submitter")
scoped("approvals:all", FlowInstance, "list", marker=_title, perm=("approvals", "manage"))
scoped("api:approval-list", FlowInstance, "list", api=True, list_query="box=all", perm=("approvals", "manage"))
scoped("api:approval-task-list", FlowTask, "list", api=True, oracle="holder")

# --- one approval and its actions ----------------------------------------------------------------------------
scoped("approvals:instance", FlowInstance, "detail")
scoped("api:approval-detail", FlowInstance, "detail", api=True)
action_route("approvals:comment", FlowInstance, action="view", call=_comment)
action_route("api:approval-comment", FlowInstance, api=True, action="view", call=_comment)
action_route("approvals:withdraw", FlowInstance, oracle="submitter", call=_withdraw)
action_route("api:approval-withdraw", FlowInstance, api=True, oracle="submitter", call=_withdraw)
action_route("approvals:resubmit", FlowInstance, oracle="submitter", call=_resubmit)
action_route("api:approval-resubmit", FlowInstance, api=True, oracle="submitter", call=_resubmit)
action_route("approvals:act", FlowTask, oracle="holder", call=_act)
action_route("api:approval-task-act", FlowTask, api=True, oracle="holder", call=_act)

# --- flows: configuration, approvals.manage --------------------------------------------------------------------
action_route("approvals:flows", perm=("approvals", "manage"), method="get")
action_route("api:approval-flow-list", api=True, perm=("approvals", "manage"), method="get")
unscoped(
    "flow design and publishing: configuration without owned records, approvals.manage required "
    "(tests/approvals/test_views.py, test_api.py)",
    "approvals:flow_design",
    "approvals:flow_preview",
    "approvals:flow_off",
    "api:approval-flow-detail",
    "api:approval-flow-publish",
)
unscoped(
    "delegations: a user's own, or anyone's with approvals.manage (Delegation.objects.visible_to; "
    "tests/approvals/test_views.py)",
    "approvals:delegations",
    "approvals:delegation_cancel",
    "api:approval-delegation-list",
    "api:approval-delegation-detail",
)
