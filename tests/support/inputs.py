"""Every way text enters Kehu, discovered rather than listed: the form classes and API serializers of every kehu
module, the registered importers, and the model text fields they write. The class tests (text normalisation,
one-pass validation, formula-safe exports) walk these, so a module added later is covered once it exists."""

import importlib
import pkgutil

from django import forms
from django.db import models
from rest_framework import serializers

import kehu

ENTRY_MODULES = ("forms", "views", "api", "serializers")  # module names (or suffixes: pool_forms) that hold inputs


def import_entry_modules() -> None:
    """Import every kehu module whose name ends in one of ENTRY_MODULES (forms, views, API)."""
    for info in pkgutil.walk_packages(kehu.__path__, "kehu."):
        last = info.name.rsplit(".", 1)[-1]
        if ".migrations" in info.name or ".management" in info.name:
            continue
        if any(last == name or last.endswith(f"_{name}") for name in ENTRY_MODULES):
            importlib.import_module(info.name)


def _subclasses(cls) -> list[type]:
    found, todo = [], [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                todo.append(sub)
    return found


def kehu_classes(base: type) -> list[type]:
    import_entry_modules()
    return sorted(
        (c for c in _subclasses(base) if c.__module__.startswith("kehu.")),
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def form_classes() -> list[type]:
    """Every concrete form class of kehu (plain and model forms)."""
    return [c for c in kehu_classes(forms.BaseForm) if c.base_fields]


def serializer_classes() -> list[type]:
    """Every serializer class of kehu (list serializers are their children's)."""
    return [c for c in kehu_classes(serializers.Serializer) if not issubclass(c, serializers.ListSerializer)]


def label(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def is_text_model_field(field) -> bool:
    return isinstance(field, models.CharField | models.TextField) and not field.choices


def model_text_fields() -> list[tuple[type, str]]:
    """(model, field name) of every CharField and TextField without choices of every kehu model that forms or
    serializers write (editable)."""
    from django.apps import apps

    return [
        (model, field.name)
        for model in apps.get_models()
        if model.__module__.startswith("kehu.")
        for field in model._meta.concrete_fields
        if is_text_model_field(field) and field.editable and not field.primary_key
    ]


def typed_text_fields() -> set[tuple[type, str]]:
    """(model, field name) of the model text fields people type on a page: those a kehu model form offers."""
    found = set()
    for form in form_classes():
        model = getattr(getattr(form, "_meta", None), "model", None)
        if model is None:
            continue
        for name, field in form.base_fields.items():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                try:
                    model_field = model._meta.get_field(name)
                except Exception:  # noqa: BLE001 - a form field that is no model field
                    continue
                if is_text_model_field(model_field):
                    found.add((model, name))
    return found
