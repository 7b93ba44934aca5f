"""Every declared list (kehu.core.resources), as every role of the test organisation, on every tab and every
offered sort in both directions: the page and the API answer alike (both 200, or both 403 — never a 500),
and show the same records in the same order. A module that declares a resource is covered by this walk the
moment it is declared."""

import pytest
from django.urls import reverse

from kehu.core import resources
from tests.scope_oracle import BUILDERS

PAIRED = [r for r in resources.all_resources() if r.pages and r.api]


def _cases(resource):
    tabs = [tab.key for tab in resource.tabs] or [""]
    sorts = [""] + [f"{sign}{key}" for key in resource.sorts for sign in ("", "-")]
    return [(tab, sort) for tab in tabs for sort in sorts]


def _page_url(resource, tab):
    """The page that shows `tab` and its query (None when the tab is offered by the API only)."""
    if tab in resource.pages:
        return reverse(resource.pages[tab]), {}
    if "" in resource.pages:
        return reverse(resource.pages[""]), ({resource.tab_param: tab} if tab else {})
    return None, {}


@pytest.fixture
def records(org):
    return {model: build(org) for model, build in BUILDERS.items()}


def test_every_paired_resource_is_walked():
    assert {r.key for r in PAIRED} >= {"customers.customer", "customers.followup", "customers.visit", "org.user"}


@pytest.mark.parametrize("resource", PAIRED, ids=lambda r: r.key)
def test_page_and_api_agree_for_every_role_tab_and_sort(client, org, records, resource):
    for person in org.people():
        client.force_login(person)
        for tab, sort in _cases(resource):
            url, params = _page_url(resource, tab)
            params = {**params, **({"sort": sort} if sort else {})}
            api_params = {**params, resource.tab_param: tab} if tab else params
            api = client.get(reverse(f"api:{resource.api}-list"), api_params)
            where = (person.username, tab, sort)
            if url is None:  # a tab only the API offers
                assert api.status_code in (200, 403), (*where, api.status_code)
                continue
            page = client.get(url, params)
            assert page.status_code in (200, 403), (*where, page.status_code)
            assert api.status_code == page.status_code, (*where, api.status_code)
            if page.status_code == 200:
                shown = [obj.pk for obj in page.context["page"].object_list]
                assert [row["id"] for row in api.json()["results"]] == shown, where


ID_VALUES = ["1e30", "99999999999999999999999", "1.5", "abc", "0", "-3"]


@pytest.mark.parametrize("resource", [r for r in resources.all_resources() if r.filterset], ids=lambda r: r.key)
def test_an_id_filter_that_is_not_an_id_is_a_field_error_never_a_500_or_a_truncated_id(client, org, resource):
    from kehu.core.filters import IdFilter

    id_filters = [name for name, f in resource.filterset.base_filters.items() if isinstance(f, IdFilter)]
    client.force_login(org.admin)
    tab = next((t.key for t in resource.tabs if t.filters), None) if resource.tabs else None
    for name in id_filters:
        for value in ID_VALUES:
            params = {name: value, **({resource.tab_param: tab} if tab else {})}
            if resource.api:
                api = client.get(reverse(f"api:{resource.api}-list"), params)
                assert api.status_code in (400, 403), (name, value, api.status_code)
                if api.status_code == 400:
                    assert list(api.json()["error"]["fields"]) == [name], (name, value)
            page_name = resource.pages.get("") or next(iter(resource.pages.values()), None)
            if page_name:
                page = client.get(reverse(page_name), params)
                assert page.status_code in (200, 403), (name, value, page.status_code)
                if page.status_code == 200:
                    assert page.context["page"].paginator.count == 0 and name in page.context["filters"].errors


@pytest.mark.parametrize("resource", [r for r in resources.all_resources() if r.api], ids=lambda r: r.key)
@pytest.mark.parametrize("pk", ["abc", "1e3", "99999999999999999999999", "٣"])
def test_a_record_id_that_is_not_a_number_is_404_on_every_api_detail(client, org, resource, pk):
    client.force_login(org.admin)
    assert client.get(f"{reverse(f'api:{resource.api}-list')}{pk}/").status_code == 404
