"""Search takes every character literally (issue 10 item 6): a lone `'` in `?search=` (or `?q=`) searches for a
quote on every API list that searches — walked from the router, so a module's list is covered once routed —
instead of being dropped and answering the whole list."""

import json

import pytest
from django.urls import reverse

from kehu.api_urls import router
from kehu.core.api_resources import ResourceViewSet
from kehu.customers import services
from tests.factories import UserFactory
from tests.scope_oracle import BUILDERS


def _searching_lists():
    """(basename, the search parameters) of every routed viewset whose list searches."""
    found = []
    for _prefix, viewset, basename in router.registry:
        if not hasattr(viewset, "list"):
            continue
        params = []
        if issubclass(viewset, ResourceViewSet) and viewset.resource is not None:
            if "q" in viewset.resource.filter_names:
                params = ["q", "search"]
        elif getattr(viewset, "search_fields", None):
            params = ["search"]
        if params:
            found.append(pytest.param(basename, params, id=basename))
    return found


LISTS = _searching_lists()


def test_the_walk_reaches_the_lists_that_were_reported():
    assert {p.id for p in LISTS} >= {"user", "contact", "department", "approval", "customer", "dictionary-item"}


@pytest.fixture
def records(org):
    from kehu.org.models import Role

    org.admin.roles.add(Role.objects.get(code="t_all"))  # sees every test module's records too (memos)
    for build in BUILDERS.values():
        build(org)
    return org


def _rows(response) -> list:
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


@pytest.mark.parametrize(("basename", "params"), LISTS)
def test_a_lone_quote_searches_for_a_quote(client, records, basename, params):
    client.force_login(records.admin)
    url = reverse(f"api:{basename}-list")
    everything = client.get(url)
    assert everything.status_code == 200
    for param in params:
        response = client.get(url, {param: "'"})
        assert response.status_code == 200, (param, response.content[:300])
        rows = _rows(response)
        # every row found holds a quote somewhere (none of the test records does): never the whole list
        assert all("'" in json.dumps(row, ensure_ascii=False) for row in rows), (param, rows[:2])
        if _rows(everything):
            assert len(rows) < len(_rows(everything)) or not rows


def test_a_quote_finds_the_records_that_hold_it(client, org):
    UserFactory(username="oneil", name="O'Neil", department=org.sales)
    customer = services.create_customer(org.admin, {"name": "奥'布莱恩贸易"}, [{"name": "D'Arcy"}])
    client.force_login(org.admin)
    users = client.get("/api/users/", {"search": "'"}).json()["results"]
    assert [u["name"] for u in users] == ["O'Neil"]
    assert [u["name"] for u in client.get("/api/users/", {"q": "o'n"}).json()["results"]] == ["O'Neil"]
    customers = client.get("/api/customers/", {"search": "奥'布莱", "scope": "all"}).json()["results"]
    assert [c["id"] for c in customers] == [customer.pk]
    contacts = client.get("/api/contacts/", {"search": "D'"}).json()["results"]
    assert [c["name"] for c in contacts] == ["D'Arcy"]
