"""The case library (案例): a won opportunity written up for every salesperson to learn from.

A published case is readable by everyone with the `cases` view permission; the customer's name is shown only to
readers who may see that customer (kehu.sales.cases.queries.customer_names)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kehu.core.locking import VersionedModel
from kehu.core.models import DictionaryField
from kehu.org.scope import has_module_perm


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """Published cases for every reader (`cases.view`); drafts for their author; everything for `cases.manage`.
        Changing needs `cases.change` and being the author, or `cases.manage`."""
        if not has_module_perm(user, "cases", "view"):
            return self.none()
        if has_module_perm(user, "cases", "manage"):
            return self.all()
        if action == "view":
            return self.filter(Q(status=Case.Status.PUBLISHED) | Q(author=user))
        if not has_module_perm(user, "cases", action):
            return self.none()
        return self.filter(author=user)

    def published(self):
        return self.filter(status=Case.Status.PUBLISHED)


class Case(VersionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("case status", "Draft")
        PUBLISHED = "published", pgettext_lazy("case status", "Published")

    opportunity = models.OneToOneField(
        "sales.Opportunity", verbose_name=_("opportunity"), on_delete=models.PROTECT, related_name="case"
    )
    title = models.CharField(_("title"), max_length=120)
    industry = DictionaryField("industry", _("industry"))
    problem = models.TextField(_("the customer's problem"))
    solution = models.TextField(_("our solution"))
    products = models.TextField(_("products"), blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal(0))]
    )
    lessons = models.TextField(_("lessons learned"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "published_at", "id"], name="case_published_idx"),
            models.Index(fields=["author", "id"], name="case_author_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name
