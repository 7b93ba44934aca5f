"""Setting targets: who may, for whom, the stale edit that names who changed it, a person who left, bad amounts,
a year at once (all or nothing), copying last year's — through the service, the form and the API."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kehu.core.locking import StaleEdit
from kehu.org.models import User
from kehu.sales.targets import services
from kehu.sales.targets.models import Target

WON = "sales.won_amount"


def set_(actor, amount, month=3, version=None, **subject):
    return services.set_target(
        actor, metric=WON, year=2026, month=month, amount=amount, expected_version=version, **subject
    )


def test_a_manager_sets_a_target_for_a_person_of_the_department_with_its_trail(org):
    target = set_(org.manager, "12000.50", user=org.rep_bj)
    assert (target.amount, target.department, target.version, target.updated_by) == (
        D("12000.50"),
        org.beijing,
        1,
        org.manager,
    )
    assert target.history.first().history_user == org.manager
    changed = set_(org.manager, "15000", user=org.rep_bj, version=1)
    assert (changed.amount, changed.version) == (D("15000.00"), 2)
    assert Target.objects.count() == 1


def test_a_stale_edit_is_refused_with_who_changed_it(org):
    set_(org.manager, "100", user=org.rep)
    set_(org.director, "200", user=org.rep, version=1)  # the director saved first
    with pytest.raises(StaleEdit) as refused:
        set_(org.manager, "300", user=org.rep, version=1)  # the manager's form still had version 1
    assert "总监" in str(refused.value)
    assert Target.objects.get().amount == D("200")


def test_two_managers_creating_the_same_month_the_second_is_told_who(org):
    set_(org.director, "100", user=org.rep, version=services.NEW)
    with pytest.raises(StaleEdit) as refused:
        set_(org.manager, "999", user=org.rep, version=services.NEW)
    assert "总监" in str(refused.value)
    assert Target.objects.get().amount == D("100")


def test_a_target_for_a_person_who_left_is_refused(org):
    org.rep.status = User.Status.LEFT
    org.rep.is_active = False
    org.rep.save()
    with pytest.raises(ValidationError) as refused:
        set_(org.manager, "100", user=org.rep)
    assert refused.value.message_dict == {"user": ["华北销售已离职：只能为在职人员设置指标。"]}
    assert not Target.objects.exists()


def test_a_person_or_department_outside_the_scope_is_refused(org):
    with pytest.raises(ValidationError) as person:
        set_(org.manager, "100", user=org.rep_east)
    assert list(person.value.message_dict) == ["user"]
    with pytest.raises(ValidationError) as department:
        set_(org.manager, "100", department=org.east)
    assert list(department.value.message_dict) == ["department"]
    assert set_(org.manager, "100", department=org.beijing).department == org.beijing
    assert not Target.objects.filter(department=org.east).exists()


def test_without_the_permission_nothing_is_set(org):
    with pytest.raises(PermissionDenied):
        set_(org.rep, "100", user=org.rep)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "指标不能为负数。"),
        ("abc", "请输入数字，例如 150000 或 150000.50。"),
        ("1.005", "最多两位小数。"),
        ("NaN", "请输入数字，例如 150000 或 150000.50。"),
        ("1e30", "指标最多为 9,999,999,999,999,999.99。"),
    ],
)
def test_a_bad_amount_is_a_field_error(org, amount, message):
    with pytest.raises(ValidationError) as refused:
        set_(org.manager, amount, user=org.rep)
    assert refused.value.message_dict == {"amount": [message]}


def test_a_bad_metric_month_or_year_is_a_field_error(org):
    with pytest.raises(ValidationError) as refused:
        services.set_target(org.manager, metric="nope", year=1999, month=13, amount="1", user=org.rep)
    assert set(refused.value.message_dict) == {"metric", "year", "month"}


def test_an_empty_amount_removes_the_month(org):
    set_(org.manager, "100", user=org.rep)
    assert set_(org.manager, "", user=org.rep, version=1) is None
    assert not Target.objects.exists()


def test_a_year_at_once_is_all_or_nothing(org):
    amounts = {m: "1000" for m in range(1, 13)}
    amounts[7] = "-1"
    with pytest.raises(ValidationError) as refused:
        services.set_year(org.manager, metric=WON, year=2026, amounts=amounts, versions={}, user=org.rep)
    assert list(refused.value.message_dict) == ["m7"]
    assert not Target.objects.exists()
    amounts[7] = "700"
    assert services.set_year(org.manager, metric=WON, year=2026, amounts=amounts, versions={}, user=org.rep) == 12
    assert Target.objects.filter(user=org.rep).count() == 12


def test_copy_last_year_skips_people_who_left_and_months_already_set(org):
    for month in (1, 2):
        Target.objects.create(metric=WON, year=2025, month=month, user=org.rep, department=org.north, amount=100)
        Target.objects.create(metric=WON, year=2025, month=month, user=org.rep_bj, department=org.beijing, amount=50)
    Target.objects.create(metric=WON, year=2025, month=1, department=org.north, amount=900)
    Target.objects.create(metric=WON, year=2025, month=1, user=org.rep_east, department=org.east, amount=1)
    Target.objects.create(metric=WON, year=2026, month=2, user=org.rep, department=org.north, amount=333)
    org.rep_bj.status = User.Status.LEFT
    org.rep_bj.save()
    result = services.copy_last_year(org.manager, metric=WON, year=2026, department=org.north)
    assert (result.created, result.kept, result.left, result.outside) == (2, 1, 2, 0)
    copied = set(Target.objects.filter(year=2026).values_list("user_id", "department_id", "month", "amount"))
    assert copied == {
        (org.rep.pk, org.north.pk, 1, D("100")),
        (org.rep.pk, org.north.pk, 2, D("333")),
        (None, org.north.pk, 1, D("900")),
    }


# --- the form and the API say the same ---------------------------------------------------------------------------
def test_the_form_shows_the_stale_edit_and_keeps_what_was_typed(client, org):
    set_(org.manager, "100", user=org.rep)
    set_(org.director, "200", user=org.rep, month=3, version=1)
    client.force_login(org.manager)
    url = reverse("targets:edit") + f"?metric={WON}&year=2026&person={org.rep.pk}"
    data = {f"m{m}": "" for m in range(1, 13)} | {f"v{m}": 0 for m in range(1, 13)} | {"m3": "555", "v3": 1}
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and "总监" in errors[0]
    assert 'value="555"' in response.content.decode()
    assert Target.objects.get().amount == D("200")


def test_the_form_refuses_a_person_who_left_and_saves_others(client, org):
    client.force_login(org.manager)
    url = reverse("targets:edit") + f"?metric={WON}&year=2026&person={org.rep.pk}"
    data = {f"m{m}": "" for m in range(1, 13)} | {f"v{m}": 0 for m in range(1, 13)} | {"m1": "1000"}
    assert client.post(url, data).status_code == 302
    assert Target.objects.get().amount == D("1000")
    org.rep.status = User.Status.LEFT
    org.rep.save()
    response = client.post(url, data | {"m1": "2000", "v1": 1})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["华北销售已离职：只能为在职人员设置指标。"]


def test_the_api_answers_400_for_a_left_person_and_409_for_a_stale_edit(client, org):
    client.force_login(org.manager)
    url = reverse("api:target-list")
    body = {"metric": WON, "year": 2026, "month": 5, "person": org.rep.pk, "amount": "800", "version": 0}
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201 and created.json()["version"] == 1
    stale = client.post(url, body | {"amount": "900"}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_edit"
    org.rep_bj.status = User.Status.LEFT
    org.rep_bj.save()
    left = client.post(url, body | {"person": org.rep_bj.pk}, content_type="application/json")
    assert left.status_code == 400
    assert left.json()["error"]["fields"] == {"user": ["北京销售已离职：只能为在职人员设置指标。"]}
    bad = client.post(url, body | {"amount": "-1", "month": 6}, content_type="application/json")
    assert bad.json()["error"]["fields"] == {"amount": ["指标不能为负数。"]}
    client.force_login(org.rep)
    assert client.post(url, body | {"month": 7}, content_type="application/json").status_code == 403
