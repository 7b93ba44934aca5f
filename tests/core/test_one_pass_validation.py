"""One submit shows every problem (issue 10 item 10): every form of every module — discovered, not listed —
checks all its fields in one pass and marks each invalid one (`is-invalid`, the red border, and `aria-invalid`);
a page of several forms validates them all and shows one banner; a form's service rules (credit code, phone,
web address, coordinates) are checked in the same pass as its own field checks."""

import re

import pytest
from django import forms

from kehu.core.forms import StyledFormMixin, all_valid
from tests.support.inputs import form_classes, label

FORMS = form_classes()


def test_every_form_marks_its_invalid_fields():
    assert [label(form) for form in FORMS if not issubclass(form, StyledFormMixin)] == []


def _invalid_value(field):
    """A value the field refuses (None when no value can be refused, e.g. an optional check box)."""
    if isinstance(field.widget, forms.PasswordInput):  # passwords are taken as typed: only a missing one is wrong
        return "" if field.required else None
    if isinstance(field, forms.FileField | forms.BooleanField):
        return "" if field.required else None
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return ["__nope__"]
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return "__nope__"
    if isinstance(field, forms.CharField):
        return "\x07"  # a control character: refused by every text field (kehu.core.textinput)
    if isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        return "x"
    if isinstance(field, forms.DateField | forms.DateTimeField | forms.TimeField):
        return "x"
    return None


def _bound(form_class, data, org):
    """The form bound to `data`, built with the arguments forms take (a user, the actor, the customer)."""
    from kehu.customers.models import Customer
    from kehu.sales.models import Opportunity, Stage

    customer = Customer.objects.first()
    opportunity = Opportunity(customer=customer, stage=Stage.objects.order_by("position").first())
    attempts = (
        lambda: form_class(data=data),
        lambda: form_class(org.admin, data=data),
        lambda: form_class(data=data, actor=org.admin, manage=True),
        lambda: form_class(data=data, customer=customer),
        lambda: form_class(data=data, user=org.admin),
        lambda: form_class(data=data, opportunity=opportunity),
        lambda: form_class(data=data, opportunities=Opportunity.objects.all()),
    )
    for attempt in attempts:
        try:
            return attempt()
        except (TypeError, AttributeError):
            continue
    return None


@pytest.mark.parametrize("form_class", FORMS, ids=label)
def test_every_field_is_checked_and_marked_in_one_pass(form_class, org):
    from kehu.customers import services

    services.create_customer(org.admin, {"name": "表单客户"}, [{"name": "联系人"}])
    probe = _bound(form_class, {}, org)
    assert probe is not None, f"{label(form_class)} cannot be built with data (add its arguments here)"
    data, expected = {}, set()
    for name, field in probe.fields.items():
        if isinstance(field.widget, forms.HiddenInput) and name == "version":
            continue
        value = _invalid_value(field)
        if value is None:
            continue
        data[probe.add_prefix(name)] = value
        expected.add(name)
    form = _bound(form_class, data, org)
    assert form.is_valid() is False or not expected
    assert expected <= set(form.errors), (label(form_class), expected - set(form.errors))
    for name in expected:
        html = str(form[name])
        assert "is-invalid" in html and 'aria-invalid="true"' in html, (name, html)


def test_all_valid_validates_every_form():
    class One(StyledFormMixin, forms.Form):
        a = forms.CharField()

    first, second = One(data={}), One(data={})
    assert all_valid(first, second) is False
    assert (first.errors.keys(), second.errors.keys()) == ({"a"}, {"a"})


def test_the_new_customer_form_reports_every_problem_in_one_submit(client, org):
    client.force_login(org.rep)
    response = client.post(
        "/customers/new/",
        {
            "name": "",
            "credit_code": "91110108ABC",
            "website": "javascript:alert(1)",
            "latitude": "999",
            "contact_name": "",
            "contact_mobile": "12345",
        },
    )
    assert response.status_code == 200
    form, contact_form = response.context["form"], response.context["contact_form"]
    assert set(form.errors) == {"name", "credit_code", "website", "latitude"}
    assert set(contact_form.errors) == {"contact_name", "contact_mobile"}
    assert contact_form.errors["contact_mobile"] == ["12345 不是有效的电话号码。"]
    html = response.content.decode()
    assert html.count("请修改下方标出的字段。") == 1  # one banner for the page
    marked = re.findall(r'<(?:input|select|textarea)[^>]*\bis-invalid\b[^>]*name="([a-z_]+)"', html)
    marked += re.findall(r'<(?:input|select|textarea)[^>]*name="([a-z_]+)"[^>]*\bis-invalid\b', html)
    assert set(marked) == {"name", "credit_code", "website", "latitude", "contact_name", "contact_mobile"}
