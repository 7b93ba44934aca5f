"""The leak test: every URL is registered, and as each role no scoped page or API route shows a record outside
what `visible_to` allows (lists show exactly the visible records, details of the others answer 404).

Later modules join by registering their routes in `kehu.core.leakcheck` (see their `leaks.py`).
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kehu.core.leakcheck import SCOPED, UNSCOPED
from kehu.notify.models import Message
from kehu.notify.services import send_message
from tests.scope_oracle import ORACLES
from tests.scoped_app.models import Memo, MemoShare


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


def test_every_scoped_model_has_an_independent_oracle():
    assert {route.model for route in SCOPED.values()} - set(ORACLES) == set()


@pytest.fixture
def records(org):
    """Records owned across the tree, a share, and messages for everyone."""
    people = org.people()
    memos = [
        Memo.objects.create(owner=person, owner_department=person.department, title=f"MEMO-{person.username}-{n}")
        for person in people
        for n in range(2)
    ]
    MemoShare.objects.create(memo=memos[-1], user=org.rep)
    for person in people:
        send_message([person], f"MSG-{person.username}", "body")
    return {Memo: memos, Message: list(Message.objects.all())}


def _detail_url(route, obj):
    return reverse(route.url_name, kwargs={"pk": obj.pk})


def _api_ids(client, url):
    ids, page = set(), url + "?page_size=100"
    while page:
        response = client.get(page)
        assert response.status_code == 200, (url, response.status_code)
        body = response.json()
        ids |= {row["id"] for row in body["results"]}
        page = body["next"]
    return ids


@pytest.mark.parametrize("route_name", sorted(SCOPED))
def test_scoped_route_shows_exactly_the_visible_records_to_every_role(client, org, records, route_name):
    route = SCOPED[route_name]
    everything = records[route.model]
    for person in org.people():
        client.force_login(person)
        visible = {obj.pk for obj in everything if ORACLES[route.model](person, obj)}
        assert set(route.model.objects.visible_to(person).values_list("pk", flat=True)) == visible, person.username
        if route.kind == "detail":
            for obj in everything:
                url = _detail_url(route, obj)
                response = client.post(url) if route.url_name.endswith("-read") else client.get(url)
                expected = 200 if obj.pk in visible else 404
                assert response.status_code == expected, (person.username, url, response.status_code)
        elif route.api:
            assert _api_ids(client, reverse(route.url_name)) == visible, person.username
        else:
            query = f"?size=100&{route.list_query}"
            response = client.get(reverse(route.url_name) + query)
            assert response.status_code == 200
            page = response.content.decode()
            for obj in everything:
                marker = route.marker(obj)
                shown = re.search(re.escape(marker) + r"(?![\w-])", page) is not None
                assert shown == (obj.pk in visible), (person.username, marker)
