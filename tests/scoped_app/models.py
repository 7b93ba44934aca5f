from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from kehu.approvals.documents import ApprovableDocument
from kehu.core.locking import VersionedModel
from kehu.org.scope import OwnedModel


class Memo(OwnedModel, VersionedModel):
    scope_module = "memos"

    title = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["owner_department", "-id"], name="memo_dept_idx")]

    def __str__(self):
        return self.title

    @classmethod
    def shared_with_q(cls, user, action):
        shares = MemoShare.objects.filter(Q(user=user) | Q(department_id=user.department_id))
        if action != "view":
            shares = shares.filter(can_edit=True)
        return Q(pk__in=shares.values("memo_id"))


class MemoShare(models.Model):
    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.CASCADE)
    can_edit = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.memo_id} → {self.user_id or self.department_id}"


class Expense(ApprovableDocument):
    """An approvable document the tests register (`tests.expense`) to prove numeric conditions, person fields
    and editable fields without depending on a product module. It overrides a few hooks of the base: its own
    status table, who may submit, the title, and what approval writes (the approved amount, kept apart)."""

    TRANSITIONS = {**ApprovableDocument.TRANSITIONS, ("pending", "approve"): "approved"}

    title = models.CharField(max_length=100)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    discount_rate = models.DecimalField(max_digits=5, decimal_places=3, default=1)
    category = models.CharField(max_length=20, default="travel")
    urgent = models.BooleanField(default=False)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, default="draft")
    approved_amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)

    def __str__(self):
        return self.title

    def clean(self):
        # The edit rule corrections go through too (ApprovableDocument.clean_approval_changes runs full_clean).
        if isinstance(self.amount, Decimal) and self.amount <= 0:
            raise ValidationError({"amount": "The amount must be positive."})

    def approval_title(self) -> str:
        return f"Expense · {self.title}"

    def check_submit(self, actor) -> None:
        if self.owner_id != actor.pk:
            raise PermissionDenied("not yours")

    def on_approved(self, form, instance) -> None:
        self.approved_amount = Decimal(form["amount"])
        self.category = form["category"]
        self.save(update_fields=["approved_amount", "category"])


class Purchase(ApprovableDocument):
    """`tests.purchase`: a document type that is only a declaration (tests/scoped_app/approvals.py) — no hook of
    its own. Its status table, lock, form, correction checks (the amount's validator) and write-back are the
    base's."""

    title = models.CharField(max_length=100)
    amount = models.DecimalField(max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    status = models.CharField(max_length=10, default="draft")

    def __str__(self):
        return self.title
