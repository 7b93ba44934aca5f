"""Every declared list, as its page and as its API list, on page 1 and on page 50 (issue 9: "every list page and API
list — and every list a later module declares — under 30 ms server time on page 1 and on page 50"), and the floor:
the cheapest logged-in page (`core.floor_page`, under 5 ms: what menus, badges, scopes and permissions cost).

The entries are made from the resource registry (kehu.core.resources), so a module that declares a resource is
benchmarked without writing a benchmark. Each page runs through the Django test client, logged in as the bench
manager (his region and below) — or, for a list he may not open (403), as a sales-ops person who sees everything.
The baseline is the page's own SQL replayed through the driver; the entry records how many queries one request
runs. Page 50 is the list's 50th page of 20 rows, or its last page when it has fewer.
"""

from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, reverse

from bench import approvals_dataset, customers_dataset
from bench.customers import _capture, _raw
from bench.registry import Case, benchmark
from kehu.core import resources
from kehu.org.models import User

PAGE_MS = 30.0
FLOOR_MS = 5.0
SIZE = 20
DEEP = 50
RAW = "the page's own SQL (every statement of one request) through the driver"


def _users(data):
    ops = User.objects.filter(roles__code="sales_ops", status=User.Status.ACTIVE).order_by("pk").first()
    return [data.fresh_manager(), *([ops] if ops else [])]


def _client_for(user):
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _open(data, url: str):
    """(client, who, response) of the first bench user who may open `url`."""
    customers_dataset.prepare(data)  # the lists show the customer and approval data sets (built once, cached)
    approvals_dataset.prepare(data)
    for user in _users(data):
        client = _client_for(user)
        response = client.get(url)
        if response.status_code == 200:
            return client, user.username, response
    raise AssertionError(f"GET {url}: neither the manager nor ops may open it ({response.status_code})")


def _deep_page(data, resource, params: dict) -> int:
    """Page DEEP, or the list's last page when it has fewer (counted through the resource's own read path, as the
    first bench user who may read the list)."""
    for user in _users(data):
        try:
            _tab, rows, _filters, _sort = resource.listing(user, params)
        except PermissionDenied:
            continue
        count = rows[: DEEP * SIZE].count()
        return max(1, min(DEEP, -(-count // SIZE)))
    return 1


def _entry(data, url: str, notes: list[str], ms_goal: float = PAGE_MS) -> Case:
    client, who, _response = _open(data, url)

    def get(_):
        response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"GET {url}: {response.status_code}")
        return response

    statements = _capture(lambda: get(None))
    return Case(
        run=get,
        baseline=_raw(statements),
        notes=[*notes, f"as {who}: {url}"],
        ms_goal=ms_goal,
        queries=len(statements),
    )


def _join(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}" if query else url


def _register(name: str, resource, params: dict, url_of, deep: bool):
    def function(data):
        url = url_of()
        number = _deep_page(data, resource, params) if deep else 1
        notes = [f"page {number}"] if deep else []
        return _entry(data, _join(url, f"page={number}") if deep else url, notes)

    function.__doc__ = f"{name}: through the test client ({'page ' + str(DEEP) if deep else 'page 1'})."
    benchmark(name, baseline=RAW, ms_goal=PAGE_MS)(function)


def _lists():
    """(name, url function) of every declared list page and API list: a page per tab that has its own URL, the
    resource's complete tab (or its default) otherwise; the API on the complete tab (or its default)."""
    found = []
    for resource in resources.all_resources():
        whole = next((tab.key for tab in resource.tabs if tab.complete), "") or resource.tab_for(None)
        for tab, url_name in resource.pages.items():
            query = "" if tab else (f"{resource.tab_param}={whole}" if whole else "")
            label = f"{resource.key}.{tab or whole or 'list'}"

            def url(url_name=url_name, query=query):
                return _join(reverse(url_name), f"size={SIZE}&{query}" if query else f"size={SIZE}")

            found.append((f"pages.{label}", resource, {resource.tab_param: tab or whole}, url))
        if resource.api:
            query = f"{resource.tab_param}={whole}" if whole else ""

            def api_url(name=f"api:{resource.api}-list", query=query):
                return _join(reverse(name), f"page_size={SIZE}&{query}" if query else f"page_size={SIZE}")

            found.append((f"api.{resource.key}", resource, {resource.tab_param: whole}, api_url))
    return found


def _declare() -> None:
    for name, resource, params, url in _lists():
        try:
            url()
        except NoReverseMatch:
            continue
        _register(f"{name}.p1", resource, params, url, deep=False)
        _register(f"{name}.p{DEEP}", resource, params, url, deep=True)


_declare()


@benchmark("core.floor_page", baseline=RAW, ms_goal=FLOOR_MS)
def floor_page(data):
    """The cheapest logged-in page (/me/: the app frame, the menus, badges and top-bar counters, no list): the fixed
    cost every page pays."""
    return _entry(data, reverse("core:me"), ["the fixed cost of a logged-in page"], ms_goal=FLOOR_MS)
