"""Forms of follow-ups and visits, and the read side of their lists: one FilterSet per list serves the page and
the API, always on top of `visible_to(user)`. The rules themselves live in `activities.py`."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import StyledForm, StyledFormMixin
from kehu.customers.activities import reviewable_q_departments
from kehu.customers.models import Contact, FollowUp, Visit
from kehu.org.models import User
from kehu.org.scope import effective_scope

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _local_minute(when):
    return timezone.localtime(when).replace(second=0, microsecond=0, tzinfo=None)


class ContactChoiceMixin:
    """A `contact` select limited to the customer's contacts."""

    def _limit_contacts(self, customer):
        field = self.fields["contact"]
        field.queryset = customer.contacts.all()
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


class FollowUpFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=FollowUp.Kind.choices)
    author = django_filters.NumberFilter(label=_("Author"), field_name="author_id")
    customer = django_filters.NumberFilter(label=_("Customer"), field_name="customer_id")
    date_from = django_filters.DateFilter(label=_("From"), field_name="happened_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="happened_at", lookup_expr="date__lte")
    overdue = django_filters.BooleanFilter(label=_("Overdue next steps only"), method="filter_overdue")

    class Meta:
        model = FollowUp
        fields = ["kind", "author", "customer", "date_from", "date_to", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(next_step_due__lt=timezone.localdate(), next_step_done_at__isnull=True).exclude(
            next_step=""
        )


FOLLOWUP_SORTS = {"when": "happened_at", "due": "next_step_due"}


def followups_for(user):
    """The follow-ups on customers in `user`'s scope."""
    return FollowUp.objects.visible_to(user).select_related("customer", "author", "contact")


def authors_in_scope(user):
    """The people whose follow-ups `user` may filter by: everyone in the departments of their scope, and them."""
    scope = effective_scope(user, "customers", "view")
    people = User.objects.filter(status=User.Status.ACTIVE)
    if not scope.everything:
        people = people.filter(Q(department_id__in=scope.department_ids) | Q(pk=user.pk))
    return people.order_by("name")


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


class VisitFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Visit.Status.choices)
    visitor = django_filters.NumberFilter(label=_("Visitor"), field_name="visitor_id")
    customer = django_filters.NumberFilter(label=_("Customer"), field_name="customer_id")
    date_from = django_filters.DateFilter(label=_("From"), field_name="planned_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="planned_at", lookup_expr="date__lte")

    class Meta:
        model = Visit
        fields = ["status", "visitor", "customer", "date_from", "date_to"]


VISIT_BOXES = {
    "upcoming": _("Upcoming"),
    "today": _("Today"),
    "done": _("Done"),
    "review": _("To review"),
    "all": _("All"),
}


def visits_for(user, box: str = "all"):
    """The visits of one tab: my open visits ("upcoming"), mine planned for today, mine done, the done visits of
    people I manage not reviewed yet ("review"), or every visit to customers in my scope ("all")."""
    visits = Visit.objects.visible_to(user).select_related("customer", "contact", "visitor")
    if box == "upcoming":
        open_statuses = [Visit.Status.PLANNED, Visit.Status.CHECKED_IN]
        return visits.filter(visitor=user, status__in=open_statuses).order_by("planned_at", "pk")
    if box == "today":
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        return visits.filter(visitor=user, planned_at__gte=start, planned_at__lt=start + timedelta(days=1)).order_by(
            "planned_at", "pk"
        )
    if box == "done":
        return visits.filter(visitor=user, status=Visit.Status.DONE).order_by("-checked_in_at", "-pk")
    if box == "review":
        return to_review_for(user, visits)
    return visits


def to_review_for(user, visits=None):
    visits = visits if visits is not None else Visit.objects.visible_to(user).select_related("customer", "visitor")
    visits = visits.filter(status=Visit.Status.DONE, reviewed_at__isnull=True).exclude(visitor=user)
    departments = reviewable_q_departments(user)
    if departments is not None:
        visits = visits.filter(visitor__department_id__in=departments)
    return visits.order_by("checked_in_at", "pk")


def reviews_anyone(user) -> bool:
    departments = reviewable_q_departments(user)
    return departments is None or bool(departments)
