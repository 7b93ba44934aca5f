"""Form helpers shared by every app: Bootstrap widgets, invalid fields marked, every check in one pass, the version
field of optimistic locking."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kehu.core.models import DictionaryItem, MenuSetting


class StyledFormMixin:
    """Gives every widget the Bootstrap class it needs, so templates render fields uniformly, and marks every
    field with an error — its own, from `clean()` or added later from a service — with `is-invalid` (the red
    border) and `aria-invalid`, whatever template renders it.

    A form whose rules live in a service declares `service_check(cleaned_data)`: it runs in `clean()`, after the
    field checks, and each error it raises lands on its field — so one submit shows every problem at once
    (a field that failed its own check keeps that message instead)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def service_check(self, data: dict) -> None:
        """Raise the service's ValidationError for `data` (the fields that passed their own checks)."""

    def clean(self):
        data = super().clean()
        try:
            self.service_check(data)
        except ValidationError as exc:
            add_errors(self, exc)
        return data

    def add_error(self, field, error):
        super().add_error(field, error)
        self.mark_invalid()

    def full_clean(self):
        super().full_clean()
        self.mark_invalid()

    def mark_invalid(self) -> None:
        for name in self._errors or ():
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                classes = attrs.get("class", "").split()
                if "is-invalid" not in classes:
                    attrs["class"] = " ".join([*classes, "is-invalid"])
                attrs["aria-invalid"] = "true"


def add_errors(form, error: ValidationError) -> None:
    """A service's ValidationError on the form: each message next to the field it names (top of the form for
    the others); a field that already has an error keeps it (its own check said it first)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        target = name if name in form.fields else None
        if target is not None and target in (form._errors or {}):
            continue
        form.add_error(target, messages)


def all_valid(*forms_) -> bool:
    """Validate every form (no short circuit: each shows all its errors on the same submit)."""
    return all([form.is_valid() for form in forms_])


class StyledForm(StyledFormMixin, forms.Form):
    pass


class VersionedFormMixin(StyledFormMixin):
    """Carries the version the user loaded, so the service can refuse a stale save."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and not self.is_bound:
            self.initial["version"] = instance.version


class DictionaryItemForm(VersionedFormMixin, forms.ModelForm):
    sort_order = forms.IntegerField(label=_("sort order"), required=False, min_value=0)

    class Meta:
        model = DictionaryItem
        fields = ["code", "label_zh", "label_en", "sort_order", "is_active"]
        help_texts = {"code": _("Letters, digits, - and _. Used by imports and the API; cannot change later.")}

    def clean_sort_order(self):
        return self.cleaned_data.get("sort_order") or 0


class MenuSettingForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = MenuSetting
        fields = ["label_zh", "label_en", "sort_order", "hidden_for_roles"]
        widgets = {"hidden_for_roles": forms.CheckboxSelectMultiple}
        help_texts = {
            "label_zh": _("Leave empty to keep the built-in name."),
            "hidden_for_roles": _("Users whose every role is ticked will not see this entry."),
        }
