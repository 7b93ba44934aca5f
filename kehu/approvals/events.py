"""What the approval engine tells the rest of the system, and the messages it writes about it.

The engine's services raise these events inside their transactions (`kehu.core.events`); the subscribers below
run after the commit and put a message in each recipient's message centre, written in the recipient's own
language. A rolled-back action therefore sends nothing. Other apps (timelines, reports) subscribe the same way.
Imported from `ApprovalsConfig.ready()`.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kehu.core.events import declare, subscribe

TASK_ASSIGNED = declare(
    "approval.task_assigned", "Approval, review or copy tasks were opened for people (payload: instance, tasks)"
)
TASK_TIMED_OUT = declare(
    "approval.task_timed_out", "An approval task passed its time-out and its holder is reminded (instance, task)"
)
RETURNED = declare("approval.returned", "An approval was returned to its submitter (instance, actor, comment)")
WITHDRAWN = declare("approval.withdrawn", "The submitter withdrew an approval (instance, actor, comment)")
FINISHED = declare("approval.finished", "An approval ended approved or rejected (instance, outcome, actor, comment)")


def instance_url(instance) -> str:
    return reverse("approvals:instance", kwargs={"pk": instance.pk})


def _send(user, make, link: str, level: str) -> None:
    """One message to `user`, written in their language (`make()` returns title and body)."""
    from kehu.notify.services import send_message

    if user is None:
        return
    with translation.override(user.language or settings.LANGUAGE_CODE):
        title, body = make()
        send_message([user], str(title), str(body), link, level=level)


@subscribe(TASK_ASSIGNED)
def tell_assignees(event) -> None:
    from kehu.approvals.models import FlowTask

    instance = event["instance"]
    for task in event["tasks"]:
        if task.kind == FlowTask.Kind.APPROVAL:

            def make(task=task):
                return _("To approve: %(title)s") % {"title": instance.title}, _(
                    "%(who)s submitted it. Step: %(step)s"
                ) % {"who": instance.submitter.display_name, "step": task.node_name}

            level = "reminder"
        elif task.kind == FlowTask.Kind.REVIEW:

            def make(task=task):
                return _("To review: %(title)s") % {"title": instance.title}, task.node_name

            level = "info"
        else:

            def make(task=task):
                return _("For your information: %(title)s") % {"title": instance.title}, task.node_name

            level = "info"
        _send(task.assignee, make, instance_url(instance), level)


@subscribe(TASK_TIMED_OUT)
def remind_holder(event) -> None:
    instance, task = event["instance"], event["task"]

    def make():
        return _("Overdue approval: %(title)s") % {"title": instance.title}, task.node_name

    _send(task.assignee, make, instance_url(instance), "warning")


@subscribe(RETURNED)
def tell_submitter_returned(event) -> None:
    instance, actor, comment = event["instance"], event["actor"], event["comment"]

    def make():
        return _("Returned to you: %(title)s") % {"title": instance.title}, f"{actor.display_name}: {comment}"

    _send(instance.submitter, make, instance_url(instance), "warning")


@subscribe(FINISHED)
def tell_submitter_finished(event) -> None:
    instance = event["instance"]
    if event["outcome"] == "approved":

        def make():
            return _("Approved: %(title)s") % {"title": instance.title}, ""

        _send(instance.submitter, make, instance_url(instance), "info")
    else:
        actor, comment = event["actor"], event["comment"]

        def make():
            return _("Rejected: %(title)s") % {"title": instance.title}, f"{actor.display_name}: {comment}"

        _send(instance.submitter, make, instance_url(instance), "warning")
