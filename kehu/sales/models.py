"""Opportunities (商机): the sales pipeline by stage, its follow-ups and stage history, win and loss.

The contract other modules (targets, forecast, cases, orders) read:

- `Stage`: ops-configured pipeline stages, in `position` order, with a default win probability, the fields an
  opportunity needs to enter it (`required_fields`, names of `Opportunity` fields), whether it may be re-entered
  after moving past it (`may_reenter`) and a rotting threshold (`rotting_days`).
- `Opportunity`: owned (`OwnedModel`), versioned, approvable as "sales.opportunity" (`approval_status`; the
  approval's field is not `status`, which says open / won / lost).
- `Opportunity.objects.visible_to(user, action)`, and on any queryset `.counting()` (approved or needing no
  approval: a new opportunity pending approval, or sent back, counts nowhere), `.open()`, `.won()`, `.lost()`.
- `StageHistory`: one row per stay in a stage (entered, left, by whom).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kehu.approvals.documents import ApprovableDocument
from kehu.core.locking import VersionedModel
from kehu.core.models import DictionaryField
from kehu.org.scope import OwnedModel, ScopedQuerySet, visible_through

AMOUNT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("999999999999.99"))]


class Stage(VersionedModel):
    """A pipeline stage (e.g. qualification → needs analysis → proposal → negotiation), configured by ops."""

    name = models.CharField(_("name"), max_length=40)
    position = models.PositiveIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    required_fields = models.JSONField(
        _("required to enter"),
        default=list,
        blank=True,
        help_text=_("Fields an opportunity must have filled in before it may enter this stage."),
    )
    may_reenter = models.BooleanField(
        _("may move back into it"),
        default=True,
        help_text=_("Whether an opportunity that has moved past this stage may move back into it."),
    )
    rotting_days = models.PositiveIntegerField(
        _("stalled after days"),
        null=True,
        blank=True,
        help_text=_("An open opportunity with no stage change or follow-up for this many days is flagged as stalled."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class OpportunityQuerySet(ScopedQuerySet):
    def counting(self):
        """What counts in pipeline, forecast and targets: approved, or created where no approval was needed."""
        return self.filter(approval_status=Opportunity.ApprovalStatus.ACTIVE)

    def open(self):
        return self.filter(status=Opportunity.Status.OPEN)

    def won(self):
        return self.filter(status=Opportunity.Status.WON)

    def lost(self):
        return self.filter(status=Opportunity.Status.LOST)

    def stalled(self, now=None):
        """Open opportunities past their stage's rotting threshold (`rots_at` is kept by the services)."""
        return self.open().filter(rots_at__lte=now or timezone.now())


class Opportunity(ApprovableDocument, OwnedModel, VersionedModel):
    """A chance to sell to a customer: amount, expected close date, stage; ends won or lost."""

    scope_module = "opportunities"
    status_field = "approval_status"

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("opportunity status", "Open")
        WON = "won", pgettext_lazy("opportunity status", "Won")
        LOST = "lost", pgettext_lazy("opportunity status", "Lost")

    class ApprovalStatus(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("opportunity approval", "Draft")
        PENDING = "pending", pgettext_lazy("opportunity approval", "Pending approval")
        ACTIVE = "active", pgettext_lazy("opportunity approval", "Effective")

    number = models.CharField(_("opportunity number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="opportunities"
    )
    name = models.CharField(_("opportunity name"), max_length=100)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True, validators=AMOUNT_VALIDATORS
    )
    expected_close_date = models.DateField(_("expected close date"))
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    approval_status = models.CharField(
        _("approval"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.ACTIVE
    )
    source = DictionaryField("opportunity_source", _("source"))
    decision_maker = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("decision maker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contacts = models.ManyToManyField("customers.Contact", verbose_name=_("contacts"), blank=True, related_name="+")
    competitors = models.ManyToManyField(
        "core.DictionaryItem",
        verbose_name=_("competitors"),
        blank=True,
        related_name="+",
        limit_choices_to={"dictionary__code": "competitor"},
    )
    description = models.TextField(_("description"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    # Win / loss
    won_amount = models.DecimalField(
        _("won amount"), max_digits=14, decimal_places=2, null=True, blank=True, validators=AMOUNT_VALIDATORS
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    loss_reason = DictionaryField("loss_reason", _("loss reason"))
    won_by_competitor = DictionaryField("competitor", _("won by competitor"))
    result_note = models.TextField(_("win / loss note"), blank=True)
    # Pipeline bookkeeping
    stage_entered_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    rots_at = models.DateTimeField(_("stalled from"), null=True, blank=True, editable=False)
    rotting_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    history = HistoricalRecords(excluded_fields=["last_activity_at", "rots_at", "rotting_warned_at"])

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["expected_close_date", "id"]
        # Kanban: counts and sums per stage of a scope (whole table, one owner, one department) read the index
        # alone; its first cards walk (status, stage, expected_close_date, id). Lists sort on (field, id).
        indexes = [
            models.Index(fields=["status", "stage", "approval_status", "amount"], name="opp_stage_sum_idx"),
            models.Index(fields=["owner", "status", "stage", "amount"], name="opp_owner_stage_idx"),
            models.Index(fields=["owner_department", "status", "stage", "amount"], name="opp_dept_stage_idx"),
            models.Index(fields=["status", "stage", "expected_close_date", "id"], name="opp_stage_cards_idx"),
            models.Index(fields=["expected_close_date", "id"], name="opp_close_idx"),
            models.Index(fields=["created_at", "id"], name="opp_created_idx"),
            models.Index(fields=["amount", "id"], name="opp_amount_idx"),
            models.Index(fields=["owner", "expected_close_date", "id"], name="opp_owner_close_idx"),
            models.Index(fields=["owner_department", "expected_close_date", "id"], name="opp_dept_close_idx"),
            models.Index(fields=["customer", "status"], name="opp_customer_idx"),
            models.Index(fields=["status", "closed_on"], name="opp_closed_idx"),
            models.Index(fields=["owner", "status", "closed_on"], name="opp_owner_closed_idx"),
            models.Index(fields=["rots_at", "id"], condition=Q(status="open"), name="opp_rots_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("sales:detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_stalled(self) -> bool:
        return self.is_open and self.rots_at is not None and self.rots_at <= timezone.now()

    @property
    def is_overdue(self) -> bool:
        """Open with its expected close date in the past: flagged until someone moves the date or closes it."""
        return self.is_open and self.expected_close_date < timezone.localdate()

    @property
    def counts(self) -> bool:
        return self.approval_status == self.ApprovalStatus.ACTIVE

    @classmethod
    def shared_with_q(cls, user, action: str):
        """Collaborators (团队成员) see the opportunity; those marked "may edit" also change it."""
        members = OpportunityMember.objects.filter(user=user)
        if action != "view":
            members = members.filter(can_edit=True)
        return Q(pk__in=members.values("opportunity_id"))

    # --- as an approvable document ("sales.opportunity", sales/approvals.py) ------------------------
    TRANSITIONS = {**ApprovableDocument.TRANSITIONS, ("draft", "activate"): "active"}
    locked_message = _("This opportunity is in approval and cannot be changed until the approval ends.")

    def approval_title(self) -> str:
        return f"{self.name} · {self.customer.name}"

    def can_view_approval(self, user) -> bool:
        return Opportunity.objects.visible_to(user).filter(pk=self.pk).exists()

    def approval_form(self) -> dict:
        from kehu.sales import approvals

        return approvals.approval_form(self)

    def clean_approval_changes(self, changes: dict) -> dict:
        from kehu.sales import approvals

        return approvals.clean_approval_changes(self, changes)

    def check_submit(self, actor) -> None:
        from kehu.sales import approvals

        approvals.check_can_submit(actor, self)

    def on_approved(self, form: dict, instance) -> None:
        from kehu.sales import approvals

        approvals.on_approved(self, form, instance)

    def on_sent_back(self, instance, reason: str) -> None:
        from kehu.sales import approvals

        approvals.on_sent_back(self, instance, reason)


class OpportunityMember(models.Model):
    """A collaborator (团队成员) on an opportunity: sees it; with `can_edit` also changes it."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    can_edit = models.BooleanField(_("may edit"), default=False)

    class Meta:
        verbose_name = _("collaborator")
        constraints = [models.UniqueConstraint(fields=["opportunity", "user"], name="uniq_opportunity_member")]
        indexes = [models.Index(fields=["user", "opportunity"], name="opp_member_user_idx")]

    def __str__(self):
        return f"{self.opportunity_id} · {self.user_id}"


class ChildQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """Visible exactly when the opportunity is."""
        return visible_through(self, "opportunity", Opportunity.objects.visible_to(user, action))


class OpportunityLine(models.Model):
    """A product of interest: free text now; `product` once the products module exists."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(_("product"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, null=True, blank=True, validators=AMOUNT_VALIDATORS
    )

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("product of interest")
        ordering = ["opportunity_id", "position", "id"]

    def __str__(self):
        return self.description


class StageHistory(models.Model):
    """One stay of an opportunity in a stage: entered, left (empty while it is there), by whom."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_history")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("moved by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage history")
        ordering = ["opportunity_id", "entered_at", "id"]
        indexes = [models.Index(fields=["opportunity", "entered_at", "id"], name="opp_stage_history_idx")]

    def __str__(self):
        return f"{self.opportunity_id} · {self.stage_id}"

    def days(self, now=None) -> int:
        """Whole days in the stage (to now while it is still there)."""
        end = self.left_at or now or timezone.now()
        return max((end - self.entered_at).days, 0)


class OpportunityFollowUp(models.Model):
    """A follow-up (商机跟进) on an opportunity. Its text is the customer's follow-up (so the customer's timeline
    and the pool's follow-up rule see it); here: the opportunity, the stage it moved to, the manager's review."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="followups")
    followup = models.OneToOneField("customers.FollowUp", on_delete=models.CASCADE, related_name="opportunity_followup")
    moved_from = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    moved_to = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.CharField(_("review comment"), max_length=500, blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("opportunity follow-up")
        ordering = ["-id"]
        indexes = [models.Index(fields=["opportunity", "id"], name="opp_followup_idx")]

    def __str__(self):
        return f"{self.opportunity_id} · {self.followup_id}"


class OpportunityEvent(models.Model):
    """What the opportunity's and the customer's timelines show: created, stage changes, won, lost, reopened,
    transferred, approval steps."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STAGE = "stage", _("Stage changed")
        WON = "won", pgettext_lazy("opportunity event", "Won")
        LOST = "lost", pgettext_lazy("opportunity event", "Lost")
        REOPENED = "reopened", _("Reopened")
        TRANSFERRED = "transferred", _("Transferred")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approval passed")
        BACK_TO_DRAFT = "to_draft", _("Back to draft")
        STALLED = "stalled", _("Stalled")

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="events")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["opportunity", "at", "id"], name="opp_event_idx"),
            models.Index(fields=["customer", "at", "id"], name="opp_event_customer_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.opportunity_id}"
