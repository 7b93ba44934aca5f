"""Every kind of customer search reads an index on both databases (issue 9: "Chinese name fragments use an
index", "Contact prefix search uses a range condition both databases can index").

A name fragment of three characters or more goes through the trigram index (SQLite: the FTS5 table; PostgreSQL:
the pg_trgm GIN index); one or two characters cannot (no trigram) and stay a LIKE scan of the names, which a test
here states so that nobody mistakes it for an accident. Contact names are found by a range on contact_name_idx.

PostgreSQL: the real plans (no planner switches), with statistics (`ANALYZE`) over 20,000 customers and 20,000
contacts.
"""

from types import SimpleNamespace

import pytest

from kehu.customers import name_index
from kehu.customers.models import Contact, Customer
from kehu.customers.queries import search_q
from tests.factories import DepartmentTree
from tests.support.plan_data import load_customers, loaded_once
from tests.support.plans import analyze, explain

pytestmark = pytest.mark.django_db

CUSTOMERS = Customer._meta.db_table
CONTACTS = Contact._meta.db_table


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with loaded_once(django_db_blocker):
        org = DepartmentTree.build()
        loaded = load_customers(org)
        analyze()
        yield SimpleNamespace(org=org, **loaded)


def searched(user, text: str):
    """The search as a list runs it: in the user's scope, newest activity first, one page."""
    return Customer.objects.visible_to(user).filter(search_q(text)).order_by("-last_activity_at", "-pk")[:20]


def reads_name_index(plan) -> bool:
    if plan.vendor == "sqlite":
        return any(f"SCAN {name_index.FTS} VIRTUAL TABLE INDEX" in step for step in plan.steps)
    return name_index.PG_INDEX in plan.indexes


def a_name_fragment(length: int) -> str:
    """A fragment of a customer's name that few other names contain (the part between place and legal form)."""
    name = Customer.objects.order_by("pk").values_list("name", flat=True)[123]
    return name[2 : 2 + length]


@pytest.mark.parametrize("who", ["manager", "everyone_viewer"])
def test_a_name_fragment_of_three_characters_reads_the_trigram_index(world, who):
    fragment = a_name_fragment(3)
    plan = explain(searched(getattr(world.org, who), fragment))
    assert reads_name_index(plan), plan
    assert not plan.full_scans(CUSTOMERS), plan
    assert "contact_name_idx" in plan.indexes and not plan.full_scans(CONTACTS), plan
    assert not any("LIKE" in step and CUSTOMERS in step for step in plan.steps), plan


def test_a_fragment_of_one_or_two_characters_is_a_scan_of_the_names(world):
    """No trigram in two characters: the documented fallback (`customers_named_like`) is the LIKE, a scan."""
    plan = explain(searched(world.org.everyone_viewer, a_name_fragment(2)))
    assert not reads_name_index(plan), plan
    assert plan.full_scans(CUSTOMERS) or any("Filter" in s and "~~" in s for s in plan.steps), plan
    assert "contact_name_idx" in plan.indexes, plan


def test_a_contact_name_prefix_is_a_range_on_the_contact_name_index(world):
    """A contact's name (Chinese, three characters so that the customer-name part reads the trigram index too):
    the range `name >= '王建国' AND name < '王建图'` both databases answer from contact_name_idx, no scan."""
    names = Contact.objects.order_by("pk").values_list("name", flat=True)[:200]
    contact = next(name for name in names if len(name) == 3)
    plan = explain(searched(world.org.everyone_viewer, contact))
    assert "contact_name_idx" in plan.indexes and not plan.full_scans(CONTACTS), plan


@pytest.mark.parametrize(
    ("text", "index"),
    [("bjzy", "customer_pinyin_idx"), ("beijing", "customer_pinyin_idx"), ("13900001234", "customers_contact_mobile")],
)
def test_pinyin_initials_and_phone_prefixes_read_their_indexes(world, text, index):
    plan = explain(searched(world.org.everyone_viewer, text))
    assert any(name.startswith(index) for name in plan.indexes), plan
    assert not plan.full_scans(CONTACTS), plan
