"""The index of customer name fragments: trigrams, on both databases.

PostgreSQL: the pg_trgm extension and a GIN `gin_trgm_ops` index on the name, which answers Django's
`name__contains` (`LIKE '%…%'`) for fragments of three characters or more.

SQLite: an FTS5 table with the trigram tokenizer whose content is the customers table itself (external content,
so the names are not stored twice), kept in step by triggers on insert, delete and change of name. Triggers
rather than the service layer, so that every write path stays in step: the ORM, bulk inserts, the importer's raw
insert through the driver, merges, deletes.

Neither can be declared as a model index (Django has no per-database indexes), so a migration installs them and
`install_after_migrate` puts the SQLite triggers back whenever a later migration rebuilt the customers table
(SQLite's way of altering a column drops the table's triggers with it) and refills the index from the table.
"""

from django.db import connections

TRIGRAM = 3  # the shortest fragment a trigram index can answer
TABLE = "customers_customer"
FTS = "customers_customer_name_fts"
PG_INDEX = "customer_name_trgm_idx"

_SQLITE_TRIGGERS = {
    f"{FTS}_insert": f"""CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {FTS}(rowid, name) VALUES (new.id, new.name);
    END""",
    f"{FTS}_delete": f"""CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, name) VALUES ('delete', old.id, old.name);
    END""",
    f"{FTS}_update": f"""CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE OF id, name ON {TABLE}
        WHEN old.name IS NOT new.name OR old.id IS NOT new.id BEGIN
        INSERT INTO {FTS}({FTS}, rowid, name) VALUES ('delete', old.id, old.name);
        INSERT INTO {FTS}(rowid, name) VALUES (new.id, new.name);
    END""",
}


def _sqlite_objects(cursor) -> set[str]:
    names = [FTS, *_SQLITE_TRIGGERS]
    cursor.execute(f"SELECT name FROM sqlite_master WHERE name IN ({', '.join(['%s'] * len(names))})", names)
    return {row[0] for row in cursor.fetchall()}


def install(connection) -> bool:
    """Create what is missing of the name index on `connection`; True when the SQLite index had to be
    (re)filled from the table because it or one of its triggers was missing."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON {TABLE} USING gin (name gin_trgm_ops)")
            return False
        if connection.vendor != "sqlite":
            return False
        present = _sqlite_objects(cursor)
        if len(present) == 1 + len(_SQLITE_TRIGGERS):
            return False
        if FTS not in present:
            cursor.execute(
                f"CREATE VIRTUAL TABLE {FTS} USING fts5(name, content='{TABLE}', content_rowid='id', "
                "tokenize='trigram')"
            )
        for statement in _SQLITE_TRIGGERS.values():
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")  # whatever was written meanwhile
        return True


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")  # the extension stays: others may use it
        elif connection.vendor == "sqlite":
            for trigger in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS}")


def install_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: the triggers are back after any migration that rebuilt the customers table."""
    connection = connections[using]
    if TABLE in connection.introspection.table_names():
        install(connection)


def in_step(connection) -> bool:
    """SQLite: whether the index holds exactly the names in the table (FTS5's integrity check against its
    content table). Other databases keep their index in step themselves."""
    if connection.vendor != "sqlite":
        return True
    from django.db import DatabaseError

    with connection.cursor() as cursor:
        try:
            cursor.execute(f"INSERT INTO {FTS}({FTS}, rank) VALUES ('integrity-check', 1)")
        except DatabaseError:
            return False
    return True


def fts_phrase(fragment: str) -> str:
    """`fragment` as one FTS5 phrase: every character literal (a double quote doubled)."""
    return '"' + fragment.replace('"', '""') + '"'
