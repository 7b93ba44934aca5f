"""The leak test: every URL is registered, and as each role no scoped page, API route or action shows or touches a
record outside what `visible_to` allows: lists show exactly the visible records, details of the others answer
404, and an action answers 403 without its permission, 404 outside the scope and does its work with both.

Later modules join by registering their routes in `kehu.core.leakcheck` (see their `leaks.py`); nothing here
knows a route.
"""

import copy
import re

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kehu.core.leakcheck import SCOPED, UNSCOPED, Call, route_names
from tests.factories import UserFactory, make_role
from tests.scope_oracle import BUILDERS, ORACLES, module_perm

MISSING_PK = 10**9


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
    unregistered = sorted(routes - route_names())
    assert unregistered == []
    stale = sorted(route_names() - routes)
    assert stale == []


def test_no_route_is_registered_twice():
    assert {route.url_name for route in SCOPED.values()} & set(UNSCOPED) == set()


def _oracle_key(route):
    return (route.model, route.oracle) if route.oracle else route.model


def test_every_scoped_model_has_an_independent_oracle_and_records():
    routes = [route for route in SCOPED.values() if route.model is not None]
    assert {_oracle_key(route) for route in routes} - set(ORACLES) == set()
    assert {route.model for route in routes} - set(BUILDERS) == set()


def test_every_action_without_a_record_declares_its_permission_or_call():
    for route in SCOPED.values():
        if route.model is None:
            assert route.perms or route.call, route.key


def build_records(org, route) -> list:
    """The records of the route's model, owned across the tree, with shares (see tests/scope_oracle.py), then those
    of the models the route also needs. Only what the route walks is built: the matrix is large."""
    records = BUILDERS[route.model](org)
    for model in route.needs:
        BUILDERS[model](org)
    return records


@pytest.fixture
def people(org):
    """The roles of the test organisation, and one more: every customer action, scoped to one department (east),
    so that each action is also walked by someone who has its permission but not the whole company."""
    role = make_role(
        "t_ops_east",
        {"customers": (("view", "add", "change", "delete", "export", "transfer", "manage"), "department")},
    )
    ops_east = UserFactory(username="ops_east", name="华东运营", department=org.east, roles=[role])
    return [*org.people(), ops_east]


def _api_ids(client, url, query=""):
    ids, page = set(), f"{url}?page_size=100&{query}"
    while page:
        response = client.get(page)
        assert response.status_code == 200, (url, response.status_code)
        body = response.json()
        ids |= {row["id"] for row in body["results"]}
        page = body["next"]
    return ids


def _allowed(route, person) -> bool:
    return all(module_perm(person, module, action) for module, action in route.perms)


def _request(client, route, call: Call):
    url = reverse(route.url_name, kwargs=call.kwargs)
    if route.method == "get":
        return client.get(url, call.data)
    if route.api and not call.multipart:
        return client.post(url, call.data, content_type="application/json")
    return client.post(url, call.data)


def _call_and_roll_back(client, route, obj, person):
    """Call the route for `obj` as `person` inside a savepoint that is rolled back: the answer and whether the
    change happened, and the records stay as they were for the rest of the walk."""
    with transaction.atomic():
        if route.call:
            call = route.call(obj, person)
        else:
            call = Call(kwargs={"pk": obj.pk}) if obj is not None else Call()
        response = _request(client, route, call)
        changed = call.changed() if call.changed and response.status_code < 400 else None
        transaction.set_rollback(True)
    return response.status_code, changed


def _missing(obj):
    surrogate = copy.copy(obj)
    surrogate.pk = MISSING_PK
    return surrogate


def _walk_action(client, route, everything, person, visible):
    if not _allowed(route, person):
        # 403 comes before any look at the record: one record inside the scope and one outside are enough.
        inside = [obj for obj in everything if obj.pk in visible][:1]
        outside = [obj for obj in everything if obj.pk not in visible][:1]
        for obj in inside + outside:
            status, _ = _call_and_roll_back(client, route, obj, person)
            assert status == 403, (person.username, route.key, obj.pk, status)
        return
    missing_status = None
    for obj in everything:
        status, changed = _call_and_roll_back(client, route, obj, person)
        where = (person.username, route.key, obj.pk, status)
        if obj.pk not in visible:
            assert changed is not True, where  # nothing happened to a record outside the scope
            if route.outside == "404":
                assert status == 404, where
            else:
                if missing_status is None:
                    missing_status, _ = _call_and_roll_back(client, route, _missing(obj), person)
                assert status == missing_status, (*where, missing_status)
        else:
            assert 200 <= status < 400, where
            assert changed is not False, where  # the action did its work


def _walk_detail(client, route, everything, person, visible):
    for obj in everything:
        url = reverse(route.url_name, kwargs={"pk": obj.pk})
        if route.method == "post":
            with transaction.atomic():
                status = client.post(url).status_code
                transaction.set_rollback(True)
        else:
            status = client.get(url).status_code
        if obj.pk not in visible:
            assert status == 404, (person.username, url, status)
        elif route.method == "post":  # the action may refuse bad input, but it found the record
            assert status not in (403, 404), (person.username, url, status)
        else:
            assert status == 200, (person.username, url, status)


def _walk_list(client, route, everything, person, visible):
    if route.api:
        url = reverse(route.url_name)
        if route.perms and not _allowed(route, person):
            assert client.get(f"{url}?{route.list_query}").status_code == 403, person.username
            return
        shown = _api_ids(client, url, route.list_query)
        assert shown <= visible, person.username
        if route.complete:
            assert shown == visible, person.username
        return
    response = client.get(reverse(route.url_name) + f"?size=100&{route.list_query}")
    if route.perms:
        assert response.status_code == (200 if _allowed(route, person) else 403), (person.username, route.key)
    assert response.status_code in (200, 403), (person.username, response.status_code)
    if response.status_code != 200:
        return
    page = route.read(response) if route.read else response.content.decode()
    for obj in everything:
        marker = route.marker(obj)
        shown = re.search(re.escape(marker) + r"(?![\w-])", page) is not None
        assert not shown or obj.pk in visible, (person.username, route.key, marker)
        if route.complete:
            assert shown == (obj.pk in visible), (person.username, route.key, marker)


@pytest.mark.parametrize("route_key", sorted(SCOPED))
def test_scoped_route_shows_no_record_outside_the_scope_to_any_role(client, org, people, route_key):
    route = SCOPED[route_key]
    if route.model is None:  # an action on no existing owned record: its permission only
        for person in people:
            client.force_login(person)
            status, changed = _call_and_roll_back(client, route, None, person)
            if _allowed(route, person):
                assert 200 <= status < 400 and changed is not False, (person.username, route_key, status)
            else:
                assert status == 403, (person.username, route_key, status)
        return
    everything = [obj for obj in build_records(org, route) if route.applies is None or route.applies(obj)]
    oracle = ORACLES[_oracle_key(route)]
    for person in people:
        client.force_login(person)
        visible = {obj.pk for obj in everything if oracle(person, obj, route.action)}
        if not route.oracle:
            in_scope = route.model.objects.visible_to(person, route.action).filter(pk__in=[o.pk for o in everything])
            assert set(in_scope.values_list("pk", flat=True)) == visible, person.username
        if route.kind == "list":
            _walk_list(client, route, everything, person, visible)
        elif route.is_action:
            _walk_action(client, route, everything, person, visible)
        else:
            _walk_detail(client, route, everything, person, visible)
