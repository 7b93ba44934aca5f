"""Achievement from the real records: a person, a department's subtree, month → quarter → year, rate, gap and
pipeline coverage; what each metric counts."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from kehu.core import metrics
from kehu.customers.models import FollowUp, Visit
from kehu.sales.targets import queries
from kehu.sales.targets.models import Target
from tests.sales.helpers import customer_of, opportunity, won

YEAR = 2026
WON = "sales.won_amount"


def target(metric, month, amount, user=None, department=None):
    return Target.objects.create(
        metric=metric,
        year=YEAR,
        month=month,
        user=user,
        department=user.department if user else department,
        amount=D(amount),
    )


@pytest.fixture
def records(org):
    """rep (north) and rep_bj (beijing, below north) win and hold pipeline; rep_east (east) too, outside north."""
    won(org.rep, "1000", date(YEAR, 1, 10))
    won(org.rep, "500", date(YEAR, 2, 3))
    won(org.rep, "250", date(YEAR, 4, 30))
    won(org.rep_bj, "2000", date(YEAR, 3, 31))
    won(org.rep_east, "9000", date(YEAR, 2, 1))
    won(org.rep, "7777", date(YEAR - 1, 12, 31))  # last year: not in this year
    won(org.rep, "4444", date(YEAR, 1, 5), approval="pending")  # not approved: does not count
    opportunity(org.rep, "1000", probability=50, close=date(YEAR, 2, 20))  # weighted 500 in February
    opportunity(org.rep_bj, "3000", probability=25, close=date(YEAR, 3, 1))  # weighted 750 in March
    opportunity(org.rep, "8000", probability=75, close=date(YEAR, 3, 2), approval="draft")  # not counting
    opportunity(org.rep, "100", probability=90, close=date(YEAR, 5, 1), status="lost")  # lost: no pipeline
    for month, amount in ((1, "1200"), (2, "600"), (3, "600"), (4, "1000")):
        target(WON, month, amount, user=org.rep)
    target(WON, 3, "2500", user=org.rep_bj)
    return org


def report(viewer, org, **kwargs):
    return queries.report(viewer, metrics.get(WON), YEAR, **kwargs)


def test_person_month_quarter_and_year(records):
    org = records
    monthly = report(org.admin, org, person=org.rep).subject
    jan = monthly.period([1])
    assert (jan.target, jan.actual, jan.rate, jan.gap) == (D("1200"), D("1000"), D("83.3"), D("200"))
    q1 = monthly.period([1, 2, 3])
    assert (q1.target, q1.actual, q1.rate, q1.gap) == (D("2400"), D("1500"), D("62.5"), D("900"))
    year = monthly.period(list(range(1, 13)))
    assert (year.target, year.actual, year.rate, year.gap) == (D("3400"), D("1750"), D("51.5"), D("1650"))


def test_department_actual_is_the_sum_over_its_subtree_and_its_target_the_sum_of_its_people(records):
    org = records
    north = report(org.admin, org, department=org.north, kind="quarter", index=1)
    f = north.subject.figures
    assert north.subject.own_target is False
    assert (f.target, f.actual) == (D("2400") + D("2500"), D("1500") + D("2000"))  # rep + rep_bj, not rep_east
    assert f.rate == D("71.4")  # 3500 / 4900
    assert f.gap == D("1400")
    sales = report(org.admin, org, department=org.sales, kind="quarter", index=1).subject.figures
    assert sales.actual == D("1500") + D("2000") + D("9000")


def test_a_department_target_set_for_it_replaces_the_sum_of_its_people(records):
    org = records
    target(WON, 1, "5000", department=org.north)
    north = report(org.admin, org, department=org.north).subject
    assert north.own_target is True
    assert north.period([1]).target == D("5000")  # its own for January
    assert north.period([2]).target == D("600")  # no own target in February: the people's sum
    assert north.period([1, 2, 3]).target == D("5000") + D("600") + D("600") + D("2500")


def test_coverage_of_the_remaining_gap_by_the_weighted_open_pipeline(records):
    org = records
    q1 = report(org.admin, org, department=org.north, kind="quarter", index=1).subject.figures
    assert q1.pipeline == D("500.00") + D("750.00")  # the draft and the lost ones are not pipeline
    assert q1.coverage == D("0.89")  # 1250 / 1400
    feb = report(org.admin, org, person=org.rep, kind="month", index=2).subject.figures
    assert (feb.target, feb.actual, feb.gap, feb.pipeline) == (D("600"), D("500"), D("100"), D("500.00"))
    assert feb.coverage == D("5.00")


def test_coverage_when_the_target_is_reached_and_when_there_is_no_pipeline(records):
    org = records
    april = report(org.admin, org, person=org.rep, kind="month", index=4).subject.figures
    assert (april.gap, april.pipeline, april.coverage) == (D("750"), D("0"), D("0.00"))  # a gap, no pipeline
    target(WON, 5, "0", user=org.rep_bj)
    beijing_q1 = report(org.admin, org, person=org.rep_bj, kind="month", index=3).subject.figures
    assert beijing_q1.gap == D("500") and beijing_q1.coverage == D("1.50")
    won(org.rep_bj, "600", date(YEAR, 3, 15))
    reached = report(org.admin, org, person=org.rep_bj, kind="month", index=3).subject.figures
    assert reached.gap == D("-100") and reached.coverage is None and reached.rate == D("104.0")


def test_month_to_quarter_to_year_roll_up_is_consistent(records):
    org = records
    line = report(org.admin, org, department=org.north).subject
    months = [line.period([m]) for m in range(1, 13)]
    quarters = [line.period([3 * q - 2, 3 * q - 1, 3 * q]) for q in range(1, 5)]
    year = line.period(list(range(1, 13)))
    assert sum(q.actual for q in quarters) == sum(m.actual for m in months) == year.actual == D("3750")
    assert sum(q.target for q in quarters) == year.target == D("5900")


def test_lines_show_only_what_the_viewer_may_see_but_totals_count_the_whole_subtree(records):
    org = records
    as_dept_viewer = report(org.dept_viewer, org, department=org.north, kind="quarter", index=1)
    names = [(line.kind, str(line.obj)) for line in as_dept_viewer.lines]
    assert ("department", "北京组") not in names  # department scope: north only, not beijing below it
    assert ("person", "华北销售") in names and ("person", "北京销售") not in names
    assert as_dept_viewer.subject.figures.actual == D("3500")  # the department's total still counts beijing
    # the department viewer sees the department's people targets only in north (rep_bj's is filed under beijing)
    assert as_dept_viewer.subject.figures.target == D("2400")


def test_other_metrics_count_customers_follow_ups_visits_and_new_opportunities(org):
    tz = timezone.get_current_timezone()
    jan = timezone.make_aware(datetime(YEAR, 1, 31, 23, 30), tz)  # the last half hour of January, local time
    feb = timezone.make_aware(datetime(YEAR, 2, 1, 0, 10), tz)
    c1 = customer_of(org.rep)
    c1.created_at = jan
    c1.save()
    c2 = customer_of(org.rep)
    c2.created_at = feb
    c2.save()
    pending = customer_of(org.rep)
    pending.status = "pending"
    pending.created_at = feb
    pending.save()
    FollowUp.objects.create(customer=c1, author=org.rep, content="a", happened_at=jan)
    FollowUp.objects.create(customer=c1, author=org.rep, content="b", happened_at=feb)
    FollowUp.objects.create(customer=c1, author=org.rep_bj, content="c", happened_at=feb)
    Visit.objects.create(
        customer=c1, visitor=org.rep, purpose="p", planned_at=feb, status="checked_in", checked_in_at=feb
    )
    Visit.objects.create(customer=c1, visitor=org.rep, purpose="q", planned_at=feb)  # planned only
    opportunity(org.rep, "10", created_at=jan, customer=c1)
    opportunity(org.rep, "10", created_at=feb, approval="pending", customer=c1)
    start, end = date(YEAR, 1, 1), date(YEAR + 1, 1, 1)
    people = [org.rep.pk, org.rep_bj.pk]
    assert metrics.get("customers.new_customers").actuals(people, start, end) == {
        (org.rep.pk, date(YEAR, 1, 1)): D(1),
        (org.rep.pk, date(YEAR, 2, 1)): D(1),
    }
    assert metrics.get("customers.follow_ups").actuals(people, start, end) == {
        (org.rep.pk, date(YEAR, 1, 1)): D(1),
        (org.rep.pk, date(YEAR, 2, 1)): D(1),
        (org.rep_bj.pk, date(YEAR, 2, 1)): D(1),
    }
    assert metrics.get("customers.visits").actuals(people, start, end) == {(org.rep.pk, date(YEAR, 2, 1)): D(1)}
    assert metrics.get("sales.new_opportunities").actuals(people, start, end) == {(org.rep.pk, date(YEAR, 1, 1)): D(1)}


def test_the_registry_lists_every_declared_metric_in_order():
    assert [m.key for m in metrics.all_metrics()][:5] == [
        "sales.won_amount",
        "sales.new_opportunities",
        "customers.new_customers",
        "customers.follow_ups",
        "customers.visits",
    ]
    assert metrics.get("sales.won_amount").pipeline is not None
    assert metrics.get("customers.visits").pipeline is None


def test_a_metric_with_a_bad_unit_is_refused():
    with pytest.raises(ValueError):
        metrics.Metric("x.y", "X", "litres", actuals=lambda *a: {})
