from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import StyledForm, StyledFormMixin, VersionedFormMixin
from kehu.customers import services
from kehu.customers.models import Contact, Customer
from kehu.customers.queries import dictionary_items
from kehu.customers.text import PHONE_TYPED_LENGTH, normalize_credit_code
from kehu.org.forms import PeopleChoiceField, PersonChoiceField, person_label
from kehu.org.models import Department, User


class CreditCodeField(forms.CharField):
    """The credit code as typed (spaces, full-width, lower case) normalised before its length is checked, as in
    the API and the import (`text.normalize_credit_code`)."""

    def to_python(self, value):
        return normalize_credit_code(super().to_python(value))


def typed_phone_field(label) -> forms.CharField:
    """A phone number as typed: its length is checked once the service has normalised it (`text.normalize_phone`)."""
    return forms.CharField(label=label, max_length=PHONE_TYPED_LENGTH, required=False)


class CustomerForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Customer
        fields = [
            "name",
            "credit_code",
            "industry",
            "level",
            "source",
            "region",
            "address",
            "website",
            "tags",
            "latitude",
            "longitude",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"credit_code": CreditCodeField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, code in (
            ("industry", "industry"),
            ("level", "customer_level"),
            ("source", "customer_source"),
            ("region", "region"),
        ):
            self.fields[name].queryset = dictionary_items(code)
        self.fields["name"].widget.attrs.update({"autocomplete": "off"})
        self.fields["latitude"].help_text = _("Optional: used to show the distance when checking in on a visit.")

    def service_check(self, data):
        services.check_customer_data(data)


class ContactForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "mobile", "email", "wechat", "decision_role", "is_primary", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mobile"] = typed_phone_field(self.fields["mobile"].label)

    def clean_mobile(self):
        phone, problem = services.clean_phone(self.cleaned_data["mobile"])
        if problem:
            raise ValidationError(problem)
        return phone  # normalised before the model checks its length


class FirstContactForm(StyledFormMixin, forms.Form):
    """The primary contact typed together with a new customer (more contacts are added on its page)."""

    contact_name = forms.CharField(label=_("Contact name"), max_length=60, required=False)
    contact_title = forms.CharField(label=_("Contact's job title"), max_length=60, required=False)
    contact_mobile = forms.CharField(label=_("Contact's mobile"), max_length=PHONE_TYPED_LENGTH, required=False)
    contact_email = forms.EmailField(label=_("Contact's e-mail"), required=False)

    def service_check(self, data):
        if not any(data.get(k) for k in ("contact_name", "contact_mobile", "contact_email", "contact_title")):
            return
        try:
            services.check_contact({"name": data.get("contact_name"), "mobile": data.get("contact_mobile")})
        except ValidationError as exc:
            raise ValidationError(
                {f"contact_{name}": messages for name, messages in exc.message_dict.items()}
            ) from None

    def contacts(self) -> list[dict]:
        data = self.cleaned_data
        if not any(data.get(k) for k in ("contact_name", "contact_mobile", "contact_email")):
            return []
        return [
            {
                "name": data["contact_name"],
                "title": data["contact_title"],
                "mobile": data["contact_mobile"],
                "email": data["contact_email"],
                "decision_role": Contact.DecisionRole.OTHER,
                "is_primary": True,
            }
        ]


class ShareForm(StyledForm):
    users = PeopleChoiceField(label=_("Colleagues"), required=False, widget=forms.SelectMultiple(attrs={"size": 8}))
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    can_edit = forms.BooleanField(label=_("They may edit it"), required=False)
    until = forms.DateTimeField(
        label=_("Shared until (optional)"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(is_active=True).order_by("path")
        self.fields["departments"].label_from_instance = lambda d: ("\u3000" * (d.depth - 1)) + d.name


class TransferForm(StyledForm):
    to_user = PersonChoiceField(label=_("New owner"))
    reason = forms.CharField(label=_("Reason"), max_length=100, required=False)


class HandoverForm(StyledForm):
    leaver = forms.ModelChoiceField(label=_("Person leaving"), queryset=User.objects.none())
    successor = PersonChoiceField(label=_("Successor"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaver"].queryset = User.objects.select_related("department").order_by("status", "name")
        self.fields["leaver"].label_from_instance = lambda u: (
            person_label(u) + ("" if u.is_active else f" · {u.get_status_display()}")
        )


class MergeForm(StyledForm):
    keep = forms.CharField(label=_("Customer to keep (number)"), max_length=20)
    duplicate = forms.CharField(label=_("Duplicate to merge into it (number)"), max_length=20)
