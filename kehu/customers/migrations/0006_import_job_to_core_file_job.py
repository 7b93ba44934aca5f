"""Import and export jobs move to core (`core.FileJob`, with the resource they are of): copy, then drop."""

from django.db import migrations

FIELDS = (
    "id", "kind", "status", "mode", "created_by_id", "owner_id", "file", "file_name", "params", "background",
    "total", "processed", "valid", "invalid", "created", "errors", "error_report", "result", "message",
    "created_at", "finished_at",
)  # fmt: skip


def copy_jobs(apps, schema_editor):
    ImportJob = apps.get_model("customers", "ImportJob")
    FileJob = apps.get_model("core", "FileJob")
    FileJob.objects.bulk_create(
        FileJob(resource="customers", **{name: getattr(job, name) for name in FIELDS})
        for job in ImportJob.objects.all().iterator()
    )
    if schema_editor.connection.vendor == "postgresql":  # the ids were copied: move the sequence past them
        with schema_editor.connection.cursor() as cursor:
            table = FileJob._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
            )


def copy_back(apps, schema_editor):
    ImportJob = apps.get_model("customers", "ImportJob")
    FileJob = apps.get_model("core", "FileJob")
    ImportJob.objects.bulk_create(
        ImportJob(**{name: getattr(job, name) for name in FIELDS})
        for job in FileJob.objects.filter(resource="customers").iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0005_approvals"),
        ("core", "0003_file_job"),
    ]

    operations = [
        migrations.RunPython(copy_jobs, copy_back),
        migrations.DeleteModel(name="ImportJob"),
    ]
