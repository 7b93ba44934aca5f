"""Import pages: upload → checked (counts and per-row error table, nothing written) → the user chooses how to
write; files above the threshold run as a background task whose progress the page polls; jobs are private."""

import pytest
from django.urls import reverse

from kehu.core import importing
from kehu.core.models import FileJob
from kehu.customers.models import Customer
from tests.customers.test_import_helpers import HEADERS, read_sheet, streamed, upload

ROWS = [{"name": "甲公司"}, {"name": "", "address": "x"}, {"name": "乙公司", "level": "Z"}, {"name": "丙公司"}]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def rep_client(client, org):
    org.rep.language = "en"  # jobs speak their creator's language (they may run in the background)
    org.rep.save(update_fields=["language"])
    client.force_login(org.rep)
    client.cookies["kehu_language"] = "en"
    return client


def test_the_template_download_has_the_columns_and_the_allowed_values(rep_client):
    response = rep_client.get(reverse("customers:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    content = streamed(response)
    assert read_sheet(content, 0) == [HEADERS]
    values = read_sheet(content, 1)
    assert values[0] == ["Column", "Code", "中文", "English"]
    assert ["客户等级", "a", "A 重点客户", "A – key account"] in values
    assert ["区域", "north", "华北", "North China"] in values
    assert {row[0] for row in values[1:]} == {"行业", "客户等级", "客户来源", "区域"}


def test_upload_shows_counts_and_the_error_table_and_writes_nothing(rep_client, org):
    response = rep_client.post(reverse("customers:import"), {"file": upload(ROWS)})
    job = FileJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("customers:import_job", args=[job.pk])
    assert (job.status, job.background, job.total, job.valid, job.invalid, job.created) == (
        "validated",
        False,
        4,
        2,
        2,
        0,
    )
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "Company name"), (4, "Customer level")]
    assert Customer.objects.count() == 0
    page = rep_client.get(response["Location"]).content.decode()
    assert '<div class="fs-4 fw-semibold text-success" data-count="valid">2</div>' in page
    assert '<td class="card-title">Row 3</td><td data-label="Column">Company name</td>' in page
    assert 'value="all" disabled' in page  # all-or-nothing is impossible with errors
    assert "Import only the 2 valid rows" in page
    report = read_sheet(streamed(rep_client.get(reverse("customers:import_job_errors", args=[job.pk]))))
    assert report[0] == ["Row", *HEADERS, "Errors"]
    assert [row[0] for row in report[1:]] == [3, 4]
    assert (
        report[2][-1]
        == "Customer level: “Z” is not a value of this column; the sheet “Allowed values” of the template lists them."
    )


def test_choosing_valid_only_writes_the_valid_rows(rep_client, org):
    rep_client.post(reverse("customers:import"), {"file": upload(ROWS)})
    job = FileJob.objects.get()
    refused = rep_client.post(reverse("customers:import_job_run", args=[job.pk]), {"mode": "all"})
    assert refused.status_code == 302 and Customer.objects.count() == 0
    rep_client.post(reverse("customers:import_job_run", args=[job.pk]), {"mode": "valid_only"})
    job.refresh_from_db()
    assert (job.status, job.mode, job.created) == ("done", "valid_only", 2)
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["丙公司", "甲公司"]
    page = rep_client.get(reverse("customers:import_job", args=[job.pk])).content.decode()
    assert "2 customers imported." in page and "2 rows with errors were left out." in page
    again = rep_client.post(reverse("customers:import_job_run", args=[job.pk]), {"mode": "valid_only"})
    assert again.status_code == 302 and Customer.objects.count() == 2  # a second click writes nothing


def test_a_file_above_the_threshold_runs_as_a_task_with_progress(rep_client, org):
    rows = [{"name": f"批量公司{i}"} for i in range(importing.BACKGROUND_ROWS + 1)]
    rep_client.post(reverse("customers:import"), {"file": upload(rows)})
    job = FileJob.objects.get()
    assert (job.background, job.status, job.total, job.valid) == (True, "validated", 501, 501)
    rep_client.post(reverse("customers:import_job_run", args=[job.pk]), {"mode": "all"})
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 501)
    assert Customer.objects.filter(owner=org.rep).count() == 501
    # while a job runs, its page shows a progress bar polled every second
    FileJob.objects.filter(pk=job.pk).update(status="writing", total=501)
    from kehu.core.filejobs import report_progress

    report_progress(job.pk, "writing", 250, 501)
    page = rep_client.get(reverse("customers:import_job", args=[job.pk])).content.decode()
    progress_url = reverse("customers:import_job_progress", args=[job.pk])
    assert f'hx-get="{progress_url}?was=running" hx-trigger="every 1s"' in page
    assert 'aria-valuenow="49"' in page and "250 / 501" in page and "Importing…" in page
    FileJob.objects.filter(pk=job.pk).update(status="done")
    finished = rep_client.get(progress_url + "?was=running")
    assert finished["HX-Refresh"] == "true" and "hx-trigger" not in finished.content.decode()


def test_jobs_are_visible_to_their_creator_only(rep_client, client, org):
    rep_client.post(reverse("customers:import"), {"file": upload(ROWS)})
    job = FileJob.objects.get()
    client.force_login(org.manager)
    for name in ("customers:import_job", "customers:import_job_progress", "customers:import_job_errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("customers:import_job_run", args=[job.pk]), {"mode": "valid_only"}).status_code == 404
    assert Customer.objects.count() == 0


def test_a_bad_file_is_refused_with_a_message(rep_client, org):
    response = rep_client.post(reverse("customers:import"), {"file": upload([], name="list.csv")})
    assert response.status_code == 200
    assert "Upload an Excel workbook (.xlsx); download the template if unsure." in response.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    rep_client.post(reverse("customers:import"), {"file": SimpleUploadedFile("x.xlsx", b"garbage")})
    job = FileJob.objects.get()
    assert (job.status, job.message) == (
        "failed",
        "This is not an Excel workbook (.xlsx). Download the template and fill it in.",
    )


def test_people_without_add_rights_cannot_import(client, org):
    client.force_login(org.everyone_viewer)
    assert client.get(reverse("customers:import")).status_code == 403
    assert client.get(reverse("customers:import_template")).status_code == 403


def test_the_list_pages_offer_import_and_export(rep_client):
    page = rep_client.get(reverse("customers:mine") + "?q=abc").content.decode()
    assert f'href="{reverse("customers:import")}"' in page
    assert f'href="{reverse("customers:export")}?scope=mine&amp;q=abc"' in page
