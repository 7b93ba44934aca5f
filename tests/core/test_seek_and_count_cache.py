"""Deep pages and counts (issue 9): the next page is a seek after the cursor of the page before it, with exactly the
rows the offset would give; the count is counted once per list and cached until the list's app is written to."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kehu.core import listing, resources
from kehu.core.listing import CappedPaginator, decode_cursor, encode_cursor
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(org):
    """45 customers of the rep, last activity in pairs (ties broken by the primary key)."""
    now = timezone.now()
    return [
        Customer.objects.create(
            number=f"CU-S-{n:03}",
            name=f"翻页客户{n}",
            name_normalized=f"翻页客户{n}",
            owner=org.rep,
            owner_department=org.rep.department,
            last_activity_at=now - timedelta(hours=n // 2),
        )
        for n in range(45)
    ]


def _page_rows(response):
    return [c.pk for c in response.context["page"].object_list]


def test_following_next_pages_gives_the_offset_pages_rows(client, org, book):
    """Page 1 → 2 → 3 by the next links (each a seek after the cursor) equals pages 2 and 3 asked by number."""
    client.force_login(org.rep)
    url = reverse("customers:mine")
    first = client.get(url, {"size": 20})
    cursor = first.context["next_cursor"]
    assert decode_cursor(cursor)[0] == 1 and f"after={cursor}" in first.content.decode()
    second = client.get(url, {"size": 20, "page": 2, "after": cursor})
    third = client.get(url, {"size": 20, "page": 3, "after": second.context["next_cursor"]})
    by_number = [_page_rows(client.get(url, {"size": 20, "page": n})) for n in (2, 3)]
    assert [_page_rows(second), _page_rows(third)] == by_number
    expected = [c.pk for c in sorted(book, key=lambda c: (c.last_activity_at, c.pk), reverse=True)]
    assert _page_rows(first) + by_number[0] + by_number[1] == expected
    assert third.context["next_cursor"] == ""  # the last page has no next


def test_the_seek_is_a_range_on_the_sort_and_the_primary_key(org, book):
    resource = resources.get("customers.customer")
    _tab, rows, _filters, sort = resource.listing(org.rep, {"scope": "mine", "sort": "-activity"})
    paginator = resource.paginator(org.rep, rows, "mine", sort, {}, 20)
    cursor = paginator.cursor_after(paginator.page(1))
    seeking = resource.paginator(org.rep, rows, "mine", sort, {"after": cursor}, 20)
    with CaptureQueriesContext(connection) as queries:
        page = seeking.page(2)
    listed = [q["sql"] for q in queries.captured_queries if "LIMIT 20" in q["sql"]]
    assert len(listed) == 1 and "OFFSET" not in listed[0], listed
    assert re.search(r'"last_activity_at" <= .*"last_activity_at" < .*"id" <', listed[0]), listed[0]
    assert [c.pk for c in page] == [c.pk for c in paginator.page(2)]


@pytest.mark.parametrize(
    "after",
    ["nonsense", encode_cursor(7, "2025-01-01T00:00:00+00:00", 3), encode_cursor(1, None, 3), "W10", "x" * 600],
    ids=["garbage", "another-page", "null-value", "not-a-triple", "too-long"],
)
def test_a_cursor_that_does_not_fit_leaves_the_page_number_in_charge(client, org, book, after):
    client.force_login(org.rep)
    url = reverse("customers:mine")
    assert _page_rows(client.get(url, {"page": 2, "after": after})) == _page_rows(client.get(url, {"page": 2}))


def test_a_cursor_never_shows_rows_outside_the_scope(client, org, book):
    """A cursor only narrows the user's own rows: one made up to point anywhere shows none of another's customers."""
    other = Customer.objects.create(
        number="CU-S-EAST", name="华东客户", name_normalized="华东客户", owner=org.rep_east,
        owner_department=org.rep_east.department, last_activity_at=timezone.now() - timedelta(days=400),
    )  # fmt: skip
    client.force_login(org.rep)
    forged = encode_cursor(1, (timezone.now() + timedelta(days=1)).isoformat(), 10**9)
    rows = _page_rows(client.get(reverse("customers:mine"), {"page": 2, "after": forged, "size": 100}))
    assert other.pk not in rows and len(rows) == 45


def test_the_api_next_link_carries_the_cursor(org, book):
    api = APIClient()
    api.force_authenticate(org.rep)
    first = api.get("/api/customers/", {"page_size": 20}).json()
    assert "after=" in first["next"] and first["count"] == 45
    second = api.get(first["next"]).json()
    by_number = api.get("/api/customers/", {"page_size": 20, "page": 2}).json()
    assert [c["id"] for c in second["results"]] == [c["id"] for c in by_number["results"]]
    assert "after=" not in (second["previous"] or "")


def _count_queries(resource, user, params) -> int:
    tab, rows, _filters, sort = resource.listing(user, params)
    paginator = resource.paginator(user, rows, tab, sort, params, 20)
    expected = rows.count()
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == expected
    return sum("COUNT(" in q["sql"] for q in queries.captured_queries)


def test_the_count_is_counted_once_then_cached_until_a_write(org, book):
    resource = resources.get("customers.customer")
    params = {"scope": "mine"}
    assert _count_queries(resource, org.rep, params) == 1
    assert _count_queries(resource, org.rep, params) == 0  # cached
    assert _count_queries(resource, org.rep, {"scope": "mine", "q": "翻页客户1"}) == 1  # other filters, own count
    Customer.objects.filter(pk=book[0].pk).update(owner=None)  # a bulk update: no model signal, still seen
    assert _count_queries(resource, org.rep, params) == 1
    Customer.objects.filter(pk=book[1].pk).delete()
    assert _count_queries(resource, org.rep, params) == 1
    assert _count_queries(resource, org.rep_bj, params) == 1  # per user (their scope)


def test_a_write_to_another_app_keeps_the_count(org, book):
    resource = resources.get("customers.customer")
    assert _count_queries(resource, org.rep, {"scope": "mine"}) == 1
    version = listing.data_version("customers")
    from kehu.notify.models import Message

    Message.objects.filter(pk=0).update(title="x")  # an UPDATE of notify's table
    assert listing.data_version("customers") == version
    assert _count_queries(resource, org.rep, {"scope": "mine"}) == 0


def test_without_a_key_the_paginator_counts_every_time(org, book):
    rows = Customer.objects.order_by("pk")
    assert CappedPaginator(rows, 20).count == CappedPaginator(rows, 20).count == 45
