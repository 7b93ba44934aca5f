"""Forms of the public pool pages: the release reason, assignment by ops, and the rules and caps settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import StyledForm, StyledFormMixin
from kehu.customers.models import PoolRule
from kehu.customers.queries import dictionary_items
from kehu.org.forms import PersonChoiceField
from kehu.org.models import Role


class ReleaseForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. no budget this year")}),
    )


class AssignForm(StyledForm):
    to_user = PersonChoiceField(label=_("Assign to"))


class PoolRuleForm(StyledFormMixin, forms.ModelForm):
    days_without_followup = forms.IntegerField(
        label=_("Days without a follow-up"), min_value=1, required=False, help_text=_("Empty: never.")
    )
    days_without_opportunity = forms.IntegerField(
        label=_("Days without a new opportunity"), min_value=1, required=False, help_text=_("Empty: never.")
    )
    warn_days_before = forms.IntegerField(label=_("Warn days before"), min_value=0, initial=3)
    reclaim_block_days = forms.IntegerField(label=_("Reclaim block (days)"), min_value=0, initial=30)

    class Meta:
        model = PoolRule
        fields = [
            "level",
            "days_without_followup",
            "days_without_opportunity",
            "warn_days_before",
            "reclaim_block_days",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = dictionary_items("customer_level")
        self.fields["level"].label = _("Customer level")
        self.fields["is_active"].label = _("In force")
        if self.instance.pk:
            # A rule's level is fixed once created; the default rule has none.
            self.fields["level"].disabled = True
            self.fields["level"].required = False

    def has_changed(self):
        # A new-rule row left empty is not an error, just nothing to save.
        if not self.instance.pk and not self.data.get(self.add_prefix("level")):
            return False
        return super().has_changed()


PoolRuleFormSet = forms.modelformset_factory(PoolRule, form=PoolRuleForm, extra=1, can_delete=True)


class LimitForm(StyledForm):
    role = forms.ModelChoiceField(queryset=Role.objects.all(), widget=forms.HiddenInput)
    max_owned = forms.IntegerField(label=_("Most customers owned"), min_value=0, required=False)
    max_claims_per_day = forms.IntegerField(label=_("Most claims a day"), min_value=0, required=False)


LimitFormSet = forms.formset_factory(LimitForm, extra=0)
