"""Document numbers such as `SO-2026-000123`: one gap-free sequence per document type and year.

The counter row is incremented with a single `UPDATE ... RETURNING`, which takes the row's write lock, so
concurrent creations on PostgreSQL queue on that row and on SQLite on the database's write lock; each
caller gets a distinct number. A bulk creation (an import) takes a block of `count` numbers with the same one
statement (`last_value + count`): the block (last - count, last] is its alone. Call it inside the transaction
that creates the documents, so a rollback gives the numbers back.
"""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kehu.core.models import DocumentSequence


def reserve_values(doc_type: str, year: int, count: int = 1) -> int:
    """Take `count` consecutive values of the sequence; returns the last one (the block ends there)."""
    if count < 1:
        raise ValueError(count)
    table = DocumentSequence._meta.db_table
    sql = f"UPDATE {table} SET last_value = last_value + %s WHERE doc_type = %s AND year = %s RETURNING last_value"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [count, doc_type, year])
            row = cursor.fetchone()
        if row:
            return row[0]
        try:
            with transaction.atomic():
                DocumentSequence.objects.create(doc_type=doc_type, year=year, last_value=count)
            return count
        except IntegrityError:
            # Someone created this year's counter first: take the block from it.
            with connection.cursor() as cursor:
                cursor.execute(sql, [count, doc_type, year])
                return cursor.fetchone()[0]


def next_value(doc_type: str, year: int) -> int:
    return reserve_values(doc_type, year, 1)


def _year(when) -> int:
    return timezone.localdate(when).year if when else timezone.localdate().year


def next_number(prefix: str, doc_type: str | None = None, when=None, width: int = 6) -> str:
    """The next number for `doc_type` (defaults to `prefix`) in the year of `when` (default today)."""
    year = _year(when)
    value = next_value(doc_type or prefix, year)
    return f"{prefix}-{year}-{value:0{width}d}"


def reserve_numbers(prefix: str, count: int, doc_type: str | None = None, when=None, width: int = 6) -> list[str]:
    """`count` consecutive numbers (`CU-2026-000123` …) taken with one statement, for a bulk creation."""
    if count <= 0:
        return []
    year = _year(when)
    last = reserve_values(doc_type or prefix, year, count)
    return [f"{prefix}-{year}-{value:0{width}d}" for value in range(last - count + 1, last + 1)]
