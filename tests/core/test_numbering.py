"""Document numbers: per type and year, gap-free, distinct under concurrent creation on both databases."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from kehu.core.models import DocumentSequence
from kehu.core.numbering import next_number, next_value, reserve_numbers, reserve_values

pytestmark = pytest.mark.django_db


def test_numbers_count_up_per_type_and_year():
    when = datetime(2026, 3, 1, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert next_number("SO", when=when) == "SO-2026-000001"
    assert next_number("SO", when=when) == "SO-2026-000002"
    assert next_number("DL", when=when) == "DL-2026-000001"
    next_year = datetime(2027, 1, 1, 0, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert next_number("SO", when=next_year) == "SO-2027-000001"
    assert DocumentSequence.objects.get(doc_type="SO", year=2026).last_value == 2


def test_the_year_is_the_local_year_not_utc():
    # 2026-12-31 17:30 UTC is already 2027-01-01 01:30 in Shanghai.
    assert next_number("SO", when=datetime(2026, 12, 31, 17, 30, tzinfo=ZoneInfo("UTC"))) == "SO-2027-000001"


def test_a_rolled_back_creation_gives_its_number_back():
    when = datetime(2026, 5, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert next_number("PAY", when=when) == "PAY-2026-000001"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number("PAY", when=when) == "PAY-2026-000002"
        raise RuntimeError("the document failed validation")
    assert next_number("PAY", when=when) == "PAY-2026-000002"


@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_get_distinct_consecutive_numbers():
    threads, per_thread = 6, 15
    results, errors = [], []
    start = threading.Barrier(threads)
    when = datetime(2026, 7, 1, tzinfo=ZoneInfo("Asia/Shanghai"))

    def worker():
        try:
            start.wait()
            for _ in range(per_thread):
                with transaction.atomic():
                    results.append(next_number("SO", when=when))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    assert sorted(results) == [f"SO-2026-{n:06d}" for n in range(1, threads * per_thread + 1)]


def test_a_block_is_consecutive_and_the_sequence_goes_on_after_it():
    when = datetime(2026, 4, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert next_number("CU", when=when) == "CU-2026-000001"
    assert reserve_numbers("CU", 3, when=when) == ["CU-2026-000002", "CU-2026-000003", "CU-2026-000004"]
    assert reserve_numbers("ZZ", 2, when=when) == ["ZZ-2026-000001", "ZZ-2026-000002"]  # a new counter
    assert reserve_numbers("CU", 0, when=when) == []
    assert next_number("CU", when=when) == "CU-2026-000005"


def test_a_rolled_back_block_gives_its_numbers_back():
    when = datetime(2026, 4, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.raises(RuntimeError), transaction.atomic():
        reserve_numbers("CU", 5, when=when)
        raise RuntimeError("the import failed")
    assert reserve_numbers("CU", 2, when=when) == ["CU-2026-000001", "CU-2026-000002"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_blocks_and_single_numbers_never_overlap():
    """Imports taking blocks while others take single numbers, all at once (on SQLite and PostgreSQL): every
    number is handed out once and the sequence has no gap."""
    threads, rounds, block = 6, 8, 7
    results, errors = [], []
    start = threading.Barrier(threads)
    when = datetime(2026, 8, 1, tzinfo=ZoneInfo("Asia/Shanghai"))

    def worker(index):
        try:
            start.wait()
            for _ in range(rounds):
                with transaction.atomic():
                    if index % 2:
                        results.extend(reserve_numbers("CU", block, when=when))
                    else:
                        results.append(next_number("CU", when=when))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    total = (threads // 2) * rounds * block + (threads - threads // 2) * rounds
    assert sorted(results) == [f"CU-2026-{n:06d}" for n in range(1, total + 1)]


# --- refusals, one-number blocks, the fallback when someone creates the year's counter first -----------
def test_a_block_of_one_and_no_block_at_all():
    when = datetime(2026, 6, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert reserve_numbers("QT", 1, when=when) == ["QT-2026-000001"]
    assert reserve_numbers("QT", -2, when=when) == []
    with pytest.raises(ValueError):
        reserve_values("QT", 2026, 0)
    assert DocumentSequence.objects.get(doc_type="QT", year=2026).last_value == 1


def test_the_width_and_the_document_type_are_the_callers():
    when = datetime(2026, 6, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert next_number("INV", doc_type="invoice", when=when, width=4) == "INV-2026-0001"
    assert next_number("INV", when=when) == "INV-2026-000001"  # the prefix's own sequence
    assert DocumentSequence.objects.get(doc_type="invoice", year=2026).last_value == 1


def test_a_number_from_an_existing_counter_is_one_statement():
    when = datetime(2026, 6, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    next_number("SO", when=when)
    with CaptureQueriesContext(connection) as queries:
        assert next_number("SO", when=when) == "SO-2026-000002"
    statements = [q["sql"].split()[0] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert statements == ["UPDATE"]


def created_by_someone_else_first(doc_type, year, last_value):
    """A query wrapper: right after the service's UPDATE finds no counter for the year, another writer creates it
    (what a concurrent first caller does), so the service's own INSERT collides and it takes its block from that
    counter. The same moment happens for real in `test_two_first_callers_race_on_postgresql`."""
    done = []

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not done and sql.startswith("UPDATE") and "last_value" in sql:
            done.append(True)
            DocumentSequence.objects.create(doc_type=doc_type, year=year, last_value=last_value)
        return result

    return wrapper


def test_when_someone_creates_the_years_counter_first_the_number_is_taken_from_it():
    when = datetime(2026, 8, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    with connection.execute_wrapper(created_by_someone_else_first("SO", 2026, 7)):
        assert next_number("SO", when=when) == "SO-2026-000008"
    with connection.execute_wrapper(created_by_someone_else_first("CU", 2026, 3)):
        assert reserve_numbers("CU", 2, when=when) == ["CU-2026-000004", "CU-2026-000005"]
    assert DocumentSequence.objects.get(doc_type="SO", year=2026).last_value == 8
    assert DocumentSequence.objects.get(doc_type="CU", year=2026).last_value == 5


def waiting_for_a_lock(connection_pid) -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [connection_pid])
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_two_first_callers_race_on_postgresql():
    """Two callers want the first number of a year at once. On PostgreSQL the first one's counter row is not
    committed when the second one's UPDATE runs, so the second one finds none, its INSERT waits on the unique
    index, fails once the first commits, and the fallback takes the next number from the first one's counter.
    (SQLite's write lock queues the second caller before its UPDATE: it simply gets the next number.)"""
    first_created, second_started, release = threading.Event(), threading.Event(), threading.Event()
    results, errors, pids = {}, [], {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = next_value("RACE", 2031)
                first_created.set()
                assert release.wait(30)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            first_created.set()
            connection.close()

    def second():
        try:
            assert first_created.wait(30)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT 1")
                pids["second"] = cursor.fetchone()[0]
            second_started.set()
            with transaction.atomic():
                results["second"] = next_value("RACE", 2031)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            second_started.set()
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert second_started.wait(30)
    waited = False
    if connection.vendor == "postgresql":
        for _attempt in range(3000):  # until the second caller's INSERT waits on the first's uncommitted row
            if waiting_for_a_lock(pids["second"]):
                waited = True
                break
            threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == {"first": 1, "second": 2}
    assert DocumentSequence.objects.get(doc_type="RACE", year=2031).last_value == 2
    assert waited is (connection.vendor == "postgresql")
