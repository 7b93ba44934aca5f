"""The leak test: every URL is registered, and as each role no scoped page or API route shows a record outside
what `visible_to` allows (lists show exactly the visible records, details of the others answer 404).

Later modules join by registering their routes in `kehu.core.leakcheck` (see their `leaks.py`).
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kehu.core.leakcheck import SCOPED, UNSCOPED
from tests.scope_oracle import BUILDERS, ORACLES


def named_routes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from named_routes(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_named_route_is_registered_as_scoped_or_unscoped():
    routes = set(named_routes())
    unregistered = sorted(routes - set(SCOPED) - set(UNSCOPED))
    assert unregistered == []
    stale = sorted((set(SCOPED) | set(UNSCOPED)) - routes)
    assert stale == []


def test_no_route_is_registered_twice():
    assert set(SCOPED) & set(UNSCOPED) == set()


def test_every_scoped_model_has_an_independent_oracle_and_records():
    assert {route.model for route in SCOPED.values()} - set(ORACLES) == set()
    assert {route.model for route in SCOPED.values()} - set(BUILDERS) == set()


@pytest.fixture
def records(org):
    """Records of every scoped model, owned across the tree, with shares (see tests/scope_oracle.py)."""
    return {model: build(org) for model, build in BUILDERS.items()}


def _detail_url(route, obj):
    return reverse(route.url_name, kwargs={"pk": obj.pk})


def _api_ids(client, url, query=""):
    ids, page = set(), url + "?page_size=100" + (f"&{query}" if query else "")
    while page:
        response = client.get(page)
        if response.status_code == 403:  # no permission for the list: it shows nothing
            return ids
        assert response.status_code == 200, (url, response.status_code)
        body = response.json()
        ids |= {row["id"] for row in body["results"]}
        page = body["next"]
    return ids


@pytest.mark.parametrize("route_name", sorted(SCOPED))
def test_scoped_route_shows_no_record_outside_the_scope_to_any_role(client, org, records, route_name):
    route = SCOPED[route_name]
    everything = records[route.model]
    for person in org.people():
        client.force_login(person)
        visible = {obj.pk for obj in everything if ORACLES[route.model](person, obj, route.action)}
        in_scope = route.model.objects.visible_to(person, route.action).filter(pk__in=[o.pk for o in everything])
        assert set(in_scope.values_list("pk", flat=True)) == visible, person.username
        if route.kind == "detail":
            for obj in everything:
                url = _detail_url(route, obj)
                response = client.post(url) if route.method == "post" else client.get(url)
                if obj.pk not in visible:
                    assert response.status_code == 404, (person.username, url, response.status_code)
                elif route.method == "post":  # the action may refuse bad input, but it found the record
                    assert response.status_code not in (403, 404), (person.username, url, response.status_code)
                else:
                    assert response.status_code == 200, (person.username, url, response.status_code)
        elif route.api:
            shown = _api_ids(client, reverse(route.url_name), route.list_query)
            assert shown <= visible, person.username
            if route.complete:
                assert shown == visible, person.username
        else:
            query = f"?size=100&{route.list_query}"
            response = client.get(reverse(route.url_name) + query)
            assert response.status_code in (200, 403), (person.username, response.status_code)
            page = response.content.decode() if response.status_code == 200 else ""
            for obj in everything:
                marker = route.marker(obj)
                shown = re.search(re.escape(marker) + r"(?![\w-])", page) is not None
                assert not shown or obj.pk in visible, (person.username, marker)
                if route.complete and response.status_code == 200:
                    assert shown == (obj.pk in visible), (person.username, marker)
