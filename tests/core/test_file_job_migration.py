"""Import and export jobs moved from `customers.ImportJob` to `core.FileJob`: the migration keeps every job, with
its id (links to job pages stay valid) and marks it as a customers job; new jobs get fresh ids."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("customers", "0005_approvals"), ("core", "0003_file_job")]
AFTER = [("customers", "0006_import_job_to_core_file_job")]


@pytest.fixture
def back_to_the_latest_schema():
    """Going BEFORE also undoes later apps' migrations (core's after 0003, opportunities, targets, cases, products):
    every app is put back at its latest, so the tests after this one find their tables."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_jobs_are_copied_with_their_ids(org, back_to_the_latest_schema):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    ImportJob = apps.get_model("customers", "ImportJob")
    ImportJob.objects.create(id=41, kind="import", status="done", created_by_id=org.rep.pk, total=3, created=3)
    ImportJob.objects.create(id=42, kind="export", status="done", created_by_id=org.admin.pk, params={"scope": "all"})
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    FileJob = executor.loader.project_state(AFTER).apps.get_model("core", "FileJob")
    jobs = FileJob.objects.order_by("id").values_list("id", "resource", "kind", "created_by_id", "created", "params")
    assert list(jobs) == [
        (41, "customers", "import", org.rep.pk, 3, {}),
        (42, "customers", "export", org.admin.pk, 0, {"scope": "all"}),
    ]
    assert FileJob.objects.create(created_by_id=org.rep.pk).id > 42
