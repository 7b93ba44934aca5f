"""Export: the .xlsx holds exactly the customers of the list the user looks at — the same scope
(`customers_for`) and the same filters — with the primary contact; large exports run as a task."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kehu.core.models import FileJob
from kehu.customers import exports, services
from tests.customers.test_import_helpers import read_sheet, streamed

NUMBER = 14  # the column of the customer number (after the template's 14 columns)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def book(org, levels):
    def make(owner, name, **data):
        return services.create_customer(owner, {"name": name, **data}, data.pop("contacts", []))

    customers = {
        "rep_a": services.create_customer(
            org.rep,
            {"name": "华北甲", "level": levels["a"]},
            [{"name": "王经理", "mobile": "13800000001", "title": "总经理"}],
        ),
        "rep_b": make(org.rep, "华北乙", level=levels["b"]),
        "rep_bj": make(org.rep_bj, "北京丙", level=levels["a"]),
        "rep_east": make(org.rep_east, "华东丁", level=levels["a"]),
    }
    return customers


def names(content) -> list[str]:
    return sorted(row[0] for row in read_sheet(content)[1:])


def export(client, user, query=""):
    client.force_login(user)
    response = client.get(reverse("customers:export") + query)
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith('attachment; filename="customers-')
    return streamed(response)


def test_a_reps_export_holds_only_his_customers(client, org, book):
    content = export(client, org.rep, "?scope=mine")
    rows = read_sheet(content)
    assert rows[0][:3] == ["公司名称", "统一社会信用代码", "行业"]
    assert rows[0][NUMBER:] == ["客户编号", "负责人", "状态", "创建时间", "最近活动"]
    assert names(content) == ["华北乙", "华北甲"]
    first = next(r for r in rows if r[0] == "华北甲")
    assert first[3] == "A 重点客户" and first[10:14] == ["王经理", "总经理", "13800000001", None]
    assert first[NUMBER : NUMBER + 2] == [book["rep_a"].number, "华北销售"]
    # The "all" list is customer management: page, API and export all need customers.transfer for it.
    assert client.get(reverse("customers:export") + "?scope=all").status_code == 403
    assert client.get(reverse("api:customer-export") + "?scope=all").status_code == 403
    assert client.get(reverse("customers:manage")).status_code == 403
    assert client.get(reverse("api:customer-list") + "?scope=all").status_code == 403


def test_shared_customers_are_in_the_shared_export_only(client, org, book):
    services.share_customer(org.rep_east, book["rep_east"], users=[org.rep])
    assert names(export(client, org.rep, "?scope=shared")) == ["华东丁"]
    assert names(export(client, org.rep, "?scope=mine")) == ["华北乙", "华北甲"]
    assert names(export(client, org.rep, "?scope=mine")) == ["华北乙", "华北甲"]


def test_a_managers_export_follows_his_department_tree_and_the_filters(client, org, book, levels):
    assert names(export(client, org.manager, "?scope=all")) == ["北京丙", "华北乙", "华北甲"]
    assert names(export(client, org.manager, f"?scope=all&level={levels['a'].pk}")) == ["北京丙", "华北甲"]
    assert names(export(client, org.manager, "?scope=all&q=hbj")) == ["华北甲"]  # pinyin initials
    assert names(export(client, org.director, f"?scope=all&level={levels['a'].pk}&sort=name")) == [
        "北京丙",
        "华东丁",
        "华北甲",
    ]


def test_export_needs_the_export_right(client, org, book):
    client.force_login(org.everyone_viewer)  # may view everything, may not export
    assert client.get(reverse("customers:export")).status_code == 403
    api = APIClient()
    api.force_authenticate(org.everyone_viewer)
    assert api.get("/api/customers/export/").status_code == 403


def test_a_large_export_runs_as_a_task_with_a_download_link(client, org, book, monkeypatch):
    monkeypatch.setattr(exports, "BACKGROUND_ROWS", 1)
    client.force_login(org.rep)
    response = client.get(reverse("customers:export") + "?scope=mine")
    job = FileJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("customers:import_job", args=[job.pk])
    assert (job.kind, job.status, job.background, job.total) == ("export", "done", True, 2)
    page = client.get(response["Location"]).content.decode()
    download = reverse("customers:export_download", args=[job.pk])
    assert f'href="{download}"' in page
    assert names(streamed(client.get(download))) == ["华北乙", "华北甲"]
    client.force_login(org.manager)
    assert client.get(download).status_code == 404


def test_the_api_export_uses_the_api_lists_scope_and_filters(org, book, levels):
    api = APIClient()
    api.force_authenticate(org.manager)
    response = api.get("/api/customers/export/", {"level": levels["a"].pk, "scope": "all"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert names(streamed(response)) == ["北京丙", "华北甲"]
    api.force_authenticate(org.rep)
    assert names(streamed(api.get("/api/customers/export/", {"scope": "mine"}))) == ["华北乙", "华北甲"]
    # without a scope the export holds the API list's default, "mine", like the list page
    assert names(streamed(api.get("/api/customers/export/"))) == ["华北乙", "华北甲"]
    assert sorted(row["name"] for row in api.get("/api/customers/").json()["results"]) == ["华北乙", "华北甲"]
