"""The approval inboxes, declared once (kehu.core.resources): my tasks (to-do, done, copied to me) and the
approvals themselves (submitted by me, involving me, all)."""

from django.utils.translation import gettext_lazy as _

from kehu.approvals import queries
from kehu.approvals.models import Delegation, FlowInstance, FlowTask
from kehu.core import resources
from kehu.core.resources import Resource, Tab

WHY = (
    "inboxes list only the user's own tasks and submissions; 'all approvals' needs approvals.manage; an approval "
    "is visible to its participants, approvals.manage and whoever may see the document, anyone else gets 404 "
    "(tests/approvals/test_views.py, test_api.py)"
)

TASKS = resources.register(
    Resource(
        key="approvals.task",
        model=FlowTask,
        module="approvals",
        perm="",  # one's own tasks
        title=_("Approvals"),
        rows=queries.tasks_for,
        detail_rows=lambda user, action: FlowTask.objects.filter(assignee=user),
        filterset=queries.TaskFilter,
        tabs=[Tab("todo", _("To-do")), Tab("done", _("Done")), Tab("cc", _("Copied to me"))],
        default_tab="todo",
        tab_param="box",
        pages={"todo": "approvals:todo", "done": "approvals:done", "cc": "approvals:cc"},
        api="approval-task",
        serializer="kehu.approvals.api.TaskSerializer",
        columns=[],
        template="approvals/inbox.html",
        unscoped=WHY,
    )
)

INSTANCES = resources.register(
    Resource(
        key="approvals.instance",
        model=FlowInstance,
        module="approvals",
        perm="",  # one's own submissions; "all" needs approvals.manage
        title=_("Approvals"),
        rows=queries.instances_for,
        detail_rows=lambda user, action: FlowInstance.objects.visible_to(user),
        filterset=queries.InstanceFilter,
        tabs=[
            Tab("mine", _("Submitted by me")),
            Tab("involved", _("Involving me")),
            Tab("all", _("All approvals"), perm="manage"),
        ],
        default_tab="mine",
        tab_param="box",
        pages={"mine": "approvals:mine", "all": "approvals:all"},
        api="approval",
        serializer="kehu.approvals.api.InstanceSerializer",
        columns=[],
        template="approvals/inbox.html",
        unscoped=WHY,
    )
)

DELEGATIONS = resources.register(
    Resource(
        key="approvals.delegation",
        model=Delegation,
        module="approvals",
        perm="",  # one's own delegations; everyone's with approvals.manage
        title=_("Delegation"),
        rows=queries.delegations_for,
        detail_rows=lambda user, action: Delegation.objects.visible_to(user),
        api="approval-delegation",
        serializer="kehu.approvals.api.DelegationSerializer",
        columns=[],
        template="approvals/delegations.html",
        unscoped="one's own delegations; other people's need approvals.manage (tests/approvals/test_api.py)",
    )
)
