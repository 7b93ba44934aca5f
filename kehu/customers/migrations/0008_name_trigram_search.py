"""Customer name fragments through an index: pg_trgm's GIN index on PostgreSQL, an FTS5 trigram table kept in
step by triggers on SQLite (kehu.customers.name_index says why and how). Nothing here is in the model state."""

from django.db import migrations


def install(apps, schema_editor):
    from kehu.customers import name_index

    name_index.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from kehu.customers import name_index

    name_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("customers", "0007_list_sort_indexes")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
