"""Sales targets and the forecast at 1,000,000 opportunities (issue 12, "Benchmarks"): the targets page of a
department of about 50 people for a year, and the forecast of a quarter, each as a whole page through the test
client (`ms_goal` 200 ms server time) and as the read it makes (`queries.report`, `forecast.forecast`) against the
same SQL replayed through the driver (ratio goal 2). Query counts are checked to stay the same for a department of
5 and of 50 people (no N+1)."""

from django.test import Client
from django.urls import reverse

from bench import sales_targets_dataset
from bench.customers import RAW, _capture, _raw
from bench.registry import Case, benchmark
from kehu.core import metrics
from kehu.org.models import Department
from kehu.sales.targets import forecast as forecasting
from kehu.sales.targets import queries

PAGE_MS = 200.0
GOAL = 2.0
YEAR = sales_targets_dataset.YEAR
QUARTER = 2


def _prepare(data):
    targets = sales_targets_dataset.prepare(data)
    notes = [
        f"{targets.opportunities:,} opportunities, {targets.targets:,} monthly targets",
        f"department of {targets.department_people} people",
    ]
    if targets.build_seconds is not None:
        notes.append(f"opportunities and targets generated in {targets.build_seconds:.1f}s")
    return targets, notes


def _client(data) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(data.fresh_manager())
    return client


def _page(data, url, notes) -> Case:
    client = _client(data)

    def get(_):
        response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"GET {url}: {response.status_code}")
        return response

    statements = _capture(lambda: get(None))
    return Case(
        run=get, baseline=_raw(statements), notes=[*notes, f"{len(statements)} queries a request"], ms_goal=PAGE_MS
    )


def _smallest_department(data, targets):
    """A department of the manager's scope other than the benchmarked one, to compare query counts."""
    return (
        Department.objects.filter(pk__in=data.manager_department_ids)
        .exclude(pk=targets.department_id)
        .order_by("-depth", "pk")
        .first()
    )


@benchmark("targets.department_year_page", baseline=RAW + " (all of the page's queries)")
def department_year_page(data):
    """The targets page of a department of about 50 people for a year (won amount, month by month)."""
    targets, notes = _prepare(data)
    client = _client(data)
    small = _smallest_department(data, targets)
    if small is not None:
        for pk in (small.pk, targets.department_id):  # warm: the first request of a session fills caches
            client.get(reverse("targets:page"), {"department": pk, "year": YEAR})
        counts = [
            len(_capture(lambda pk=pk: client.get(reverse("targets:page"), {"department": pk, "year": YEAR})))
            for pk in (small.pk, targets.department_id)
        ]
        if counts[0] != counts[1]:
            notes.append(f"query count grows with the department: {counts[0]} vs {counts[1]}")
    return _page(data, f"{reverse('targets:page')}?department={targets.department_id}&year={YEAR}", notes)


@benchmark("targets.department_year_report", goal=GOAL, baseline=RAW)
def department_year_report(data):
    """The read behind the page: achievement of the department and every line of its subtree for the year."""
    targets, notes = _prepare(data)
    department = Department.objects.get(pk=targets.department_id)
    metric = metrics.get("sales.won_amount")

    def run(user):
        return queries.report(user, metric, YEAR, department=department)

    statements = _capture(lambda: run(data.fresh_manager()))
    return Case(
        run=run, baseline=_raw(statements), setup=data.fresh_manager, notes=[*notes, f"{len(statements)} queries"]
    )


@benchmark("targets.forecast_quarter_page", baseline=RAW + " (all of the page's queries)")
def forecast_quarter_page(data):
    """The forecast page of a quarter for everything the manager sees (his region and below)."""
    _targets, notes = _prepare(data)
    return _page(data, f"{reverse('targets:forecast')}?year={YEAR}&kind=quarter&index={QUARTER}", notes)


@benchmark("targets.forecast_quarter", goal=GOAL, baseline=RAW)
def forecast_quarter(data):
    """The read behind the forecast: committed, weighted and best case of a quarter and its months."""
    _targets, notes = _prepare(data)

    def run(user):
        return forecasting.forecast(user, YEAR, "quarter", QUARTER)

    statements = _capture(lambda: run(data.fresh_manager()))
    return Case(
        run=run, baseline=_raw(statements), setup=data.fresh_manager, notes=[*notes, f"{len(statements)} queries"]
    )
