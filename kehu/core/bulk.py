"""Bulk inserts through the database driver, with their history rows: the write path of imports.

The ORM's `bulk_create` (and django-simple-history's `bulk_create_with_history`) prepare every field of every
object in Python (about 20 µs a value on a modest machine), i.e. more than 1 ms for the five records of one
imported customer row — on its own above the import budget of 0.5 ms a row. Here each row is one dict of values
that are database-ready already (timestamps and user ids adapted once per import). The rows written are exactly
those the ORM would write: every concrete column, the model's defaults for the ones a row does not set.

`insert_created` is the one place that writes history rows for bulk-created records — what HistoricalRecords
writes on create (history_type "+", the author, the reason, the date) — so no importer hand-rolls its own.
"""

import sqlite3
from collections.abc import Iterator

from django.db import connection

WRITE_BATCH = 2000  # rows per statement (SQLite) or per call


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def db_timestamp(value):
    """A datetime adapted for the driver once, to be reused in every row of a bulk insert."""
    return connection.ops.adapt_datetimefield_value(value)


def _insert_limit() -> int:
    """Parameters one statement may carry."""
    if connection.vendor == "sqlite":
        getlimit = getattr(connection.connection, "getlimit", None)
        return getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if getlimit else 999
    return 65535


def insert_rows(model, rows: list[dict], *, returning: bool = False) -> list[int]:
    """INSERT `rows` (attname → database-ready value; other columns get the model's default) into `model`'s
    table; with `returning`, the new primary keys in row order. SQLite: executemany, or multi-row
    VALUES … RETURNING for the keys; PostgreSQL: COPY, the keys drawn from the table's sequence first.
    Bypasses signals and history: records that have history go through `insert_created`."""
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(model._meta.db_table)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = [tuple(row.get(name, default) for name, default in defaults.items()) for row in rows]
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning and connection.vendor == "postgresql":
            # Take the keys from the table's sequence, then COPY (PostgreSQL's bulk path; a huge multi-row
            # VALUES would be parsed client-side by psycopg, and per-row statements cost a round trip each).
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, len(values)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            values = [(pk, *row) for pk, row in zip(ids, values, strict=True)]
            columns = f"{quote(model._meta.pk.column)}, {columns}"
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return ids
        if not returning:
            for chunk in chunks(values, WRITE_BATCH):
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {row_sql}", chunk)
            return ids
        per_statement = max(1, min(WRITE_BATCH, _insert_limit() // len(fields)))
        pk = quote(model._meta.pk.column)
        for chunk in chunks(values, per_statement):
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(chunk))} RETURNING {pk}"
            cursor.execute(sql, [value for row in chunk for value in row])
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def insert_created(model, rows: list[dict], *, actor, reason: str, stamp) -> list[int]:
    """Insert new records of a model with `history = HistoricalRecords()` and their "created" history rows
    (author `actor`, change reason `reason`, date `stamp` as given by `db_timestamp`). Returns the new keys in
    row order. Call it inside the transaction that writes the rows."""
    ids = insert_rows(model, rows, returning=True)
    history_model = model.history.model
    tracked = {f.attname for f in history_model._meta.concrete_fields}
    extra = {
        "history_date": stamp,
        "history_type": "+",
        "history_user_id": getattr(actor, "pk", actor),
        "history_change_reason": reason,
    }
    history = [
        {**{k: v for k, v in row.items() if k in tracked}, "id": pk, **extra} for row, pk in zip(rows, ids, strict=True)
    ]
    insert_rows(history_model, history)
    return ids
