from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import StyledForm, VersionedFormMixin
from kehu.core.models import DictionaryItem
from kehu.sales.cases.models import Case
from kehu.sales.models import Opportunity


class CaseForm(VersionedFormMixin, forms.ModelForm):
    industry = forms.ModelChoiceField(
        label=_("industry"),
        required=False,
        empty_label=_("Choose…"),
        queryset=DictionaryItem.objects.filter(dictionary__code="industry", is_active=True),
    )

    class Meta:
        model = Case
        fields = ["title", "industry", "amount", "problem", "solution", "products", "lessons"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in ("problem", "solution", "products", "lessons")}
        help_texts = {
            "title": _("What was won, without the customer's name (e.g. “MES roll-out for an auto parts maker”)."),
            "products": _("One product or service a line."),
        }


class AttachmentForm(StyledForm):
    file = forms.FileField(label=_("File"))


class OpportunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} · {obj.name}"


class NewCaseForm(CaseForm):
    opportunity = OpportunityChoiceField(label=_("Won opportunity"), queryset=None, empty_label=_("Choose…"))

    def __init__(self, *args, opportunities=None, **kwargs):
        super().__init__(*args, **kwargs)
        # no queryset given: nothing to choose (never None, which a bound form could not check)
        self.fields["opportunity"].queryset = opportunities if opportunities is not None else Opportunity.objects.none()
        self.order_fields(["opportunity", *[f for f in self.fields if f != "opportunity"]])
