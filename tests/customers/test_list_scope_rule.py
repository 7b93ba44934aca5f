"""One rule for which customer list a user may open (the customer resource's tab permissions), the same on the
pages, in the API and in the exports: "mine" and "shared" need customers.view, "all" (the management list) needs
customers.transfer, an export needs customers.export on top. The API lists "mine" by default, as the menu does."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kehu.customers import services
from tests.customers.test_import_helpers import read_sheet, streamed

# role: (may view, may transfer, may export), from the roles of tests/factories.py DepartmentTree
RIGHTS = {
    "admin": (True, True, True),  # sales operations
    "director": (True, True, True),
    "manager": (True, True, True),
    "rep": (True, False, True),
    "dept_viewer": (True, False, True),
    "chosen": (True, False, False),
    "all": (True, False, False),
    "nobody": (False, False, False),
}
PAGES = {"mine": "customers:mine", "shared": "customers:shared", "all": "customers:manage"}


def allowed(username, scope, export=False):
    view, transfer, may_export = RIGHTS[username]
    return (transfer if scope == "all" else view) and (may_export or not export)


@pytest.fixture
def book(org):
    mine = services.create_customer(org.rep, {"name": "华北自有"})
    shared = services.create_customer(org.rep_east, {"name": "华东共享"})
    services.share_customer(org.rep_east, shared, users=[org.rep])
    return {"mine": mine, "shared": shared}


def people(org):
    return [p for p in org.people() if p.username in RIGHTS]


@pytest.mark.parametrize("scope", ["mine", "shared", "all"])
def test_the_list_pages_follow_the_rule(client, org, book, scope):
    for person in people(org):
        client.force_login(person)
        status = client.get(reverse(PAGES[scope])).status_code
        assert status == (200 if allowed(person.username, scope) else 403), (person.username, status)


@pytest.mark.parametrize("scope", ["mine", "shared", "all"])
def test_the_api_list_follows_the_rule(org, book, scope):
    for person in people(org):
        api = APIClient()
        api.force_authenticate(person)
        status = api.get("/api/customers/", {"scope": scope}).status_code
        assert status == (200 if allowed(person.username, scope) else 403), (person.username, status)


def test_the_api_lists_my_customers_by_default_as_the_menu_does(org, book):
    api = APIClient()
    api.force_authenticate(org.rep)
    default = {row["id"] for row in api.get("/api/customers/").json()["results"]}
    mine = {row["id"] for row in api.get("/api/customers/", {"scope": "mine"}).json()["results"]}
    assert default == mine == {book["mine"].pk}  # the shared customer is only in "shared" (and "all")
    nobody = APIClient()
    nobody.force_authenticate(org.nobody)
    assert nobody.get("/api/customers/").status_code == 403


@pytest.mark.parametrize("scope", ["mine", "shared", "all"])
def test_the_exports_follow_the_rule(client, org, book, scope):
    for person in people(org):
        client.force_login(person)
        expected = 200 if allowed(person.username, scope, export=True) else 403
        page = client.get(reverse("customers:export"), {"scope": scope}).status_code
        assert page == expected, (person.username, "page", page)
        api = APIClient()
        api.force_authenticate(person)
        status = api.get("/api/customers/export/", {"scope": scope}).status_code
        assert status == expected, (person.username, "api", status)


def test_the_api_export_defaults_to_the_api_lists_default(org, book):
    api = APIClient()
    api.force_authenticate(org.rep)
    response = api.get("/api/customers/export/")
    assert response.status_code == 200
    assert [row[0] for row in read_sheet(streamed(response))[1:]] == ["华北自有"]
