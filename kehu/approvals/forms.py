from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.approvals import registry, services
from kehu.core.forms import StyledForm
from kehu.org.forms import PersonChoiceField, active_people
from kehu.org.models import User


class ActForm(StyledForm):
    """One decision on a task: the buttons post `action`; the other fields matter to some actions only."""

    action = forms.ChoiceField(choices=[(a, a) for a in services.ACTIONS])
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    to = forms.CharField(label=_("Return to"), required=False, max_length=40)
    to_user = PersonChoiceField(label=_("Transfer to"), queryset=User.objects.none(), required=False)
    signer = PersonChoiceField(label=_("Add signer"), queryset=User.objects.none(), required=False)
    position = forms.ChoiceField(
        label=_("Position"), choices=[("before", _("Before me")), ("after", _("After me"))], required=False
    )
    layout = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = active_people()
        self.fields["signer"].queryset = active_people()


class CommentForm(StyledForm):
    comment = forms.CharField(label=_("Comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DelegationForm(StyledForm):
    user = PersonChoiceField(label=_("Who is away"), queryset=User.objects.none())
    delegate = PersonChoiceField(label=_("Delegate to"), queryset=User.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    doc_types = forms.MultipleChoiceField(
        label=_("Document types"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind of document."),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    def __init__(self, *args, actor=None, manage=False, **kwargs):
        super().__init__(*args, **kwargs)
        people = active_people()
        self.fields["user"].queryset = people if manage else people.filter(pk=actor.pk)
        self.fields["user"].initial = actor.pk
        if not manage:
            self.fields["user"].widget = forms.HiddenInput()
        self.fields["delegate"].queryset = people
        self.fields["doc_types"].choices = [(t.key, t.label) for t in registry.all_types()]

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end date is before the start date."))
        return data


def editable_inputs(doc_type, form: dict, names) -> list[dict]:
    """The approver's correction inputs for the fields the step lets them edit."""
    inputs = []
    for name in names:
        spec = doc_type.field(name)
        if spec is None:
            continue
        inputs.append(
            {
                "name": name,
                "label": spec.label,
                "kind": spec.kind,
                "value": "" if form.get(name) is None else str(form.get(name)),
                "choices": spec.choice_list() if spec.kind == "choice" else [],
                "multiline": spec.multiline,
            }
        )
    return inputs
