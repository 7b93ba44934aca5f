"""What the approval engine tells the rest of the system, and the messages it writes about it.

The engine's services raise these events inside their transactions (`kehu.core.events`); the subscribers below
run after the commit and put a message in each recipient's message centre, written in the recipient's own
language. A rolled-back action therefore sends nothing. Other apps (timelines, reports) subscribe the same way.
Imported from `ApprovalsConfig.ready()`.
"""

from django.urls import reverse
from django.utils.translation import gettext_noop as N_

from kehu.core.events import declare, subscribe
from kehu.core.text import Translatable

TASK_ASSIGNED = declare(
    "approval.task_assigned", "Approval, review or copy tasks were opened for people (payload: instance, tasks)"
)
TASK_TIMED_OUT = declare(
    "approval.task_timed_out", "An approval task passed its time-out and its holder is reminded (instance, task)"
)
RETURNED = declare("approval.returned", "An approval was returned to its submitter (instance, actor, comment)")
WITHDRAWN = declare("approval.withdrawn", "The submitter withdrew an approval (instance, actor, comment)")
FINISHED = declare("approval.finished", "An approval ended approved or rejected (instance, outcome, actor, comment)")
TASKS_ENDED = declare(
    "approval.tasks_ended",
    "Tasks of an approval ended: decided, handed on, no longer needed or read (instance)",
)


def task_topic(task_id) -> str:
    """The topic of the messages about one task (`kehu.notify.services.resolve`)."""
    return f"approval.task:{task_id}"


def instance_url(instance) -> str:
    return reverse("approvals:instance", kwargs={"pk": instance.pk})


def _send(user, make, link: str, level: str, topic: str = "") -> None:
    """One message to `user` (`make()` returns title and body, product text shown in the reader's language)."""
    from kehu.notify.services import send_message

    if user is None:
        return
    title, body = make()
    send_message([user], title, body, link, level=level, topic=topic)


@subscribe(TASK_ASSIGNED)
def tell_assignees(event) -> None:
    from kehu.approvals.models import FlowTask

    instance = event["instance"]
    for task in event["tasks"]:
        if task.kind == FlowTask.Kind.APPROVAL:

            def make(task=task):
                return Translatable(N_("To approve: %(title)s"), title=instance.title), Translatable(
                    N_("%(who)s submitted it. Step: %(step)s"), who=instance.submitter.display_name, step=task.node_name
                )

            level = "reminder"
        elif task.kind == FlowTask.Kind.REVIEW:

            def make(task=task):
                return Translatable(N_("To review: %(title)s"), title=instance.title), task.node_name

            level = "info"
        else:

            def make(task=task):
                return Translatable(N_("For your information: %(title)s"), title=instance.title), task.node_name

            level = "info"
        _send(task.assignee, make, instance_url(instance), level, task_topic(task.pk))


@subscribe(TASK_TIMED_OUT)
def remind_holder(event) -> None:
    instance, task = event["instance"], event["task"]

    def make():
        return Translatable(N_("Overdue approval: %(title)s"), title=instance.title), task.node_name

    _send(task.assignee, make, instance_url(instance), "warning", task_topic(task.pk))


@subscribe(RETURNED)
def tell_submitter_returned(event) -> None:
    instance, actor, comment = event["instance"], event["actor"], event["comment"]

    def make():
        return Translatable(N_("Returned to you: %(title)s"), title=instance.title), f"{actor.display_name}: {comment}"

    _send(instance.submitter, make, instance_url(instance), "warning")


@subscribe(FINISHED)
def tell_submitter_finished(event) -> None:
    instance = event["instance"]
    if event["outcome"] == "approved":

        def make():
            return Translatable(N_("Approved: %(title)s"), title=instance.title), ""

        _send(instance.submitter, make, instance_url(instance), "info")
    else:
        actor, comment = event["actor"], event["comment"]

        def make():
            return Translatable(N_("Rejected: %(title)s"), title=instance.title), f"{actor.display_name}: {comment}"

        _send(instance.submitter, make, instance_url(instance), "warning")


@subscribe(TASKS_ENDED, FINISHED, RETURNED, WITHDRAWN)
def resolve_handled_reminders(event) -> None:
    """Every to-do message about a task of this approval that is no longer open is resolved, for every holder:
    an any-one step decided by one approver clears the others' reminders too."""
    from kehu.approvals.models import FlowTask
    from kehu.notify.services import resolve

    ended = (
        FlowTask.objects.filter(instance=event["instance"])
        .exclude(state__in=[FlowTask.State.OPEN, FlowTask.State.WAITING])
        .values_list("pk", flat=True)
    )
    resolve(task_topic(pk) for pk in ended)
