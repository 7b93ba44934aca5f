"""A stale edit is refused with who changed the record and when, in services, HTML forms and the API."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone, translation

from kehu.core.locking import StaleEdit, save_versioned
from kehu.org import services
from kehu.org.models import Department


def test_saving_from_an_old_version_is_refused_with_who_and_when(org):
    loaded_by_admin = Department.objects.get(pk=org.north.pk)
    loaded_by_other = Department.objects.get(pk=org.north.pk)
    services.update_department(org.admin, loaded_by_admin, name="华北一部", code="N1", head=None, expected_version=1)
    with pytest.raises(StaleEdit) as refused:
        services.update_department(org.admin, loaded_by_other, name="华北二部", code="", head=None, expected_version=1)
    assert refused.value.changed_by == org.admin
    assert "管理员" in str(refused.value)
    north = Department.objects.get(pk=org.north.pk)
    assert (north.name, north.code, north.version) == ("华北一部", "N1", 2)


def test_html_form_shows_the_stale_edit_and_keeps_what_was_typed(client, org):
    client.force_login(org.admin)
    url = f"/org/departments/{org.north.pk}/"
    services.update_department(org.admin, org.north, name="华北大区", code="", head=None, expected_version=1)
    response = client.post(url, {"name": "我输入的名字", "code": "X", "version": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "管理员" in page and "我输入的名字" in page
    assert Department.objects.get(pk=org.north.pk).name == "华北大区"


def test_api_answers_409_for_a_stale_version(client, org):
    client.force_login(org.admin)
    services.update_department(org.admin, org.north, name="华北大区", code="", head=None, expected_version=1)
    response = client.patch(
        f"/api/departments/{org.north.pk}/", {"name": "API 改名", "version": 1}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stale_edit"
    ok = client.patch(
        f"/api/departments/{org.north.pk}/", {"name": "API 改名", "version": 2}, content_type="application/json"
    )
    assert ok.status_code == 200
    assert ok.json()["version"] == 3


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_the_same_version_one_wins():
    from tests.factories import DepartmentTree

    org = DepartmentTree.build()
    outcomes = []
    barrier = threading.Barrier(2)

    def edit(name):
        department = Department.objects.get(pk=org.east.pk)
        barrier.wait()
        try:
            services.update_department(org.admin, department, name=name, code="", head=None, expected_version=1)
            outcomes.append(("saved", name))
        except StaleEdit:
            outcomes.append(("refused", name))
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(n,)) for n in ("东区甲", "东区乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(kind for kind, _ in outcomes) == ["refused", "saved"]
    winner = next(name for kind, name in outcomes if kind == "saved")
    east = Department.objects.get(pk=org.east.pk)
    assert (east.name, east.version) == (winner, 2)


# --- the refusal's text, rows without an author, deleted rows, the refreshed clock -------------------
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHANGED_AT = datetime(2026, 3, 5, 9, 7, tzinfo=SHANGHAI)


def changed_elsewhere(department, by):
    Department.objects.filter(pk=department.pk).update(version=2, updated_by=by, updated_at=CHANGED_AT)


def test_the_refusal_names_who_changed_it_and_when_in_local_time(org):
    loaded = Department.objects.get(pk=org.north.pk)
    changed_elsewhere(loaded, org.manager)
    with translation.override("en"), pytest.raises(StaleEdit) as refused:
        save_versioned(loaded, org.admin, 1)
    assert str(refused.value) == (
        "This record was changed by 华北经理 at 2026-03-05 09:07 after you opened it. "
        "Reload it and make your change again."
    )
    assert (refused.value.changed_by, refused.value.changed_at) == (org.manager, CHANGED_AT)
    with translation.override("zh-hans"), pytest.raises(StaleEdit) as refused:
        save_versioned(loaded, org.admin, 1)
    assert str(refused.value) == "您打开此记录后，华北经理 于 2026-03-05 09:07 修改了它。 请刷新后重新修改。"


def test_a_stale_save_of_a_row_nobody_is_named_for_says_someone(org):
    loaded = Department.objects.get(pk=org.north.pk)
    changed_elsewhere(loaded, None)
    with translation.override("en"), pytest.raises(StaleEdit) as refused:
        save_versioned(loaded, org.admin, 1)
    assert str(refused.value) == (
        "This record was changed by someone at 2026-03-05 09:07 after you opened it. "
        "Reload it and make your change again."
    )
    assert refused.value.changed_by is None


def test_a_stale_save_of_a_deleted_row_says_it_was_deleted(org):
    from tests.factories import add_department

    loaded = Department.objects.get(pk=add_department("临时组", org.ops).pk)
    Department.objects.filter(pk=loaded.pk).delete()
    with translation.override("en"), pytest.raises(StaleEdit) as refused:
        save_versioned(loaded, org.admin, 1)
    assert str(refused.value) == "This record was deleted after you opened it."
    assert (refused.value.changed_by, refused.value.changed_at) == (None, None)
    assert not Department.objects.filter(pk=loaded.pk).exists()


def test_a_versioned_save_refreshes_the_clock_the_author_and_the_version(org):
    Department.objects.filter(pk=org.east.pk).update(updated_at=CHANGED_AT, updated_by=None)
    loaded = Department.objects.get(pk=org.east.pk)
    loaded.name = "华东大区"
    before = timezone.now()
    save_versioned(loaded, org.director, None)
    stored = Department.objects.get(pk=org.east.pk)
    assert (stored.name, stored.version, stored.updated_by) == ("华东大区", 2, org.director)
    assert stored.updated_at >= before and stored.updated_at == loaded.updated_at
    assert stored.history.latest().history_user == org.director


def test_update_fields_saves_only_those_fields_and_the_version_stamp(org):
    loaded = Department.objects.get(pk=org.east.pk)
    loaded.name, loaded.code = "华东大区", "E9"
    save_versioned(loaded, org.director, 1, update_fields=["name"])
    stored = Department.objects.get(pk=org.east.pk)
    assert (stored.name, stored.code, stored.version, stored.updated_by) == ("华东大区", "", 2, org.director)
    assert stored.updated_at == loaded.updated_at
