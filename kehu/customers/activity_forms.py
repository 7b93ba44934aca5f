"""Forms of follow-ups and visits. The read side of their lists is in `queries.py`, the rules in `activities.py`."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import StyledForm, StyledFormMixin
from kehu.customers.models import Contact, FollowUp
from kehu.customers.queries import contacts_of

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _local_minute(when):
    return timezone.localtime(when).replace(second=0, microsecond=0, tzinfo=None)


class ContactChoiceMixin:
    """A `contact` select limited to the customer's contacts."""

    def _limit_contacts(self, customer):
        field = self.fields["contact"]
        field.queryset = contacts_of(customer)
        field.empty_label = _("— no particular contact —")


# --- follow-ups -------------------------------------------------------------------------------
class FollowUpForm(ContactChoiceMixin, StyledFormMixin, forms.ModelForm):
    happened_at = forms.DateTimeField(label=_("When"), required=False, widget=DATETIME)

    class Meta:
        model = FollowUp
        fields = ["kind", "contact", "happened_at", "content", "next_step", "next_step_due"]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 5}),
            "next_step_due": DATE,
        }
        labels = {"content": _("What was discussed")}
        help_texts = {"next_step_due": _("Overdue next steps show on the workbench.")}

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_contacts(customer)
        self.fields["content"].required = True
        if self.instance.pk:
            del self.fields["happened_at"]
        elif not self.is_bound:
            self.initial["happened_at"] = _local_minute(timezone.now())


# --- visits -----------------------------------------------------------------------------------
class VisitPlanForm(ContactChoiceMixin, StyledForm):
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    planned_at = forms.DateTimeField(label=_("Planned for"), widget=DATETIME)

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_contacts(customer)
        if not self.is_bound:
            next_hour = _local_minute(timezone.now()).replace(minute=0) + timedelta(hours=2)
            self.initial["planned_at"] = next_hour


class CheckInForm(StyledForm):
    """Filled by the page's script from `navigator.geolocation`; all empty when the browser gives no location."""

    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, widget=forms.HiddenInput)
    photo = forms.FileField(
        label=_("Photo on site (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class SummaryForm(StyledForm):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 6}))
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    next_step_due = forms.DateField(label=_("Next step due"), required=False, widget=DATE)


class ReviewForm(StyledForm):
    comment = forms.CharField(
        label=_("Comment (optional)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
