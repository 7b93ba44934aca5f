"""Opportunities at 1,000,000 rows on top of the customers data set (issue 12, "Benchmarks"): the kanban of the
regional manager's scope (counts and sums per stage, the first cards of each stage) and the opportunity list.

Baseline: the same statements through the driver (bench.customers' capture and replay). Goals: ratio ≤ 2 for the
queries (`goal`), under 200 ms server time for all four (`ms_goal`); the whole pages are informational as to the
ratio (their time is mostly rendering). The query count does not depend on the rows: the kanban is one grouped
query plus one per stage."""

from django.urls import reverse

from bench import sales_dataset
from bench.customers import RAW, _capture, _case, _client, _raw
from bench.registry import Case, benchmark
from kehu.sales.kanban import read_board
from kehu.sales.resources import OPPORTUNITIES

GOAL = 2.0
MS_GOAL = 200.0
PAGE = 50


def _prepare(data) -> list[str]:
    sales = sales_dataset.prepare(data)
    notes = [f"{sales.counts.opportunities:,} opportunities"]
    if sales.build_seconds is not None:
        notes.append(f"opportunity data generated in {sales.build_seconds:.1f}s")
    return notes


def _kanban(user):
    board = read_board(user)
    return [(c["count"], c["total"], len(c["cards"])) for c in board["columns"]]


@benchmark("sales.kanban_manager_scope", goal=GOAL, baseline=RAW)
def kanban_manager_scope(data):
    """read_board(manager): per stage its count and total amount over the manager's scope and its first 20 cards."""
    notes = _prepare(data)
    manager = data.fresh_manager()
    columns = _kanban(manager)
    open_in_scope = sum(count for count, _total, _cards in columns)
    notes.append(f"{open_in_scope:,} open opportunities in the manager's scope over {len(columns)} stages")
    return _case(data, _kanban, notes=notes, ms_goal=MS_GOAL)


def _list_queryset(user):
    _tab, rows, _filters, _sort = OPPORTUNITIES.listing(user, {"scope": "all"})
    return rows


def _list(user):
    rows = _list_queryset(user)
    return list(rows[:PAGE]), rows.count()


@benchmark("sales.list_manager_scope", goal=GOAL, baseline=RAW)
def list_manager_scope(data):
    """Opportunity management for the manager: the "all" tab by expected close date, 50 rows and the count."""
    notes = _prepare(data)
    rows, total = _list(data.fresh_manager())
    if len(rows) != PAGE:
        raise AssertionError(f"the list page has {len(rows)} rows")
    notes.append(f"manager sees {total:,} opportunities")
    return _case(data, _list, explain=lambda: _list_queryset(data.fresh_manager())[:PAGE], notes=notes, ms_goal=MS_GOAL)


def _page(data, url, notes) -> Case:
    client = _client(data)

    def get(_):
        response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"GET {url}: {response.status_code}")
        return response

    statements = _capture(lambda: get(None))
    return Case(
        run=get, baseline=_raw(statements), notes=[*notes, f"{len(statements)} queries a request"], ms_goal=MS_GOAL
    )


@benchmark("sales.kanban_page", baseline=RAW + " (all of the page's queries)")
def kanban_page(data):
    """The whole kanban page (/opportunities/kanban/) of the manager through the test client."""
    return _page(data, reverse("sales:kanban"), _prepare(data))


@benchmark("sales.list_page", baseline=RAW + " (all of the page's queries)")
def list_page(data):
    """The whole opportunity management page (/opportunities/manage/, 50 rows) through the test client."""
    return _page(data, f"{reverse('sales:manage')}?size={PAGE}", _prepare(data))
