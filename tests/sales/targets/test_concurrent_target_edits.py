"""Two managers saving the same target at the same moment, on real committed transactions (SQLite here,
PostgreSQL with KEHU_TEST_DATABASE_URL): exactly one save wins, the other is told who changed it."""

from decimal import Decimal as D

import pytest

from kehu.core.locking import StaleEdit
from kehu.org.models import User
from kehu.sales.targets import services
from kehu.sales.targets.models import Target
from tests.support import threads

pytestmark = pytest.mark.django_db(transaction=True)


def save(actor_pk, person_pk, amount, version):
    actor = User.objects.get(pk=actor_pk)
    try:
        services.set_target(
            actor,
            metric="sales.won_amount",
            year=2026,
            month=6,
            amount=amount,
            user=User.objects.get(pk=person_pk),
            expected_version=version,
        )
    except StaleEdit as exc:
        return ("stale", str(exc))
    return ("saved", actor.username)


@pytest.mark.parametrize("existing", [False, True])
def test_of_two_simultaneous_saves_of_one_version_exactly_one_wins(org, existing):
    version = services.NEW
    if existing:
        services.set_target(org.admin, metric="sales.won_amount", year=2026, month=6, amount="1", user=org.rep)
        version = 1
    for round_number in range(3):
        jobs = [
            (org.manager.pk, org.rep.pk, f"{100 + round_number}", version),
            (org.director.pk, org.rep.pk, f"{200 + round_number}", version),
        ]
        outcomes = [value for _kind, value in threads.race(save, jobs)]
        assert sorted(kind for kind, _ in outcomes) == ["saved", "stale"], outcomes
        winner = next(who for kind, who in outcomes if kind == "saved")
        refusal = next(text for kind, text in outcomes if kind == "stale")
        assert {"manager": "华北经理", "director": "总监"}[winner] in refusal
        target = Target.objects.get(user=org.rep, month=6)
        assert target.updated_by.username == winner
        assert target.amount == D(f"{100 + round_number}" if winner == "manager" else f"{200 + round_number}")
        version = target.version
