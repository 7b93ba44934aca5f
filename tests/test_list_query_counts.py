"""The query count of every list page and API list is constant in its rows (issue 9, "the fixed cost"): no N+1,
for every resource declared in the registry — including the ones later modules declare.

On the demo company (`kehu demo`: every module brings its realistic demo data), each list is opened by the first
demo person who may open it and whose list has two rows or more: the API with `page_size=1` and `page_size=100`,
the page with one row and with 100. The number of queries must be the same.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from kehu.core import resources
from kehu.org.models import User
from tests.support.plan_data import loaded_once

pytestmark = pytest.mark.django_db


def _two_delegations():
    """The demo company has no delegations yet (reported): two of one person's, set the way the page sets them."""
    from datetime import timedelta

    from django.utils import timezone

    from kehu.approvals.delegation import set_delegation

    today = timezone.localdate()
    person, first, second = User.objects.filter(is_active=True).order_by("pk")[1:4]
    set_delegation(person, person, first, today + timedelta(days=10), today + timedelta(days=12))
    set_delegation(person, person, second, today + timedelta(days=20), today + timedelta(days=22))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with loaded_once(django_db_blocker):
        call_command("demo", password="Demo-pass-2026", verbosity=0)
        _two_delegations()
        yield list(User.objects.filter(is_active=True).order_by("pk"))


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    return response, len(queries.captured_queries)


def _product():
    """The product's resources (the test suite's own example app, tests/scoped_app, has no demo data)."""
    return [r for r in resources.all_resources() if r.model.__module__.startswith("kehu.")]


def _api_lists():
    return [r for r in _product() if r.api]


def _pages():
    return [(r, tab, name) for r in _product() for tab, name in r.pages.items()]


@pytest.mark.parametrize("resource", _api_lists(), ids=lambda r: r.key)
def test_an_api_list_runs_as_many_queries_for_one_row_as_for_a_hundred(demo, resource):
    url = reverse(f"api:{resource.api}-list")
    whole = next((t.key for t in resource.tabs if t.complete), "")
    params = {resource.tab_param: whole} if whole else {}
    for person in demo:
        client = APIClient()
        client.force_authenticate(person)
        response, _n = _queries(client, url, {**params, "page_size": 100})
        if response.status_code != 200 or response.json()["count"] < 2:
            continue
        one, few = _queries(client, url, {**params, "page_size": 1})
        many, lots = _queries(client, url, {**params, "page_size": 100})
        rows = len(many.json()["results"])
        assert (len(one.json()["results"]), few) == (1, lots), f"{resource.key} as {person.username}: {rows} rows"
        return
    pytest.fail(f"{resource.key}: no demo person has two rows in it (the module's demo data is missing)")


@pytest.mark.parametrize(("resource", "tab", "url_name"), _pages(), ids=lambda v: getattr(v, "key", v))
def test_a_list_page_runs_as_many_queries_for_one_row_as_for_a_hundred(demo, resource, tab, url_name, monkeypatch):
    monkeypatch.setattr("kehu.core.resources.PAGE_SIZES", (1, 20, 100))  # a page of one row, for the comparison
    url = reverse(url_name)
    for person in demo:
        client = Client()
        client.force_login(person)
        response, _n = _queries(client, url, {"size": 100})
        page = response.context["page"] if response.status_code == 200 and response.context else None
        if page is None or page.paginator.count < 2:
            continue
        one, few = _queries(client, url, {"size": 1})
        many, lots = _queries(client, url, {"size": 100})
        rows = len(many.context["page"].object_list)
        assert (len(one.context["page"].object_list), few) == (1, lots), (
            f"{resource.key} {tab} as {person.username}: {rows} rows"
        )
        return
    pytest.fail(f"{resource.key}: no demo person has two rows on {url_name} (the module's demo data is missing)")
