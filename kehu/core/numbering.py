"""Document numbers such as `SO-2026-000123`: one gap-free sequence per document type and year.

The counter row is incremented with a single `UPDATE ... RETURNING`, which takes the row's write lock, so
concurrent creations on PostgreSQL queue on that row and on SQLite on the database's write lock; each
caller gets a distinct number. Call it inside the transaction that creates the document, so a rollback
gives the number back.
"""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kehu.core.models import DocumentSequence


def next_value(doc_type: str, year: int) -> int:
    table = DocumentSequence._meta.db_table
    sql = f"UPDATE {table} SET last_value = last_value + 1 WHERE doc_type = %s AND year = %s RETURNING last_value"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [doc_type, year])
            row = cursor.fetchone()
        if row:
            return row[0]
        try:
            with transaction.atomic():
                DocumentSequence.objects.create(doc_type=doc_type, year=year, last_value=1)
            return 1
        except IntegrityError:
            # Someone created this year's counter first: take the next value from it.
            with connection.cursor() as cursor:
                cursor.execute(sql, [doc_type, year])
                return cursor.fetchone()[0]


def next_number(prefix: str, doc_type: str | None = None, when=None, width: int = 6) -> str:
    """The next number for `doc_type` (defaults to `prefix`) in the year of `when` (default today)."""
    year = timezone.localdate(when).year if when else timezone.localdate().year
    value = next_value(doc_type or prefix, year)
    return f"{prefix}-{year}-{value:0{width}d}"
