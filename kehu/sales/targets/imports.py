"""Importing targets from Excel through the generic import (kehu.core.importing): one row a month of one person
(account) or one department (name, full name or code). Every row is checked first; the rows are written by the
same writer as the form (`services.import_target`), overwriting the month."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from kehu.core import importing, metrics
from kehu.core.importing import Column, RowError
from kehu.org.models import Department, User
from kehu.org.services import require
from kehu.sales.targets import services

COLUMNS = (
    Column("metric", "指标", gettext_noop("Metric"), required=True),
    Column("year", "年份", gettext_noop("Year"), required=True),
    Column("month", "月份", gettext_noop("Month"), required=True),
    Column("username", "账号", gettext_noop("Account"), aliases=("用户名", "username")),
    Column("department", "部门", gettext_noop("Department")),
    Column("amount", "指标值", gettext_noop("Target"), aliases=("目标", "target", "amount"), required=True),
)


@dataclass
class TargetRow:
    number: int
    metric: str
    year: int
    month: int
    user: User | None
    department: Department | None
    amount: Decimal

    def key(self):
        return (
            self.metric,
            self.year,
            self.month,
            self.user.pk if self.user else None,
            None if self.user else self.department.pk,
        )


def metric_spellings() -> dict[str, str]:
    """Metric keys by every accepted spelling: the key, the Chinese and the English label."""
    found = {}
    for metric in metrics.all_metrics():
        found[metric.key.lower()] = metric.key
        for language in ("zh-hans", "en"):
            with translation.override(language):
                found[importing.header_key(str(metric.label))] = metric.key
    return found


def _int(text: str):
    text = importing.to_half_width(text).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() else None


@importing.register("targets")
class TargetImport(importing.Importer):
    columns = COLUMNS
    sheet_title = gettext_lazy("Sales targets")

    def __init__(self, actor, owner=None, **options):
        super().__init__(actor, **options)

    def check(self) -> None:
        require(self.actor, "targets", "change")

    def validate(self, rows, progress=importing.no_progress):
        self._metrics = metric_spellings()
        self._users = {}
        self._departments = {}
        return super().validate(rows, progress)

    def _user(self, username: str):
        key = username.lower()
        if key not in self._users:
            self._users[key] = User.objects.filter(username__iexact=username).first()
        return self._users[key]

    def _department(self, text: str):
        if text not in self._departments:
            found = Department.objects.filter(code=text).first() if text else None
            if found is None:
                named = [d for d in Department.objects.filter(name=text.split("/")[-1].strip())]
                matching = [
                    d for d in named if d.name == text or d.full_name().replace(" ", "") == text.replace(" ", "")
                ]
                found = matching[0] if len(matching) == 1 else None
            self._departments[text] = found
        return self._departments[text]

    def clean_row(self, number: int, values: dict[str, str]) -> tuple[TargetRow | None, list[RowError]]:
        errors: list[RowError] = []

        def error(name, message):
            errors.append(self.error(number, name, message))

        metric = self._metrics.get(importing.header_key(values["metric"])) or self._metrics.get(
            values["metric"].strip().lower()
        )
        if metric is None:
            error(
                "metric",
                _("“%(value)s” is not a metric; use one of: %(names)s.")
                % {"value": values["metric"], "names": "、".join(str(m.label) for m in metrics.all_metrics())},
            )
        year = _int(values["year"])
        if year is None or not 2000 <= year <= 2100:
            error("year", _("Enter a year between 2000 and 2100."))
        month = _int(values["month"])
        if month is None or not 1 <= month <= 12:
            error("month", _("Enter a month from 1 to 12."))
        amount = None
        try:
            amount = services.clean_amount(values["amount"])
            if amount is None:
                error("amount", _("Enter the target."))
        except ValidationError as exc:
            error("amount", exc.message_dict["amount"][0])
        user = department = None
        username, department_text = values["username"].strip(), values["department"].strip()
        if bool(username) == bool(department_text):
            error("username", _("Fill in either the account (a person's target) or the department, not both."))
        elif username:
            user = self._user(username)
            if user is None:
                error("username", _("No user has the account “%(value)s”.") % {"value": username})
        else:
            department = self._department(department_text)
            if department is None:
                error(
                    "department",
                    _("No single department is called “%(value)s”; use its code or full name.")
                    % {"value": department_text},
                )
        if user is not None or department is not None:
            try:
                services.check_subject(self.actor, user=user, department=department)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    error("username" if name == "user" else name, messages[0])
        if errors:
            return None, errors
        return TargetRow(number, metric, year, month, user, department, amount), errors

    def check_rows(self, rows, errors) -> None:
        first = {}
        for number, row in rows:
            if row is None:
                continue
            seen = first.setdefault(row.key(), number)
            if seen != number:
                errors.setdefault(number, []).append(
                    self.error(number, "month", _("The same target as row %(row)d.") % {"row": seen})
                )

    def write_rows(self, rows: list[TargetRow], progress) -> int:
        for done, row in enumerate(rows, start=1):
            services.import_target(self.actor, row)
            if done % 500 == 0:
                progress("writing", done, len(rows))
        return len(rows)


def run_import(actor, source, *, mode: str = "validate"):
    return TargetImport(actor).run(source, mode=mode)
