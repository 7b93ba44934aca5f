"""Forms of the opportunity pages; every check that matters is the service's (the same for the API)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import StyledForm, VersionedFormMixin
from kehu.customers.models import Contact, Customer, FollowUp
from kehu.org.forms import PeopleChoiceField, PersonChoiceField
from kehu.sales import stages
from kehu.sales.models import Opportunity, Stage
from kehu.sales.queries import dictionary_items


class OpportunityForm(VersionedFormMixin, forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    name = forms.CharField(label=_("Opportunity name"), max_length=100)
    amount = forms.CharField(
        label=_("Amount (¥)"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    expected_close_date = forms.DateField(
        label=_("Expected close date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)
    source = forms.ModelChoiceField(label=_("Source"), queryset=dictionary_items("opportunity_source"), required=False)
    decision_maker = forms.ModelChoiceField(label=_("Decision maker"), queryset=Contact.objects.none(), required=False)
    contacts = forms.ModelMultipleChoiceField(
        label=_("Contacts"), queryset=Contact.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    competitors = forms.ModelMultipleChoiceField(
        label=_("Competitors"),
        queryset=dictionary_items("competitor"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    products = forms.CharField(
        label=_("Products of interest"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One product a line."),
    )
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    team_view = PeopleChoiceField(label=_("Team members (read-only)"), required=False)
    team_edit = PeopleChoiceField(label=_("Team members (may edit)"), required=False)

    def __init__(self, *args, user=None, opportunity: Opportunity | None = None, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = opportunity
        if opportunity is not None and not self.is_bound:
            self.initial.update(
                {
                    "version": opportunity.version,
                    "customer": opportunity.customer_id,
                    "name": opportunity.name,
                    "amount": "" if opportunity.amount is None else f"{opportunity.amount}",
                    "expected_close_date": opportunity.expected_close_date,
                    "stage": opportunity.stage_id,
                    "source": opportunity.source_id,
                    "decision_maker": opportunity.decision_maker_id,
                    "contacts": list(opportunity.contacts.values_list("pk", flat=True)),
                    "competitors": list(opportunity.competitors.values_list("pk", flat=True)),
                    "products": "\n".join(opportunity.lines.values_list("description", flat=True)),
                    "next_step": opportunity.next_step,
                    "description": opportunity.description,
                }
            )
        customers = Customer.objects.visible_to(user).filter(status=Customer.Status.ACTIVE, owner__isnull=False)
        self.fields["customer"].queryset = customers.order_by("name_pinyin", "pk")
        chosen = opportunity.customer if opportunity else customer
        if chosen is None and self.is_bound and str(self.data.get("customer", "")).isdigit():
            chosen = customers.filter(pk=self.data["customer"]).first()
        if opportunity is not None:
            self.fields["customer"].disabled = True
        elif customer is not None and not self.is_bound:
            self.initial["customer"] = customer.pk
        contacts = Contact.objects.filter(customer=chosen) if chosen else Contact.objects.none()
        self.fields["decision_maker"].queryset = contacts
        self.fields["contacts"].queryset = contacts
        self.fields["stage"].queryset = Stage.objects.filter(is_active=True).order_by("position", "pk")
        self.fields["stage"].empty_label = None
        if opportunity is not None:
            del self.fields["team_view"], self.fields["team_edit"]
        required = {f for s in self.fields["stage"].queryset for f in s.required_fields}
        for name in required & set(self.fields):
            self.fields[name].help_text = _("Some stages require it.")

    def service_data(self) -> dict:
        data = self.cleaned_data
        out = {
            name: data.get(name)
            for name in (
                "name",
                "amount",
                "expected_close_date",
                "stage",
                "source",
                "decision_maker",
                "description",
                "next_step",
            )
        }
        if self.instance is None:
            out["customer"] = data.get("customer")
            members = [(u, False) for u in data.get("team_view") or []]
            members += [(u, True) for u in data.get("team_edit") or []]
            out["members"] = members
        out["contacts"] = list(data.get("contacts") or [])
        out["competitors"] = list(data.get("competitors") or [])
        out["lines"] = [{"description": line} for line in (data.get("products") or "").splitlines() if line.strip()]
        return out


class FollowUpForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=FollowUp.Kind.choices)
    content = forms.CharField(label=_("What was discussed"), widget=forms.Textarea(attrs={"rows": 4}))
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False)
    stage = forms.ModelChoiceField(
        label=_("Move to stage"), queryset=Stage.objects.none(), required=False, empty_label=_("Keep the stage")
    )
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    next_step_due = forms.DateField(
        label=_("Next step due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, opportunity: Opportunity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(customer=opportunity.customer_id)
        self.fields["stage"].queryset = Stage.objects.filter(is_active=True).exclude(pk=opportunity.stage_id)


class WinForm(VersionedFormMixin, forms.Form):
    won_amount = forms.CharField(label=_("Won amount (¥)"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    closed_on = forms.DateField(
        label=_("Won on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LoseForm(VersionedFormMixin, forms.Form):
    loss_reason = forms.ModelChoiceField(
        label=_("Loss reason"), queryset=dictionary_items("loss_reason"), required=False
    )
    won_by_competitor = forms.ModelChoiceField(
        label=_("Competitor who won"), queryset=dictionary_items("competitor"), required=False
    )
    result_note = forms.CharField(label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    closed_on = forms.DateField(
        label=_("Lost on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ReopenForm(VersionedFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why is it reopened?"), max_length=200, required=False)


class ReviewForm(StyledForm):
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class TransferForm(StyledForm):
    to_user = PersonChoiceField(label=_("New owner"), empty_label=_("New owner…"))
    reason = forms.CharField(label=_("Reason"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["placeholder"] = _("Reason (optional)")


class StageForm(VersionedFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40)
    position = forms.IntegerField(label=_("Order"), min_value=0)
    probability = forms.IntegerField(label=_("Win probability (%)"), min_value=0, max_value=100)
    required_fields = forms.MultipleChoiceField(
        label=_("Required to enter"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )
    may_reenter = forms.BooleanField(label=_("May move back into it"), required=False)
    rotting_days = forms.IntegerField(label=_("Stalled after days"), min_value=1, required=False)
    is_active = forms.BooleanField(label=_("In use"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_fields"].choices = [(n, stages.field_label(n)) for n in stages.GATE_FIELDS]
