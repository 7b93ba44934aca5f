"""The targets page, the achievement API and the workbench card, role by role: a subject outside the viewer's
targets scope answers 404; the page, the API and the card show the same figures."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.sales.targets.models import Target
from tests.sales.helpers import won

WON = "sales.won_amount"


@pytest.fixture
def year(org):
    this = timezone.localdate()
    won(org.rep, "3000", this)
    won(org.rep_bj, "1000", this)
    for person, amount in ((org.rep, "6000"), (org.rep_bj, "4000")):
        Target.objects.create(
            metric=WON, year=this.year, month=this.month, user=person, department=person.department, amount=D(amount)
        )
    return this


# who sees which department's page, and which people's
DEPARTMENT_PAGE = {
    "admin": {"north": 200, "east": 200},
    "director": {"north": 200, "east": 200},
    "manager": {"north": 200, "east": 404},
    "dept_viewer": {"north": 200, "east": 404},
    "chosen": {"north": 404, "east": 200},
    "all": {"north": 200, "east": 200},
    "rep": {"north": 404, "east": 404},
    "rep_bj": {"north": 404, "east": 404},
    "rep_east": {"north": 404, "east": 404},
    "nobody": {"north": 403, "east": 403},
}


def test_department_pages_per_role_and_404_outside_the_scope(client, org, year):
    for person in org.people():
        client.force_login(person)
        for name in ("north", "east"):
            department = getattr(org, name)
            status = client.get(reverse("targets:page"), {"department": department.pk}).status_code
            assert status == DEPARTMENT_PAGE[person.username][name], (person.username, name, status)
            api = client.get(reverse("api:target-achievement"), {"department": department.pk}).status_code
            assert api == DEPARTMENT_PAGE[person.username][name], (person.username, name, api)


def test_a_rep_sees_their_own_figures_and_not_a_colleague(client, org, year):
    client.force_login(org.rep)
    own = client.get(reverse("targets:page"))
    assert own.status_code == 200 and own.context["subject"] == org.rep
    figures = own.context["report"].subject.figures
    assert (figures.target, figures.actual) == (D("6000"), D("3000"))  # the whole year
    assert client.get(reverse("targets:page"), {"person": org.rep_bj.pk}).status_code == 404
    assert client.get(reverse("targets:page"), {"person": "abc"}).status_code == 404


def test_the_page_api_and_workbench_card_agree_for_the_manager(client, org, year):
    client.force_login(org.manager)
    query = {"department": org.north.pk, "kind": "month", "index": year.month, "year": year.year}
    page = client.get(reverse("targets:page"), query)
    subject = page.context["report"].subject.figures
    assert (subject.target, subject.actual, subject.rate, subject.gap) == (D("10000"), D("4000"), D("40.0"), D("6000"))
    body = client.get(reverse("api:target-achievement"), query).json()
    assert (body["subject"]["target"], body["subject"]["actual"], body["subject"]["rate"]) == (
        "10000.00",
        "4000.00",
        "40.0",
    )
    lines = [(line["kind"], line["name"]) for line in body["lines"]]
    assert lines[0] == ("department", "华北销售部") and lines[-2:] == [("department", "北京组"), ("person", "北京销售")]
    assert set(lines[1:4]) == {("person", "华北经理"), ("person", "华北助理"), ("person", "华北销售")}
    html = page.content.decode()
    assert "¥10,000.00" in html and "40.0%" in html and 'id="chart-data"' in html
    assert "vendor/echarts/echarts.min.js" in html
    card = client.get(reverse("core:workbench")).content.decode()
    assert 'id="target-card"' in card and "40.0%" in card


def test_the_chart_data_has_twelve_months_or_four_quarters(client, org, year):
    client.force_login(org.manager)
    months = client.get(reverse("targets:page"), {"department": org.north.pk})
    chart = months.context["chart"]
    assert len(chart["labels"]) == 12 and chart["target"][year.month - 1] == 10000.0
    quarters = client.get(reverse("targets:page"), {"department": org.north.pk, "kind": "quarter", "index": 1})
    assert quarters.context["chart"]["labels"] == ["Q1", "Q2", "Q3", "Q4"]


def test_bad_period_input_falls_back_to_the_defaults_never_a_500(client, org, year):
    client.force_login(org.manager)
    for query in ({"kind": "week"}, {"index": "99", "kind": "quarter"}, {"year": "abc"}, {"metric": "nope"}):
        assert client.get(reverse("targets:page"), query).status_code == 200, query


def test_the_target_list_and_its_api_show_the_same_entries(client, org, year):
    client.force_login(org.dept_viewer)
    page = client.get(reverse("targets:list"))
    assert [t.user for t in page.context["page"].object_list] == [org.rep]  # north only; rep_bj is in beijing
    api = client.get(reverse("api:target-list")).json()["results"]
    assert [row["person"] for row in api] == [org.rep.pk]


def test_nothing_for_a_year_without_records(client, org):
    client.force_login(org.admin)
    page = client.get(reverse("targets:page"), {"department": org.root.pk, "year": date.today().year - 2})
    figures = page.context["report"].subject.figures
    assert (figures.target, figures.actual, figures.rate, figures.target_set) == (D(0), D(0), None, False)
