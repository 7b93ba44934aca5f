"""Template tags of the generated list pages: a cell of a declared column, a filter of the filter bar."""

from django import forms, template
from django.template import Context
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def cell(context, column, obj):
    """The content of `column` for the row `obj`."""
    value = None if column.template else getattr(obj, column.key, None)
    return column.compiled.template.render(Context({**_page_context(context), "obj": obj, "value": value}))


@register.simple_tag(takes_context=True)
def batch_inputs(context, action):
    return action.compiled.template.render(Context(_page_context(context))) if action.compiled else ""


def _page_context(context) -> dict:
    """The page's context flattened once per rendering (not once per cell); context processors already ran."""
    cache = context.render_context
    if "kehu_lists_context" not in cache:
        cache["kehu_lists_context"] = context.flatten()
    return cache["kehu_lists_context"]


@register.simple_tag
def filter_input(item):
    """One filter of the filter bar as the phone and PC show it: search box, select, date or check box."""
    bound, main = item["field"], item["main"]
    field = bound.field
    css = "filter-main" if main else "filter-more"
    value = bound.value()
    label = str(field.label or bound.name)
    if isinstance(field.widget, forms.CheckboxInput) or isinstance(field, forms.NullBooleanField):
        checked = " checked" if str(value).lower() in {"true", "1", "on"} else ""
        return format_html(
            '<label class="form-check {} mb-0"><input class="form-check-input" type="checkbox" name="{}" '
            'value="true"{}> {}</label>',
            css,
            bound.html_name,
            checked,
            label,
        )
    if isinstance(field, forms.ChoiceField):
        current = "" if value is None else str(value)
        options = []
        for choice_value, choice_label in field.choices:
            choice_value = "" if choice_value is None else str(getattr(choice_value, "value", choice_value))
            if choice_value == "":
                choice_label = field.widget.attrs.get("data-empty") or _("Any %(label)s") % {"label": label.lower()}
            options.append((choice_value, " selected" if choice_value == current else "", choice_label))
        return format_html(
            '<select class="form-select {}" name="{}" aria-label="{}">{}</select>',
            css,
            bound.html_name,
            label,
            format_html_join("", '<option value="{}"{}>{}</option>', options),
        )
    if isinstance(field, forms.DateField):
        return format_html(
            '<input class="form-control {}" type="date" name="{}" value="{}" aria-label="{}" title="{}">',
            css,
            bound.html_name,
            value or "",
            label,
            label,
        )
    placeholder = item.get("placeholder") or field.widget.attrs.get("placeholder") or label
    kind = "search" if bound.name == "q" else "text"
    return format_html(
        '<input class="form-control {}" type="{}" name="{}" value="{}" placeholder="{}" aria-label="{}">',
        css,
        kind,
        bound.html_name,
        value or "",
        placeholder,
        label,
    )
