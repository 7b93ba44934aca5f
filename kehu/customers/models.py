"""Customers and everything that hangs off them: contacts, shares, follow-ups, visits, the public pool."""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kehu.approvals.documents import ApprovableDocument
from kehu.core.locking import VersionedModel
from kehu.core.models import DictionaryField, TranslatableCharField
from kehu.core.text import Translatable
from kehu.org.models import Department
from kehu.org.scope import OwnedModel, is_broad, visible_through


class Customer(ApprovableDocument, OwnedModel, VersionedModel):
    """A company we sell to. Owned by a rep; without an owner it sits in the public pool (公海)."""

    scope_module = "customers"

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("customer status", "Draft")
        PENDING = "pending", pgettext_lazy("customer status", "Pending approval")
        REJECTED = "rejected", pgettext_lazy("customer status", "Rejected")  # a draft whose approval said no
        ACTIVE = "active", pgettext_lazy("customer status", "Active")
        MERGED = "merged", pgettext_lazy("customer status", "Merged")

    # Owner fields of OwnedModel, nullable here: a customer in the public pool has no owner.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    owner_department = models.ForeignKey(
        Department,
        verbose_name=_("owner's department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField(_("customer number"), max_length=20, unique=True)
    name = models.CharField(_("company name"), max_length=100)
    name_normalized = models.CharField(max_length=100, editable=False, db_index=True)
    name_pinyin = models.CharField(max_length=400, editable=False)  # indexed with the id: Meta.indexes
    name_initials = models.CharField(max_length=100, editable=False, db_index=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    industry = DictionaryField("industry", _("industry"))
    level = DictionaryField("customer_level", _("customer level"))
    source = DictionaryField("customer_source", _("customer source"))
    region = DictionaryField("region", _("region"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Separate tags with commas."))
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    last_followup_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    owned_since = models.DateTimeField(_("owned since"), null=True, blank=True)
    # The public pool: who held it last, and until when they may not claim it back.
    released_at = models.DateTimeField(_("released to the pool at"), null=True, blank=True)
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("previous owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reclaim_blocked_until = models.DateTimeField(_("previous owner may reclaim from"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["name_normalized", "name_pinyin", "name_initials", "last_activity_at"])

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-last_activity_at", "-id"]
        # Every offered list sort is `(field, id)` in one direction, so each of these indexes is walked forwards
        # or backwards on both databases with no sort step (an index on `-field` would end in the id ascending
        # and leave `-field, -id` half sorted). Three families: the whole table (ops' "all", a manager's
        # scope walked in order and filtered), one owner ("mine"), one department (its counts and small scopes).
        # The number is unique: its own index serves the number sort (PostgreSQL adds an Incremental Sort of groups
        # of one row for the id, which it prefers to a second index). The pool has its own partial index.
        # Name fragments: kehu.customers.name_index (trigrams, outside the model state).
        indexes = [
            models.Index(fields=["last_activity_at", "id"], name="customer_activity_idx"),
            models.Index(fields=["name_pinyin", "id"], name="customer_pinyin_idx"),
            models.Index(fields=["created_at", "id"], name="customer_created_idx"),
            models.Index(fields=["owner", "last_activity_at", "id"], name="customer_owner_activity_idx"),
            models.Index(fields=["owner", "name_pinyin", "id"], name="customer_owner_pinyin_idx"),
            models.Index(fields=["owner", "created_at", "id"], name="customer_owner_created_idx"),
            models.Index(fields=["owner", "number", "id"], name="customer_owner_number_idx"),
            models.Index(fields=["owner_department", "last_activity_at", "id"], name="customer_dept_activity_idx"),
            models.Index(
                fields=["released_at", "id"], condition=Q(owner__isnull=True), name="customer_pool_released_idx"
            ),
            models.Index(fields=["credit_code"], name="customer_credit_code_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code="") & ~Q(status="merged"),
                name="uniq_customer_credit_code",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("customers:detail", kwargs={"pk": self.pk})

    # --- as an approvable document ("customers.create", customers/approvals.py) ---------------------
    # Pending approval is locked; approval activates it; returned or withdrawn, it is a draft again; rejected, it is
    # "rejected" (editable and resubmittable like a draft, but it says what happened). A draft or a rejected
    # customer is activated at once when no creation flow is published (any more).
    TRANSITIONS = {
        **ApprovableDocument.TRANSITIONS,
        ("pending", "reject"): "rejected",
        ("rejected", "submit"): "pending",
        ("draft", "activate"): "active",
        ("rejected", "activate"): "active",
    }
    locked_message = _("This customer is in approval and cannot be changed until the approval ends.")

    def approval_form(self) -> dict:
        from kehu.customers import services

        return services.approval_form(self)

    def clean_approval_changes(self, changes: dict) -> dict:
        from kehu.customers import services

        return services.clean_approval_changes(self, changes)

    def check_submit(self, actor) -> None:
        from kehu.customers import services

        services.check_can_submit(actor, self)

    def can_view_approval(self, user) -> bool:
        return Customer.objects.visible_to(user).filter(pk=self.pk).exists()

    def on_submitted(self, actor, instance) -> None:
        from kehu.customers import services

        services.log_event(self, CustomerEvent.Kind.SUBMITTED, actor)

    def on_approved(self, form: dict, instance) -> None:
        from kehu.customers import services

        services.activate_approved(self, form, instance.title)

    def on_sent_back(self, instance, reason: str) -> None:
        from kehu.customers import services

        text = Translatable(N_("%(state)s · %(reason)s"), state=instance.state_text(), reason=reason)
        services.log_event(self, CustomerEvent.Kind.BACK_TO_DRAFT, None, text)

    @property
    def in_pool(self) -> bool:
        return self.owner_id is None and self.status == self.Status.ACTIVE

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in re.split(r"[,，、;；]", self.tags) if t.strip()]

    @classmethod
    def shared_with_q(cls, user, action: str):
        now = timezone.now()
        shares = CustomerShare.objects.filter(Q(user=user) | Q(department_id=user.department_id)).filter(
            Q(until__isnull=True) | Q(until__gt=now)
        )
        if action != "view":
            shares = shares.filter(can_edit=True)
        return Q(pk__in=shares.values("customer_id"))


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """A contact is visible exactly when its customer is."""
        parents = Customer.objects.visible_to(user, action)
        return visible_through(self, "customer", parents, walk=is_broad(user, "customers", action))


class Contact(VersionedModel):
    class DecisionRole(models.TextChoices):
        DECISION_MAKER = "decision_maker", _("Decision maker")
        INFLUENCER = "influencer", _("Influencer")
        USER = "user", _("User")
        TECHNICAL = "technical", _("Technical evaluator")
        PURCHASING = "purchasing", _("Purchasing")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("job title"), max_length=60, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    decision_role = models.CharField(
        _("decision role"), max_length=20, choices=DecisionRole.choices, default=DecisionRole.OTHER
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "id"]
        indexes = [
            # A plain btree (not varchar_pattern_ops): the name prefix search is a range, which both databases
            # answer from it (queries._prefix_range); with the id it also walks a name sort.
            models.Index(fields=["name", "id"], name="contact_name_idx"),
            models.Index(fields=["is_primary", "id"], name="contact_primary_idx"),
        ]

    def __str__(self):
        return self.name


class CustomerShare(models.Model):
    """The owner shares a customer with a colleague or a whole department, read-only or editable."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    can_edit = models.BooleanField(_("may edit"), default=False)
    until = models.DateTimeField(_("shared until"), null=True, blank=True)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    shared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("customer share")
        indexes = [
            models.Index(fields=["user", "customer"], name="share_user_idx"),
            models.Index(fields=["department", "customer"], name="share_department_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(department__isnull=False), name="share_has_a_target"
            ),
        ]

    def __str__(self):
        return f"{self.customer_id} → {self.user_id or self.department_id}"


class FollowUpQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """A follow-up is visible exactly when its customer is."""
        parents = Customer.objects.visible_to(user, action)
        return visible_through(self, "customer", parents, walk=is_broad(user, "customers", action))


def next_step_of(user) -> Q:
    """Follow-ups whose next step is `user`'s to take: handed to them, or written by them and not handed on."""
    return Q(next_step_owner=user) | Q(next_step_owner__isnull=True, author=user)


class FollowUp(models.Model):
    """A call, meeting, visit or message with a customer, and the next step it leads to."""

    class Kind(models.TextChoices):
        CALL = "call", _("Phone call")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")
        WECHAT = "wechat", _("WeChat")
        EMAIL = "email", _("E-mail")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="followups")
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CALL)
    content = models.TextField(_("content"))
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_due = models.DateField(_("next step due"), null=True, blank=True)
    next_step_done_at = models.DateTimeField(_("next step done at"), null=True, blank=True)
    next_step_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("next step owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who takes the next step; empty means the author (set by a handover)."),
    )
    happened_at = models.DateTimeField(_("when"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-happened_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "happened_at", "id"], name="followup_customer_idx"),
            models.Index(fields=["author", "next_step_due"], name="followup_next_step_idx"),
            # the open next steps of one person ("My next steps"): written and not handed on, or handed to them
            models.Index(
                fields=["author", "next_step_due", "happened_at", "id"],
                condition=Q(next_step_done_at__isnull=True, next_step_owner__isnull=True) & ~Q(next_step=""),
                name="followup_open_written_idx",
            ),
            models.Index(
                fields=["next_step_owner", "next_step_due", "happened_at", "id"],
                condition=Q(next_step_done_at__isnull=True) & ~Q(next_step=""),
                name="followup_open_handed_idx",
            ),
            models.Index(fields=["happened_at", "id"], name="followup_happened_idx"),
            models.Index(fields=["next_step_due", "id"], name="followup_due_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.happened_at:%Y-%m-%d}"


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """A visit is visible exactly when its customer is (a manager sees the visits to customers in his scope)."""
        parents = Customer.objects.visible_to(user, action)
        return visible_through(self, "customer", parents, walk=is_broad(user, "customers", action))


class Visit(models.Model):
    """A planned visit to a customer: plan → check in on site → summary (which becomes a follow-up) → review."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CHECKED_IN = "checked_in", _("Checked in")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="visits")
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=200)
    planned_at = models.DateTimeField(_("planned for"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checkin_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    checkin_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    checkin_accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)
    checkin_distance_m = models.PositiveIntegerField(_("distance to the customer (m)"), null=True, blank=True)
    checkin_photo = models.FileField(_("photo"), upload_to="visits/%Y/%m/", blank=True)
    summary = models.TextField(_("summary"), blank=True)
    followup = models.OneToOneField(FollowUp, null=True, blank=True, on_delete=models.SET_NULL, related_name="visit")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.CharField(_("review comment"), max_length=500, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-planned_at", "-id"]
        indexes = [
            models.Index(fields=["visitor", "status", "planned_at"], name="visit_visitor_idx"),
            models.Index(fields=["visitor", "status", "checked_in_at", "id"], name="visit_visitor_done_idx"),
            models.Index(fields=["planned_at", "id"], name="visit_planned_idx"),
            models.Index(fields=["checked_in_at", "id"], name="visit_checked_in_idx"),
        ]

    def __str__(self):
        return f"{self.customer} {self.planned_at:%Y-%m-%d}"


class PoolRule(models.Model):
    """When customers of one level go back to the public pool (no level = the rule for all other levels)."""

    level = DictionaryField("customer_level", _("customer level"), one_to_one=True, on_delete=models.CASCADE)
    days_without_followup = models.PositiveIntegerField(
        _("return after days without a follow-up"), null=True, blank=True
    )
    days_without_opportunity = models.PositiveIntegerField(
        _("return after days without a new opportunity"), null=True, blank=True
    )
    warn_days_before = models.PositiveIntegerField(_("warn the owner days before"), default=3)
    reclaim_block_days = models.PositiveIntegerField(_("previous owner may not reclaim for days"), default=30)
    is_active = models.BooleanField(_("in force"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pool rule")
        constraints = [
            models.UniqueConstraint(fields=["level"], condition=Q(level__isnull=True), name="one_default_pool_rule")
        ]

    def __str__(self):
        return str(self.level or _("All levels"))


class CustomerLimit(models.Model):
    """Caps per role: how many customers one person may own, how many they may claim from the pool a day."""

    role = models.OneToOneField("org.Role", on_delete=models.CASCADE, related_name="customer_limit")
    max_owned = models.PositiveIntegerField(_("most customers owned"), null=True, blank=True)
    max_claims_per_day = models.PositiveIntegerField(_("most claims from the pool a day"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer limit")

    def __str__(self):
        return str(self.role)


class PoolEvent(models.Model):
    """The public pool's log: releases, claims, automatic returns, warnings (also shown on the customer)."""

    class Kind(models.TextChoices):
        RELEASED = "released", _("Released to the pool")
        CLAIMED = "claimed", _("Claimed from the pool")
        RETURNED = "returned", _("Returned to the pool automatically")
        WARNED = "warned", _("Owner warned of an upcoming return")
        ASSIGNED = "assigned", _("Assigned from the pool")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="pool_events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = TranslatableCharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["actor", "kind", "at"], name="pool_event_claims_idx"),
            models.Index(fields=["customer", "at", "id"], name="pool_event_customer_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.customer_id}"


class CustomerEvent(models.Model):
    """Transfers, handovers, merges and shares: what the timeline shows beside follow-ups and visits."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        TRANSFERRED = "transferred", _("Transferred")
        HANDED_OVER = "handed_over", _("Handed over")
        MERGED = "merged", _("Merged")
        SHARED = "shared", _("Shared")
        UNSHARED = "unshared", _("Sharing ended")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approval passed")
        BACK_TO_DRAFT = "to_draft", _("Back to draft")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = TranslatableCharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "at", "id"], name="customer_event_idx")]

    def __str__(self):
        return f"{self.kind} {self.customer_id}"


class TransferRequest(ApprovableDocument):
    """A transfer or leaver handover waiting for approval, when ops published a flow for them: approval performs
    the move (as the requester, within their scope at that moment); rejection leaves the customers where they are."""

    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("Transfer")
        HANDOVER = "handover", _("Leaver handover")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("customer status", "Pending approval")
        DONE = "done", pgettext_lazy("transfer request", "Carried out")
        DROPPED = "dropped", pgettext_lazy("transfer request", "Not carried out")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    customer_ids = models.JSONField(_("customers"), default=list)
    leaver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    outcome = TranslatableCharField(_("outcome"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.to_user_id}"

    # --- as an approvable document ("customers.transfer", customers/approvals.py) -------------------
    # Approved, the move is carried out; rejected or withdrawn, nothing moves; returned, it waits for the requester.
    TRANSITIONS = {
        ("pending", "submit"): "pending",
        ("pending", "approve"): "done",
        ("pending", "reject"): "dropped",
        ("pending", "withdraw"): "dropped",
        ("pending", "return"): "pending",
    }

    def approval_title(self) -> str:
        from kehu.customers import services

        return services.transfer_title(self)

    def approval_form(self) -> dict:
        from kehu.customers import services

        return services.transfer_form(self)

    def can_view_approval(self, user) -> bool:
        return self.requested_by_id == user.pk or (
            self.to_user_id == user.pk
            and Customer.objects.visible_to(user).filter(pk__in=self.customer_ids[:500]).exists()
        )

    def approval_url(self) -> str:
        return ""

    def on_approved(self, form: dict, instance) -> None:
        from kehu.customers import services

        services.carry_out_request(self)

    def on_returned(self, instance, reason: str) -> None:
        pass  # it waits for the requester to resubmit it

    def on_sent_back(self, instance, reason: str) -> None:  # rejected or withdrawn: nothing moves
        from kehu.customers import services

        text = Translatable(N_("%(state)s · %(reason)s"), state=instance.state_text(), reason=reason)
        services.drop_request(self, text)
