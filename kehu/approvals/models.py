"""The approval engine's rows (DESIGN.md "Approvals"): a flow definition per document type and version, one
instance per submission of a document, the tasks people act on, and the append-only trail of actions.

Nothing here is pickled: the flow graph is JSON validated at publish time (`graph.py`), the document's form is
JSON (what the approvers see and may correct), and every state change happens in the engine's service modules
(`submission.py`, `decisions.py`, `routing.py`, ... re-exported by `services.py`).
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.models import TranslatableCharField
from kehu.core.text import Translatable, text_for_storage


class FlowDefinition(models.Model):
    """One version of the flow of a document type. Only one version per type is published at a time; running
    instances keep the version they started with, so publishing never changes them."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("flow status", "Draft")
        PUBLISHED = "published", pgettext_lazy("flow status", "Published")
        RETIRED = "retired", pgettext_lazy("flow status", "Retired")

    doc_type = models.CharField(_("document type"), max_length=60)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=80)
    graph = models.JSONField(_("flow"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval flow")
        ordering = ["doc_type", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "version"], name="flow_version_unique"),
            models.UniqueConstraint(
                fields=["doc_type"], condition=Q(status="published"), name="flow_one_published_per_type"
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    def node(self, node_id: str) -> dict | None:
        return self.graph.get("nodes", {}).get(node_id)


class FlowInstanceQuerySet(models.QuerySet):
    def for_document(self, doc_type: str, object_id):
        return self.filter(doc_type=doc_type, object_id=object_id)

    def visible_to(self, user, action: str = "view"):
        """Approvals are not owned records: the submitter and everyone who had a task in one (or acted for
        someone who had) see it; approvals.manage sees all. (Whoever may see the document may also open its
        approval: `services.can_view` adds that per document.)"""
        from kehu.org.scope import has_module_perm

        if not user.is_authenticated:
            return self.none()
        if has_module_perm(user, "approvals", "manage"):
            return self
        tasks = FlowTask.objects.filter(Q(assignee=user) | Q(on_behalf_of=user)).values("instance_id")
        return self.filter(Q(submitter=user) | Q(pk__in=tasks))


class FlowInstance(models.Model):
    """One submission of one document going through one version of its flow."""

    class State(models.TextChoices):
        RUNNING = "running", pgettext_lazy("approval state", "In approval")
        RETURNED = "returned", pgettext_lazy("approval state", "Returned to submitter")
        APPROVED = "approved", pgettext_lazy("approval state", "Approved")
        REJECTED = "rejected", pgettext_lazy("approval state", "Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("approval state", "Withdrawn")

    OPEN_STATES = (State.RUNNING, State.RETURNED)

    definition = models.ForeignKey(FlowDefinition, on_delete=models.PROTECT, related_name="instances")
    doc_type = models.CharField(_("document type"), max_length=60)
    object_id = models.PositiveBigIntegerField(_("document"))
    title = models.CharField(_("title"), max_length=200)
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RUNNING)
    current_node = models.CharField(_("current step"), max_length=40, blank=True)
    path = models.JSONField(_("steps taken"), default=list)  # node ids entered, in order, across rounds
    form = models.JSONField(_("form"), default=dict)  # the document's data as submitted and corrected
    round = models.PositiveIntegerField(default=1)  # bumps on every resubmission after a return
    started_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = FlowInstanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["doc_type", "object_id"], name="flowinstance_doc_idx"),
            # "-started_at, -id" walked backwards: the ops' "all approvals" list and "submitted by me"
            models.Index(fields=["started_at", "id"], name="flowinstance_started_idx"),
            models.Index(fields=["submitter", "started_at", "id"], name="flowinstance_submitter_idx"),
        ]
        constraints = [
            # A document has at most one flow in progress.
            models.UniqueConstraint(
                fields=["doc_type", "object_id"],
                condition=Q(state__in=["running", "returned"]),
                name="flowinstance_one_open_per_document",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def state_text(self) -> Translatable:
        """The state's label as stored product text (shown in the reader's language)."""
        return Translatable.of(self.State(self.state).label)


class FlowTask(models.Model):
    """Somebody's part in a node: an approval to decide, a review to acknowledge, or a copy to read."""

    class Kind(models.TextChoices):
        APPROVAL = "approval", _("Approval")
        REVIEW = "review", pgettext_lazy("approval task", "Review")
        CC = "cc", _("Carbon copy")

    class State(models.TextChoices):
        WAITING = "waiting", pgettext_lazy("approval task", "Waiting")  # in-order signers after the current one
        OPEN = "open", pgettext_lazy("approval task", "To do")
        DONE = "done", pgettext_lazy("approval task", "Done")
        CANCELLED = "cancelled", pgettext_lazy("approval task", "No longer needed")

    instance = models.ForeignKey(FlowInstance, on_delete=models.CASCADE, related_name="tasks")
    node_id = models.CharField(max_length=40)
    node_name = models.CharField(_("step"), max_length=80)
    round = models.PositiveIntegerField(default=1)
    visit = models.PositiveIntegerField(default=1)  # how many times the node was entered (returns re-enter it)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.APPROVAL)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="flow_tasks")
    on_behalf_of = models.ForeignKey(  # set when the task reached the assignee through a delegation
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    sequence = models.PositiveIntegerField(default=0)
    added = models.BooleanField(default=False)  # an added signer (加签), always required
    resume = models.ForeignKey(  # the task to reopen when this one is approved (a signer added before it)
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.CharField(_("result"), max_length=12, blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    acted_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval task")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the boxes, each walked backwards in its order: to-do ("-created_at, -id", the kind filtered on the
            # way), done ("-acted_at, -id"), copied to me ("-created_at, -id")
            models.Index(fields=["assignee", "state", "created_at", "id"], name="flowtask_inbox_idx"),
            models.Index(fields=["assignee", "state", "acted_at", "id"], name="flowtask_done_idx"),
            models.Index(fields=["assignee", "kind", "created_at", "id"], name="flowtask_cc_idx"),
            models.Index(fields=["instance", "node_id", "visit"], name="flowtask_node_idx"),
            models.Index(fields=["state", "due_at"], name="flowtask_due_idx"),
        ]

    RESULTS = {
        "approved": _("Approved"),
        "rejected": _("Rejected"),
        "returned": _("Returned"),
        "transferred": _("Transferred"),
        "acknowledged": _("Acknowledged"),
        "read": _("Read"),
    }

    def __str__(self):
        return f"{self.node_name} · {self.assignee_id}"

    @property
    def result_label(self) -> str:
        return str(self.RESULTS.get(self.result, self.result))


class FlowAction(models.Model):
    """The append-only trail. Each row carries a digest over its content and the previous row's digest, so a
    row changed or removed afterwards breaks the chain (`services.verify_trail`)."""

    class Kind(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        RESUBMIT = "resubmit", _("Resubmitted")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        RETURN = "return", _("Returned")
        WITHDRAW = "withdraw", _("Withdrew")
        TRANSFER = "transfer", _("Transferred")
        ADD_SIGNER = "add_signer", _("Added a signer")
        COMMENT = "comment", _("Commented")
        ACKNOWLEDGE = "acknowledge", _("Acknowledged")
        CC = "cc", _("Copied")
        SKIP = "skip", _("Skipped (no approver)")
        TO_OPS = "to_ops", _("Sent to sales operations (no approver)")
        REMIND = "remind", _("Reminded (time-out)")
        ESCALATE = "escalate", _("Escalated (time-out)")
        FINISH = "finish", _("Flow finished")

    instance = models.ForeignKey(FlowInstance, on_delete=models.CASCADE, related_name="actions")
    task = models.ForeignKey(FlowTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    node_id = models.CharField(max_length=40, blank=True)
    node_name = models.CharField(_("step"), max_length=80, blank=True)
    kind = models.CharField(_("action"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(  # None for the system (time-outs, skipped nodes)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    detail = TranslatableCharField(_("detail"), max_length=200, blank=True)
    changes = models.JSONField(_("changed fields"), default=list)  # [{"field", "label", "before", "after"}]
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    digest = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("approval action")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.actor_id}"

    def compute_digest(self, previous: str) -> str:
        content = [
            previous,
            self.instance_id,
            self.task_id,
            self.node_id,
            self.kind,
            self.actor_id,
            self.on_behalf_of_id,
            self.comment,
            text_for_storage(self.detail, 200),
            self.changes,
            self.created_at.isoformat(),
        ]
        raw = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(raw.encode()).hexdigest()


class DelegationQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """One's own delegations and those naming one as delegate; approvals.manage sees all."""
        from kehu.org.scope import has_module_perm

        if not user.is_authenticated:
            return self.none()
        if has_module_perm(user, "approvals", "manage"):
            return self
        return self.filter(Q(user=user) | Q(delegate=user))


class Delegation(models.Model):
    """While out of office, a user's new approval tasks go to someone else (dates inclusive)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    doc_types = models.JSONField(_("document types"), default=list, blank=True)  # empty: all types
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["user", "starts_on", "ends_on"], name="delegation_user_idx")]

    def __str__(self):
        return f"{self.user_id} → {self.delegate_id}"

    def covers(self, doc_type: str) -> bool:
        return not self.doc_types or doc_type in self.doc_types
