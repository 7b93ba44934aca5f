"""Merge resolves both customers through the change scope, in the service: a manage role scoped to the user's own
records merges nothing else, on the page, in the API or called directly; out of scope is 404, like missing."""

import pytest
from django.http import Http404
from rest_framework.test import APIClient

from kehu.customers import services
from kehu.customers.models import Customer
from tests.factories import UserFactory, make_role


@pytest.fixture
def self_ops(org):
    """Sees every customer (a viewer role), but may change and merge only their own (a self-scoped manage role)."""
    viewer = make_role("t_view_all", {"customers": (("view",), "all")})
    merger = make_role("t_merge_self", {"customers": (("view", "add", "change", "manage"), "self")})
    return UserFactory(username="self_ops", department=org.north, roles=[viewer, merger])


@pytest.fixture
def pair(org, self_ops):
    own = services.create_customer(self_ops, {"name": "自有客户"})
    other = services.create_customer(org.rep_east, {"name": "华东客户"})
    return own, other


def statuses():
    return dict(Customer.objects.values_list("name", "status"))


def test_the_service_refuses_a_customer_outside_the_change_scope_as_missing(org, self_ops, pair):
    own, other = pair
    for keep, duplicate in ((own, other), (other, own)):
        with pytest.raises(Http404):
            services.merge_customers(self_ops, keep, duplicate)
    with pytest.raises(Http404):
        services.merge_customers(self_ops, own.pk, 10**9)  # a missing id: the same answer
    assert statuses() == {"自有客户": "active", "华东客户": "active"}


def test_the_page_answers_404_to_a_confirmed_merge_outside_the_scope(client, org, self_ops, pair):
    own, other = pair
    client.force_login(self_ops)
    preview = client.get("/customers/merge/", {"keep": own.number, "duplicate": other.number})
    assert preview.status_code == 200 and preview.context["preview"] is None  # only visible, not changeable
    confirm = client.post("/customers/merge/", {"keep": own.number, "duplicate": other.number, "confirm": "1"})
    assert confirm.status_code == 404
    assert statuses() == {"自有客户": "active", "华东客户": "active"}


def test_the_api_answers_404_outside_the_scope_and_merges_inside_it(org, self_ops, pair):
    own, other = pair
    api = APIClient()
    api.force_authenticate(self_ops)
    response = api.post("/api/customers/merge/", {"keep": own.pk, "duplicate": other.pk}, format="json")
    assert response.status_code == 404
    assert statuses() == {"自有客户": "active", "华东客户": "active"}
    second = services.create_customer(self_ops, {"name": "自有客户二"})
    response = api.post("/api/customers/merge/", {"keep": own.pk, "duplicate": second.pk}, format="json")
    assert response.status_code == 200 and response.json()["id"] == own.pk
    assert statuses() == {"自有客户": "active", "华东客户": "active", "自有客户二": "merged"}
