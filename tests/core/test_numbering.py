"""Document numbers: per type and year, gap-free, distinct under concurrent creation on both databases."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from kehu.core.models import DocumentSequence
from kehu.core.numbering import next_number, reserve_numbers

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
