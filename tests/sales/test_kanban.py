"""The kanban's counts and totals are split into parts served by one index each (queries._totals_parts): for every
role of the test organisation, with team members (shares) in play, they equal what visible_to gives, and its API
answers the same as the page."""

import pytest
from django.db.models import Count, Sum
from django.urls import reverse

from kehu.sales.kanban import read_board
from kehu.sales.models import Opportunity, OpportunityMember, Stage
from tests.scope_oracle import build_opportunities

pytestmark = pytest.mark.django_db


def expected(person, mine=False):
    rows = Opportunity.objects.visible_to(person).open()
    if mine:
        rows = rows.filter(
            pk__in=[o.pk for o in rows if o.owner_id == person.pk or o.members.filter(user=person).exists()]
        )
    return {
        r["stage"]: (r["count"], r["total"])
        for r in rows.order_by().values("stage").annotate(count=Count("pk"), total=Sum("amount"))
    }


def shown(board):
    return {c["stage"].pk: (c["count"], c["total"]) for c in board["columns"] if c["count"]}


def test_the_boards_totals_are_exactly_the_visible_open_opportunities_for_every_role(client, org):
    build_opportunities(org)
    second = Stage.objects.get(name="测试阶段二")
    Opportunity.objects.filter(pk__in=list(Opportunity.objects.values_list("pk", flat=True)[::3])).update(stage=second)
    # a team member outside the manager's departments, owned by someone in them: counted once
    OpportunityMember.objects.create(opportunity=Opportunity.objects.filter(owner=org.rep).first(), user=org.manager)
    OpportunityMember.objects.create(
        opportunity=Opportunity.objects.filter(owner=org.rep_east).first(), user=org.manager
    )
    for person in org.people():
        for mine in (False, True):
            want = {k: (n, t) for k, (n, t) in expected(person, mine).items()}
            got = shown(read_board(person, mine=mine))
            assert {k: (n, float(t)) for k, (n, t) in got.items()} == {
                k: (n, float(t)) for k, (n, t) in want.items()
            }, (person.username, mine)
        client.force_login(person)
        api = client.get(reverse("api:opportunity-kanban"))
        if not person.has_perm("opportunities.view"):
            assert api.status_code == 403
            continue
        assert {s["id"]: s["count"] for s in api.json()["stages"] if s["count"]} == {
            k: n for k, (n, _t) in expected(person).items()
        }, person.username


def test_a_bad_filter_on_the_kanban_is_a_field_error(client, org):
    client.force_login(org.rep)
    response = client.get(reverse("api:opportunity-kanban"), {"owner": "abc"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["owner"]
