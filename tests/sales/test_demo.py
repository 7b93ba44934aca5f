"""`kehu demo` gives the pipeline a lived-in year: about 600 opportunities over the stages, wins at different rates
per rep, losses with reasons, competitors and notes, stage histories that add up, follow-ups, some reviewed."""

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from kehu.org.models import User
from kehu.sales.kanban import read_board
from kehu.sales.models import Opportunity, OpportunityFollowUp, StageHistory

pytestmark = pytest.mark.django_db


def test_the_demo_pipeline_is_a_year_of_realistic_work(capsys):
    call_command("demo", password="Demo-pass-2026")
    everything = Opportunity.objects.all()
    assert 590 <= everything.count() <= 600
    assert everything.counting().count() == everything.count()
    assert everything.open().count() > 150 and everything.won().count() > 80 and everything.lost().count() > 120
    rates = []
    for row in (
        everything.exclude(status="open")
        .values("owner")
        .annotate(won=Count("pk", filter=Q(status="won")), closed=Count("pk"))
    ):
        if row["closed"] >= 10:
            rates.append(round(row["won"] / row["closed"], 2))
    assert len(set(rates)) >= 4  # reps win at their own rates
    assert not everything.lost().filter(Q(loss_reason__isnull=True) | Q(won_by_competitor__isnull=True)).exists()
    assert not everything.lost().filter(result_note="").exists()
    assert not everything.won().filter(Q(won_amount__isnull=True) | Q(closed_on__isnull=True)).exists()
    # one open stay at most per opportunity, none for closed ones; the current stay is in the current stage
    assert not StageHistory.objects.filter(left_at__isnull=True, opportunity__status__in=["won", "lost"]).exists()
    for opportunity in everything.open()[:50]:
        current = StageHistory.objects.get(opportunity=opportunity, left_at__isnull=True)
        assert current.stage_id == opportunity.stage_id
    # gates hold in the demo too: no opportunity sits in a stage whose required decision maker it lacks
    for opportunity in everything.select_related("stage"):
        assert opportunity.amount is not None
        if "decision_maker" in opportunity.stage.required_fields:
            assert opportunity.decision_maker_id is not None, opportunity.number
    assert OpportunityFollowUp.objects.filter(reviewed_at__isnull=False).exists()
    manager = User.objects.filter(roles__code="sales_manager").order_by("pk").first()
    board = read_board(manager)
    assert sum(c["count"] for c in board["columns"]) > 20
    assert all(c["cards"] for c in board["columns"][:3])
