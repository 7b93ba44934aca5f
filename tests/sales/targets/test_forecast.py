"""The weighted forecast against an oracle computed here from the list of opportunities the test made (not by the
code under test), for viewers of different scopes; drill-down lists exactly the opportunities behind a figure."""

import random
from datetime import date
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from django.urls import reverse

from kehu.sales.targets import forecast as forecasting
from kehu.sales.targets.models import Target
from tests.sales.helpers import grant_opportunities, opportunity

YEAR = 2026


@pytest.fixture
def book(org):
    """About sixty opportunities of four people, with what the test knows about each."""
    grant_opportunities(org)
    rng = random.Random(7)
    owners = [org.rep, org.rep_bj, org.rep_east, org.manager]
    made = []
    for n in range(60):
        owner = owners[n % 4]
        status = rng.choice(["open", "open", "won", "lost"])
        approval = rng.choice(["active"] * 5 + ["pending", "draft"])
        probability = rng.choice([10, 25, 50, 75, 90])
        amount = D(rng.randrange(1, 10_000_000)) / 100
        day = date(YEAR, rng.randint(1, 12), rng.randint(1, 28))
        won_amount = (amount * D("0.9")).quantize(D("0.01")) if status == "won" else None
        obj = opportunity(
            owner,
            amount,
            probability=probability,
            close=day,
            status=status,
            won_amount=won_amount,
            closed_on=day if status != "open" else None,
            approval=approval,
        )
        made.append(
            {
                "pk": obj.pk,
                "owner": owner.pk,
                "amount": amount,
                "p": probability,
                "day": day,
                "status": status,
                "won": won_amount,
                "approval": approval,
            }
        )
    return made


def oracle(book, owners, months):
    counting = [
        o
        for o in book
        if o["owner"] in owners and o["approval"] == "active" and o["day"].year == YEAR and o["day"].month in months
    ]
    won = [o for o in counting if o["status"] == "won"]
    open_ = [o for o in counting if o["status"] == "open"]
    committed = sum((o["won"] for o in won), D(0))
    weighted = (sum((o["amount"] * o["p"] for o in open_), D(0)) / 100).quantize(D("0.01"), ROUND_HALF_UP)
    return {
        "figures": {
            "committed": committed,
            "weighted": weighted,
            "expected": committed + weighted,
            "best_case": committed + sum((o["amount"] for o in open_), D(0)),
        },
        "won": {o["pk"] for o in won},
        "open": {o["pk"] for o in open_},
    }


def viewers(org):
    north = {org.rep.pk, org.rep_bj.pk, org.manager.pk}
    return [
        (org.rep, {org.rep.pk}),
        (org.manager, north),
        (org.rep_east, {org.rep_east.pk}),
        (org.admin, {org.rep.pk, org.rep_bj.pk, org.rep_east.pk, org.manager.pk}),
    ]


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_each_quarter_and_its_months_match_the_oracle_for_every_scope(org, book, quarter):
    months = [3 * quarter - 2, 3 * quarter - 1, 3 * quarter]
    for viewer, owners in viewers(org):
        result = forecasting.forecast(viewer, YEAR, "quarter", quarter)
        assert result.total.figures == oracle(book, owners, months)["figures"], viewer.username
        for column, month in zip(result.columns, months, strict=True):
            assert column.figures == oracle(book, owners, [month])["figures"], (viewer.username, month)


def test_a_month_for_a_department_counts_its_subtree_within_what_the_viewer_sees(org, book):
    north = {org.rep.pk, org.rep_bj.pk, org.manager.pk}
    for month in (1, 6, 12):
        result = forecasting.forecast(org.admin, YEAR, "month", month, department=org.north)
        assert result.total.figures == oracle(book, north, [month])["figures"]
        as_rep = forecasting.forecast(org.rep, YEAR, "month", month, department=org.north)
        assert as_rep.total.figures == oracle(book, {org.rep.pk}, [month])["figures"]  # rep sees only their own


@pytest.mark.parametrize("figure", ["committed", "weighted", "best_case"])
def test_drill_down_lists_exactly_the_opportunities_behind_a_figure(org, book, figure):
    for viewer, owners in viewers(org):
        expected = oracle(book, owners, [4, 5, 6])
        wanted = {
            "committed": expected["won"],
            "weighted": expected["open"],
            "best_case": expected["won"] | expected["open"],
        }[figure]
        rows = forecasting.drill_down(viewer, YEAR, "quarter", 2, figure)
        assert set(rows.values_list("pk", flat=True)) == wanted, viewer.username


def test_the_target_and_expected_rate_sit_next_to_the_forecast(org, book):
    for month in (1, 2, 3):
        Target.objects.create(
            metric="sales.won_amount", year=YEAR, month=month, user=org.rep, department=org.north, amount=D("100000")
        )
    result = forecasting.forecast(org.manager, YEAR, "quarter", 1, person=org.rep)
    expected = oracle(book, {org.rep.pk}, [1, 2, 3])["figures"]
    assert result.total.target == D("300000")
    assert result.total.rate == (expected["expected"] * 100 / D("300000")).quantize(D("0.1"), ROUND_HALF_UP)
    assert result.total.gap == D("300000") - expected["committed"]
    assert forecasting.forecast(org.manager, YEAR, "quarter", 1).total.target is None  # whole scope: no target


def test_the_page_and_the_api_show_the_same_figures_and_drill_down(client, org, book):
    expected = oracle(book, {org.rep.pk, org.rep_bj.pk, org.manager.pk}, [1, 2, 3])
    client.force_login(org.manager)
    page = client.get(reverse("targets:forecast"), {"year": YEAR, "kind": "quarter", "index": 1, "figure": "weighted"})
    assert page.status_code == 200
    assert page.context["forecast"].total.figures == expected["figures"]
    assert {o.pk for o in page.context["drill"].object_list} == expected["open"]
    api = client.get(reverse("api:forecast"), {"year": YEAR, "kind": "quarter", "index": 1, "figure": "committed"})
    body = api.json()
    assert D(body["total"]["committed"]) == expected["figures"]["committed"]
    assert D(body["total"]["weighted"]) == expected["figures"]["weighted"]
    assert {row["id"] for row in body["opportunities"]} == expected["won"]
    assert client.get(reverse("api:forecast"), {"figure": "nope"}).status_code == 400


def test_without_the_opportunities_permission_the_forecast_is_refused(client, org):
    client.force_login(org.nobody)
    assert client.get(reverse("targets:forecast")).status_code == 403
    assert client.get(reverse("api:forecast")).status_code == 403
