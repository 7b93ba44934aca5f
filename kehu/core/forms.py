"""Form helpers shared by every app: Bootstrap widgets, the version field of optimistic locking."""

from pathlib import Path

from django import forms
from django import forms as django_forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from kehu.core.models import DictionaryItem, MenuSetting


class StyledFormMixin:
    """Gives every widget the Bootstrap class it needs, so templates render fields uniformly."""

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


class FormRenderer(DjangoTemplates):
    """Django's form renderer with Kehu's few widget templates first (kehu/core/form_templates): every select of
    every form, in any app, offers "请选择" / "Choose…" instead of Django's "---------"."""

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [Path(__file__).parent / "form_templates", Path(django_forms.__file__).parent / "templates"],
                "NAME": "kehuforms",
                "OPTIONS": {},
            }
        )
