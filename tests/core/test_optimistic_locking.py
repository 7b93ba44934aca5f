"""A stale edit is refused with who changed the record and when, in services, HTML forms and the API."""

import threading

import pytest
from django.db import connection

from kehu.core.locking import StaleEdit
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
