"""Forms of the targets pages: which report to show, a year of targets for one subject, the import upload."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core import importing, metrics
from kehu.core.forms import StyledForm
from kehu.sales.targets.arithmetic import PERIOD_KINDS


def metric_choices():
    return [(m.key, m.label) for m in metrics.all_metrics()]


def year_choices():
    this = timezone.localdate().year
    return [(y, str(y)) for y in range(this + 1, this - 4, -1)]


class ReportForm(StyledForm):
    """What the targets page shows: a metric, a year and a period; bad input falls back to the defaults."""

    metric = forms.ChoiceField(label=_("Metric"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    kind = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year"))],
    )
    index = forms.IntegerField(label=_("Which"), required=False, min_value=1, max_value=12)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metric_choices()
        self.fields["year"].choices = year_choices()

    def values(self) -> dict:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        kind = data.get("kind") or "year"
        index = data.get("index") or (today.month if kind == "month" else (today.month - 1) // 3 + 1)
        if kind == "quarter" and index > 4:
            index = 1
        if kind not in PERIOD_KINDS:
            kind = "year"
        return {
            "metric": metrics.get(data.get("metric") or "") or metrics.all_metrics()[0],
            "year": data.get("year") or today.year,
            "kind": kind,
            "index": 1 if kind == "year" else index,
        }


class YearTargetsForm(StyledForm):
    """Twelve months of one subject: an amount and the version each month had when the form was opened."""

    def __init__(self, *args, line=None, unit="money", **kwargs):
        super().__init__(*args, **kwargs)
        for month in range(1, 13):
            name = f"m{month}"
            self.fields[name] = forms.CharField(
                label=date(2000, month, 1).strftime("%m"),
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control text-end"}),
            )
            self.fields[f"v{month}"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
            if line is not None and not self.is_bound:
                if month in line.months_target and (line.kind == "person" or line.own_target):
                    self.initial[name] = line.months_target[month]
                self.initial[f"v{month}"] = line.versions.get(month, 0)

    def amounts(self) -> dict:
        return {m: self.cleaned_data.get(f"m{m}") for m in range(1, 13)}

    def versions(self) -> dict:
        return {m: self.cleaned_data.get(f"v{m}") for m in range(1, 13)}


class ImportForm(StyledForm):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    mode = forms.ChoiceField(
        label=_("What to do"),
        choices=[
            ("validate", _("Check only (write nothing)")),
            ("all", _("Write every row, or nothing if a row has an error")),
            ("valid_only", _("Write the rows without errors")),
        ],
        initial="validate",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Upload an Excel workbook (.xlsx); download the template if unsure."))
        if upload.size > importing.MAX_FILE_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": importing.MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload
