import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import StyledForm, StyledFormMixin, VersionedFormMixin
from kehu.core.modules import all_modules
from kehu.org.models import Department, Role, RoleGrant, User

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


class LoginForm(StyledFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password. Note that the password is case-sensitive."),
        "inactive": _("This account is disabled. Ask your administrator."),
    }


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


def department_choices(include_closed=False):
    departments = Department.objects.get_tree()
    return [
        (d.pk, ("\u3000" * (d.depth - 1)) + d.name + ("" if d.is_active else f" ({_('closed')})"))
        for d in departments
        if include_closed or d.is_active
    ]


def active_people():
    """The people one may pick for a task, a share, an owner, a head: not left, login enabled."""
    return (
        User.objects.filter(status=User.Status.ACTIVE, is_active=True)
        .select_related("department")
        .order_by("department__path", "name")
    )


def person_label(user) -> str:
    return f"{user.display_name} · {user.department or '—'}"


class PersonChoiceField(forms.ModelChoiceField):
    """A select of active people ("name · department"); narrow it by passing `queryset`."""

    def __init__(self, queryset=None, **kwargs):
        super().__init__(queryset=active_people() if queryset is None else queryset, **kwargs)

    def label_from_instance(self, obj):
        return person_label(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple select of active people ("name · department")."""

    def __init__(self, queryset=None, **kwargs):
        super().__init__(queryset=active_people() if queryset is None else queryset, **kwargs)

    def label_from_instance(self, obj):
        return person_label(obj)


class DepartmentChoiceField(forms.TypedChoiceField):
    def __init__(self, *args, include_closed=False, **kwargs):
        kwargs.setdefault("coerce", int)
        super().__init__(*args, choices=[], **kwargs)
        self.include_closed = include_closed

    def refresh(self):
        self.choices = [("", "—")] + department_choices(self.include_closed)


class DepartmentForm(VersionedFormMixin, forms.Form):
    name = forms.CharField(label=_("Department name"), max_length=60)
    code = forms.CharField(label=_("Code"), max_length=30, required=False)
    parent = DepartmentChoiceField(label=_("Parent department"), required=False)
    head = PersonChoiceField(label=_("Head"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].refresh()
        self.fields["parent"].required = Department.objects.exists()


class MoveDepartmentForm(StyledForm):
    parent = DepartmentChoiceField(label=_("Move under"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].refresh()


def validate_phone(value: str):
    if value and not PHONE_RE.match(value):
        raise forms.ValidationError(_("Enter an 11-digit mainland mobile number, e.g. 13812345678."))


class UserForm(VersionedFormMixin, forms.ModelForm):
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Leave empty to set it later."),
    )

    class Meta:
        model = User
        fields = ["username", "name", "phone", "email", "title", "department", "superior", "roles"]
        widgets = {"roles": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["department"].required = True
        self.fields["department"].queryset = Department.objects.order_by("path")
        self.fields["department"].label_from_instance = lambda d: ("\u3000" * (d.depth - 1)) + d.name
        self.fields["superior"] = PersonChoiceField(label=self.fields["superior"].label, required=False)
        self.fields["roles"].queryset = Role.objects.all()
        self.fields["phone"].validators.append(validate_phone)
        if self.instance.pk:
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if password:
            validate_password(password)
        return password


class AdminPasswordForm(StyledForm):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class RoleForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Role
        fields = ["code", "name_zh", "name_en", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.is_system:
            self.fields["code"].disabled = True


class GrantRow:
    """One module's row in the role editor: its action checkboxes, scope and chosen departments."""

    def __init__(self, module, grant: RoleGrant | None, data=None):
        self.module = module
        prefix = f"grant-{module.key}"
        self.prefix = prefix
        if data is not None:
            self.actions = [a for a in module.actions if data.get(f"{prefix}-{a}")]
            self.scope = data.get(f"{prefix}-scope") or RoleGrant.Scope.SELF
            self.department_ids = [int(v) for v in data.getlist(f"{prefix}-departments") if v.isdigit()]
        else:
            self.actions = list(grant.actions) if grant else []
            self.scope = grant.scope if grant else RoleGrant.Scope.SELF
            self.department_ids = [d.pk for d in grant.departments.all()] if grant else []

    @property
    def action_choices(self):
        return [(a, self.module.action_label(a), a in self.actions) for a in self.module.actions]


def grant_rows(role: Role | None, data=None) -> list[GrantRow]:
    grants = {g.module: g for g in role.grants.prefetch_related("departments")} if role and role.pk else {}
    return [GrantRow(m, grants.get(m.key), data) for m in all_modules()]


class AuthoriseForm(StyledForm):
    operation = forms.ChoiceField(
        label=_("Operation"),
        choices=[("grant", _("Grant roles")), ("revoke", _("Revoke roles"))],
        widget=forms.RadioSelect,
        initial="grant",
    )
    roles = forms.ModelMultipleChoiceField(
        label=_("Roles"), queryset=Role.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    users = PeopleChoiceField(label=_("Users"), required=False, widget=forms.SelectMultiple(attrs={"size": 10}))
    departments = forms.ModelMultipleChoiceField(
        label=_("Whole departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    include_sub_departments = forms.BooleanField(label=_("Include sub-departments"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(is_active=True).order_by("path")
        self.fields["departments"].label_from_instance = lambda d: ("\u3000" * (d.depth - 1)) + d.name
