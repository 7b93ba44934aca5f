"""The resource registry: one declaration, and the page, the API and the leak register agree on it.

Proven on the test app's memos (tests/scoped_app/resources.py, the developer guide's worked example) and on
every resource the product declares."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kehu.core import leakcheck, resources
from tests.scoped_app.models import Memo
from tests.scoped_app.resources import MEMOS


@pytest.fixture
def memos(org):
    made = {}
    for person in (org.rep, org.rep_bj, org.rep_east, org.manager):
        for title in ("alpha", "beta"):
            made[(person.username, title)] = Memo.objects.create(
                owner=person, owner_department=person.department, title=f"{title}-{person.username}"
            )
    return made


def page_titles(client, query=""):
    response = client.get(reverse("scoped_app:memo_list") + query)
    assert response.status_code == 200
    return re.findall(r'href="/memos/\d+/">([\w-]+)</a>', response.content.decode())


def api_titles(user, query=""):
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(reverse("api:memo-list") + query)
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "query",
    ["", "?sort=title", "?sort=-title", "?sort=created", "?q=alpha", "?q=alpha&sort=-title", "?tab=mine", "?sort=zzz"],
)
def test_page_and_api_show_the_same_rows_in_the_same_order(client, org, memos, query):
    client.force_login(org.manager)
    assert page_titles(client, query) == api_titles(org.manager, query)


def test_rows_come_from_visible_to_and_the_tab(client, org, memos):
    client.force_login(org.manager)  # north and below: himself, rep (north), rep_bj (beijing under north)
    assert sorted(page_titles(client)) == sorted(
        f"{t}-{u}" for u in ("manager", "rep", "rep_bj") for t in ("alpha", "beta")
    )
    assert sorted(page_titles(client, "?tab=mine")) == ["alpha-manager", "beta-manager"]


def test_sort_breaks_ties_on_the_primary_key_in_the_same_direction(org, memos):
    _tab, rows, _filters, sort = MEMOS.listing(org.manager, {"sort": "-title"})
    assert sort == "-title"
    assert rows.query.order_by == ("-title", "-pk")
    _tab, rows, _filters, _sort = MEMOS.listing(org.manager, {"sort": "title"})
    assert rows.query.order_by == ("title", "pk")


def test_an_unknown_sort_falls_back_to_the_declared_default(org, memos):
    _tab, rows, _filters, sort = MEMOS.listing(org.manager, {"sort": "owner__password"})
    assert sort == "-created"
    assert rows.query.order_by == ("-created_at", "-pk")


def test_a_tab_needing_a_permission_is_refused_on_page_and_api_alike(client, org, memos):
    client.force_login(org.chosen_viewer)  # memos: view only
    assert client.get(reverse("scoped_app:memo_list") + "?tab=edit").status_code == 403
    api = APIClient()
    api.force_authenticate(org.chosen_viewer)
    assert api.get(reverse("api:memo-list") + "?tab=edit").status_code == 403
    assert [t["key"] for t in client.get(reverse("scoped_app:memo_list")).context["tabs"]] == ["all", "mine"]


def test_without_the_list_permission_page_and_api_answer_403(client, org, memos):
    client.force_login(org.nobody)
    assert client.get(reverse("scoped_app:memo_list")).status_code == 403
    api = APIClient()
    api.force_authenticate(org.nobody)
    assert api.get(reverse("api:memo-list")).status_code == 403


def test_bad_filter_input_is_a_field_error_on_the_api_and_an_empty_list_on_the_page(client, org, memos):
    api = APIClient()
    api.force_authenticate(org.manager)
    response = api.get(reverse("api:memo-list") + "?owner=abc")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["owner"]
    client.force_login(org.manager)
    page = client.get(reverse("scoped_app:memo_list") + "?owner=abc")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 0
    assert "owner" in page.context["filters"].errors


@pytest.mark.parametrize("pk", ["abc", "99999999999999999999999", "-1", "0"])
def test_a_malformed_or_unknown_id_is_404(org, memos, pk):
    api = APIClient()
    api.force_authenticate(org.everyone_viewer)  # sees every memo
    assert api.get(f"/api/memos/{memos[('rep', 'alpha')].pk}/").status_code == 200
    assert api.get(f"/api/memos/{pk}/").status_code == 404


def test_the_detail_outside_the_scope_is_404_like_a_missing_one(org, memos):
    api = APIClient()
    api.force_authenticate(org.rep)
    east = memos[("rep_east", "alpha")]
    assert api.get(f"/api/memos/{east.pk}/").status_code == 404
    assert api.get(f"/api/memos/{memos[('rep', 'alpha')].pk}/").status_code == 200


def test_page_sizes_are_the_allowed_ones(client, org, memos):
    client.force_login(org.everyone_viewer)
    assert client.get(reverse("scoped_app:memo_list") + "?size=50").context["size"] == 50
    assert client.get(reverse("scoped_app:memo_list") + "?size=7").context["size"] == 20
    assert client.get(reverse("scoped_app:memo_list") + "?size=1e30").context["size"] == 20


def test_every_declared_resource_is_in_the_leak_register():
    for resource in resources.all_resources():
        names = [*resource.pages.values()]
        if resource.api:
            names += [f"api:{resource.api}-list", f"api:{resource.api}-detail"]
        for name in names:
            if name in leakcheck.UNSCOPED:  # declared unscoped, with the reason, by the resource or its app
                assert leakcheck.UNSCOPED[name], name
            else:  # checked for the scope, or (model None) for its permission by the app's own entry
                assert leakcheck.SCOPED[name].model in (resource.model, None), name


def test_a_declared_resource_with_a_complete_tab_is_checked_on_that_tab():
    route = leakcheck.SCOPED["api:memo-list"]
    assert (route.complete, route.list_query, route.perms) == (True, "tab=all", (("memos", "view"),))
    assert leakcheck.SCOPED["scoped_app:memo_list"].list_query == "tab=all"


def test_the_product_declares_its_lists():
    assert {r.key for r in resources.all_resources()} >= {
        "customers.customer",
        "customers.contact",
        "customers.followup",
        "customers.visit",
        "customers.pool",
        "org.user",
        "notify.message",
        "approvals.task",
        "approvals.instance",
    }


def test_an_apps_own_leak_entry_replaces_the_resources_whichever_comes_first():
    leakcheck.default("tests:made_up_a", Memo, "list")
    leakcheck.unscoped("the app knows better", "tests:made_up_a")
    leakcheck.unscoped("the app knows better", "tests:made_up_b")
    leakcheck.default_unscoped("the resource's reason", "tests:made_up_b")
    try:
        assert leakcheck.UNSCOPED["tests:made_up_a"] == "the app knows better"
        assert "tests:made_up_a" not in leakcheck.SCOPED
        assert leakcheck.UNSCOPED["tests:made_up_b"] == "the app knows better"
    finally:
        for name in ("tests:made_up_a", "tests:made_up_b"):
            leakcheck.UNSCOPED.pop(name, None)
            leakcheck.DEFAULTS.discard(name)


def test_a_sort_with_more_than_one_minus_falls_back_to_the_default(org, memos):
    for weird in ("--title", "---title", "-", ""):
        assert MEMOS.listing(org.manager, {"sort": weird})[3] == "-created"


def test_the_editable_tab_lists_what_the_user_may_change(org, memos):
    _tab, rows, _f, _s = MEMOS.listing(org.dept_viewer, {"tab": "edit"})
    assert set(rows) == set(Memo.objects.visible_to(org.dept_viewer, "change"))


def test_a_merged_customer_is_404_on_the_api_as_on_the_page(client, org):
    from kehu.customers.models import Customer

    customer = Customer.objects.create(
        name="已合并甲", owner=org.rep, owner_department=org.rep.department, status=Customer.Status.MERGED
    )
    client.force_login(org.rep)
    assert client.get(f"/api/customers/{customer.pk}/").status_code == 404
    Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.ACTIVE)
    assert client.get(f"/api/customers/{customer.pk}/").status_code == 200


def test_filter_errors_name_the_filter_on_the_page(client, org, memos):
    client.force_login(org.manager)
    page = client.get(reverse("scoped_app:memo_list") + "?owner=abc").content.decode()
    assert "<strong>负责人</strong>:" in page  # the filter's label, in the user's language
