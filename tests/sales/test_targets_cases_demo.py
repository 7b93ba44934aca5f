"""The demo of targets and cases: targets for every rep and sales department each month of the year; ten cases
from the won opportunities of the opportunities demo, without the customer's name in the text."""

import io
from datetime import date

from django.utils import timezone

from kehu.org.models import Role
from kehu.sales.cases import demo as cases_demo
from kehu.sales.cases.models import Case
from kehu.sales.targets import demo as targets_demo
from kehu.sales.targets.models import Target
from tests.sales.helpers import won


def test_targets_for_every_rep_and_department_and_ten_cases(org):
    rep_role = Role.objects.get(code="sales_rep")
    ops_role = Role.objects.get(code="sales_ops")
    for person in (org.rep, org.rep_bj, org.rep_east):
        person.roles.add(rep_role)
    org.admin.roles.add(ops_role)
    for n in range(12):
        won([org.rep, org.rep_bj, org.rep_east][n % 3], 100000 + n, date(2026, 1 + n % 12, 5))
    context = {
        "seed": 1,
        "users": org.people(),
        "stdout": io.StringIO(),
        "departments": {"sales": org.sales, "north": org.north, "east": org.east},
    }
    targets_demo.load(context)
    year = timezone.localdate().year
    for person in (org.rep, org.rep_bj, org.rep_east):
        assert Target.objects.filter(user=person, year=year, metric="sales.won_amount").count() == 12
        assert Target.objects.filter(user=person, year=year).count() == 12 * len(targets_demo.REP_TARGETS)
    for department in (org.north, org.east, org.sales):
        assert Target.objects.filter(user__isnull=True, department=department, year=year).count() == 60
    cases_demo.load(context)
    cases = list(Case.objects.select_related("opportunity__customer"))
    assert len(cases) == 10
    assert sum(case.is_published for case in cases) == 8
    for case in cases:
        text = " ".join([case.title, case.problem, case.solution, case.products, case.lessons])
        assert case.opportunity.customer.name not in text
        assert case.opportunity.status == "won" and case.amount == case.opportunity.won_amount
