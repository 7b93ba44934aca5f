"""Sales targets (业绩指标): one amount per metric, subject (a person or a department) and month.

Quarters and years are roll-ups of the months, computed, never stored. Achievement is never stored either: it is
counted from the real records through the metric registry (kehu.core.metrics).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kehu.core.locking import VersionedModel
from kehu.org.scope import effective_scope, has_module_perm


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """The targets `user` may see (or, `action="change"`, set): the data scope of the `targets` module over
        the target's person (as for their own records) and department. A person target is credited to its person
        and filed under the department the person was in when it was set."""
        if not has_module_perm(user, "targets", "view") or not has_module_perm(user, "targets", action):
            return self.none()
        condition = effective_scope(user, "targets", action).q(user, owner_field="user", department_field="department")
        return self.all() if condition is None else self.filter(condition)

    def persons(self):
        return self.filter(user__isnull=False)

    def departments(self):
        return self.filter(user__isnull=True)


class Target(VersionedModel):
    metric = models.CharField(_("metric"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(
        _("target"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    history = HistoricalRecords()

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["year", "month", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "year", "month", "user"], condition=Q(user__isnull=False), name="target_person_uniq"
            ),
            models.UniqueConstraint(
                fields=["metric", "year", "month", "department"],
                condition=Q(user__isnull=True),
                name="target_department_uniq",
            ),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="target_month_range"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="target_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["metric", "year", "department"], name="target_dept_year_idx"),
            models.Index(fields=["metric", "year", "user"], name="target_user_year_idx"),
        ]

    def __str__(self):
        who = self.user.display_name if self.user_id else str(self.department)
        return f"{who} {self.year}-{self.month:02d} {self.metric}"

    @property
    def is_person(self) -> bool:
        return self.user_id is not None
