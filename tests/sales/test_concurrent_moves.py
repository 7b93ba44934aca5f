"""Two drops of the same card at the same moment, on real committed transactions (PostgreSQL in CI: row locks;
SQLite: its single writer): exactly one moves it, the other is refused as stale naming who moved it."""

import pytest

from kehu.org.models import User
from kehu.sales import services
from kehu.sales.models import Opportunity, StageHistory
from tests.sales.conftest import new_opportunity
from tests.support import threads

pytestmark = pytest.mark.django_db(transaction=True)


def drop(user_pk, opportunity_pk, stage_pk, version):
    from kehu.core.locking import StaleEdit

    user = User.objects.get(pk=user_pk)
    try:
        services.move_stage(user, opportunity_pk, stage_pk, version)
    except StaleEdit as exc:
        return f"stale: {exc}"
    return user.username


def test_of_two_drops_of_the_same_card_exactly_one_wins_and_the_other_is_told_who(org, pipeline):
    from kehu.sales.models import Stage

    talks = Stage.objects.create(name="谈判", position=25, probability=70)
    for round_number in range(3):
        opportunity = new_opportunity(org.rep, name=f"抢拖{round_number}", amount="100")
        jobs = [
            (org.rep.pk, opportunity.pk, pipeline["contract"].pk, opportunity.version),
            (org.manager.pk, opportunity.pk, talks.pk, opportunity.version),
        ]
        outcomes = threads.race(drop, jobs)
        assert [kind for kind, _ in outcomes if kind != "ok"] == [], outcomes
        results = [value for _kind, value in outcomes]
        winners = [r for r in results if not r.startswith("stale")]
        losers = [r for r in results if r.startswith("stale")]
        assert len(winners) == 1 and len(losers) == 1, results
        winner = User.objects.get(username=winners[0])
        assert losers[0].startswith(f"stale: This record was changed by {winner.display_name} at ")
        moved = Opportunity.objects.get(pk=opportunity.pk)
        assert moved.version == opportunity.version + 1
        assert moved.updated_by == winner
        history = list(StageHistory.objects.filter(opportunity=moved).order_by("entered_at", "pk"))
        assert len(history) == 2 and history[-1].stage == moved.stage and history[-1].entered_by == winner
        assert StageHistory.objects.filter(opportunity=moved, left_at__isnull=True).count() == 1
