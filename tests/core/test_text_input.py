"""Text normalisation, as a class (issue 10 item 2): every text field of every form, serializer and import —
discovered, not listed — refuses control characters and direction overrides, removes zero-width characters,
BOMs and soft hyphens, and a name made only of invisible characters is no name. The rules live once, in
`kehu.core.textinput`, installed into the field classes every input goes through."""

from io import BytesIO

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from kehu.core import importing, textinput
from kehu.core.xlsx import Book, read_cells
from kehu.customers import services
from kehu.customers.models import Customer
from tests.support.inputs import form_classes, label, model_text_fields, serializer_classes

BELL, OVERRIDE = "\x07", "\u202e"
HIDDEN = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


# --- the rules ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("武汉正泰\u200b商贸有限公司", "武汉正泰商贸有限公司"),
        ("\ufeff北京致远", "北京致远"),
        ("Kehu\u00adsoft", "Kehusoft"),
        ("第一行\r\n第二行\r第三行\u2028第四行", "第一行\n第二行\n第三行\n第四行"),
        ("制表\t保留", "制表\t保留"),
        ("emoji 👍🏽 ok", "emoji 👍🏽 ok"),
        (HIDDEN, ""),
    ],
)
def test_invisible_characters_are_removed(typed, stored):
    assert textinput.normalise(typed) == stored


@pytest.mark.parametrize(
    "char", ["\x00", BELL, "\x1b", "\x7f", "\x9b", OVERRIDE, "\u202a", "\u2066", "\ufffe", "\ud800"]
)
def test_control_and_direction_characters_are_refused(char):
    with pytest.raises(ValidationError) as refused:
        textinput.normalise(f"名{char}字")
    assert f"U+{ord(char):04X}" in refused.value.messages[0]


def test_text_without_a_limit_of_its_own_is_limited(settings):
    settings.KEHU_MAX_TEXT_LENGTH = 50
    assert textinput.normalise("x" * 50) == "x" * 50
    with pytest.raises(ValidationError) as refused:
        textinput.normalise("x" * 51)
    assert refused.value.messages == ["最多 50 个字符（当前 51 个）。"]


# --- every form field ---------------------------------------------------------------------------------
def _form_text_fields():
    for form in form_classes():
        for name, field in form.base_fields.items():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                yield pytest.param(form, name, id=f"{label(form)}.{name}")


FORM_FIELDS = list(_form_text_fields())


def test_the_walk_finds_the_forms_people_type_into():
    names = {param.id for param in FORM_FIELDS}
    assert {"kehu.customers.forms.CustomerForm.name", "kehu.customers.forms.FirstContactForm.contact_name"} <= names
    assert "kehu.org.forms.LoginForm.password" not in names  # passwords are left as typed


@pytest.mark.parametrize(("form", "name"), FORM_FIELDS)
def test_every_form_text_field_normalises(form, name):
    field = form.base_fields[name]
    for bad in (BELL, OVERRIDE):
        with pytest.raises(ValidationError):
            field.clean(f"a{bad}b")
    assert field.to_python(f"A{HIDDEN}B").endswith("AB")  # (a URL field adds its scheme)
    if field.required:
        with pytest.raises(ValidationError) as refused:
            field.clean(HIDDEN)
        assert refused.value.code == "required"


# --- every serializer field ---------------------------------------------------------------------------
def _serializer_text_fields():
    for serializer in serializer_classes():
        try:
            fields = serializer().fields
        except Exception:  # noqa: BLE001 - one that needs a context to be built: its fields are still CharFields
            continue
        for name, field in fields.items():
            if isinstance(field, serializers.CharField) and not field.read_only:
                if field.style.get("input_type") != "password":
                    yield pytest.param(serializer, name, id=f"{label(serializer)}.{name}")


SERIALIZER_FIELDS = list(_serializer_text_fields())


def test_the_walk_finds_the_serializers_integrators_write_with():
    names = {param.id for param in SERIALIZER_FIELDS}
    assert {"kehu.customers.api.CustomerWriteSerializer.name", "kehu.customers.api.ContactSerializer.name"} <= names


@pytest.mark.parametrize(("serializer", "name"), SERIALIZER_FIELDS)
def test_every_serializer_text_field_normalises(serializer, name):
    field = serializer().fields[name]
    for bad in (BELL, OVERRIDE):
        with pytest.raises(serializers.ValidationError):
            field.run_validation(f"a{bad}b")
    assert field.to_internal_value(f"A{HIDDEN}B") == "AB"
    if not field.allow_blank:
        with pytest.raises(serializers.ValidationError):
            field.run_validation(HIDDEN)


# --- every model text field, through the form and the serializer Django and DRF build for it ----------
@pytest.mark.parametrize(
    ("model", "name"), model_text_fields(), ids=[f"{m._meta.label}.{n}" for m, n in model_text_fields()]
)
def test_every_model_text_field_normalises_in_a_model_form_and_a_model_serializer(model, name):
    form_field = model._meta.get_field(name).formfield()
    if not isinstance(form_field.widget, forms.PasswordInput) and name != "password":
        with pytest.raises(ValidationError):
            form_field.clean(f"a{BELL}b")
        assert form_field.to_python(f"A{HIDDEN}B").endswith("AB")
    meta = type("Meta", (), {"model": model, "fields": [name]})
    api_field = type("Probe", (serializers.ModelSerializer,), {"Meta": meta})().fields[name]
    if isinstance(api_field, serializers.CharField) and not api_field.read_only:
        with pytest.raises(serializers.ValidationError):
            api_field.run_validation(f"a{BELL}b")
        assert api_field.to_internal_value(f"A{HIDDEN}B") == "AB"


# --- every importer's every column --------------------------------------------------------------------
IMPORTERS = sorted(importing._importers)


@pytest.mark.parametrize("resource", IMPORTERS)
def test_every_import_column_normalises(org, resource):
    importer = importing.importer_for(resource)(org.admin)
    for index, column in enumerate(importer.columns):
        cells = [""] * len(importer.columns)
        cells[index] = f"a{BELL}b"
        _values, errors = importer.normalise_cells(2, cells)
        assert [(e.field, "U+0007" in e.message) for e in errors] == [(column.field, True)]
        cells[index] = f"A{HIDDEN}B"
        values, errors = importer.normalise_cells(2, cells)
        assert (values[column.field], errors) == ("AB", [])


# --- the reported cases, end to end -------------------------------------------------------------------
def test_a_name_with_a_control_character_is_refused_by_form_and_api(client, org):
    client.force_login(org.rep)
    page = client.post("/customers/new/", {"name": f"响铃{BELL}公司"})
    assert page.status_code == 200
    assert "U+0007" in page.context["form"].errors["name"][0]
    api = client.post("/api/customers/", {"name": f"响铃{BELL}公司"}, content_type="application/json")
    assert api.status_code == 400
    assert "U+0007" in api.json()["error"]["fields"]["name"][0]
    assert not Customer.objects.filter(name__startswith="响铃").exists()


def test_a_zero_width_space_does_not_pass_the_duplicate_check(client, org):
    services.create_customer(org.rep, {"name": "武汉正泰商贸有限公司"})
    client.force_login(org.rep)
    page = client.post("/customers/new/", {"name": "武汉正泰\u200b商贸有限公司"})
    assert page.status_code == 200 and "name" in page.context["form"].errors
    api = client.post("/api/customers/", {"name": "武汉正泰\u200b商贸有限公司"}, content_type="application/json")
    assert api.status_code == 400 and "name" in api.json()["error"]["fields"]
    book = Book()
    sheet = book.sheet("客户")
    sheet.append(["公司名称*"])
    sheet.append(["武汉正泰\u200b商贸有限公司"])
    from kehu.customers.imports import run_import

    result = run_import(org.admin, BytesIO(book.content()), mode="validate")
    assert [e.field for e in result.errors] == ["name"]
    assert result.errors[0].message.startswith("已存在同名客户")
    assert Customer.objects.filter(name_normalized="武汉正泰商贸").count() == 1


def test_a_name_of_invisible_characters_only_is_no_name(client, org):
    client.force_login(org.rep)
    api = client.post("/api/customers/", {"name": HIDDEN}, content_type="application/json")
    assert api.status_code == 400 and list(api.json()["error"]["fields"]) == ["name"]
    page = client.post("/customers/new/", {"name": HIDDEN})
    assert page.context["form"].errors["name"] == ["该字段是必填项。"]


def test_a_control_character_stored_earlier_does_not_break_the_export(client, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    customer = services.create_customer(org.rep, {"name": "旧数据公司"})
    Customer.objects.filter(pk=customer.pk).update(name=f"旧{BELL}数据公司")  # typed before the rule existed
    client.force_login(org.rep)
    response = client.get("/customers/export/")
    assert response.status_code == 200
    rows = read_cells(b"".join(response.streaming_content))
    assert rows[1][0] == "旧数据公司"
