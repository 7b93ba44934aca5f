"""Claims racing each other on real, committed transactions (SQLite here; PostgreSQL in CI): exactly one rep
wins a customer and the others are told who; one rep's simultaneous claims cannot overrun the daily cap."""

import pytest

from kehu.customers import pool
from kehu.customers.models import Customer, CustomerLimit, PoolEvent
from kehu.org.models import Role, User
from tests.support import threads

pytestmark = pytest.mark.django_db(transaction=True)


def claim(user_pk, customer_pk):
    user = User.objects.get(pk=user_pk)
    pool.claim(user, customer_pk)
    return user.username


def race(jobs):
    """Each `(user_pk, customer_pk)` claim in its own thread and connection, all released at once."""
    return threads.race(claim, jobs, success="won")


def pool_customer(name):
    return Customer.objects.create(number=f"CU-R-{name}", name=name, name_normalized=name)


def test_of_four_reps_claiming_the_same_customer_exactly_one_wins_and_the_others_are_told_who(org):
    reps = [org.rep, org.rep_bj, org.rep_east, org.manager]
    for round_number in range(3):
        customer = pool_customer(f"抢单{round_number}")
        outcomes = race([(rep.pk, customer.pk) for rep in reps])
        assert [kind for kind, _ in outcomes if kind == "error"] == [], outcomes
        winners = [who for kind, who in outcomes if kind == "won"]
        assert len(winners) == 1, outcomes
        winner = User.objects.get(username=winners[0])
        customer.refresh_from_db()
        assert customer.owner == winner
        refusals = [messages for kind, messages in outcomes if kind == "refused"]
        assert len(refusals) == 3
        for messages in refusals:
            assert len(messages) == 1
            assert messages[0].startswith(f"Too late: {winner.display_name} took this customer from the pool at ")
        assert list(PoolEvent.objects.filter(customer=customer).values_list("kind", "actor_id")) == [
            ("claimed", winner.pk)
        ]
        assert customer.history.filter(owner_id=winner.pk).count() == 1


def test_one_reps_simultaneous_claims_stay_within_the_daily_cap(org):
    CustomerLimit.objects.create(role=Role.objects.get(code="t_rep"), max_claims_per_day=2)
    customers = [pool_customer(f"并发{n}") for n in range(5)]
    outcomes = race([(org.rep.pk, customer.pk) for customer in customers])
    assert [kind for kind, _ in outcomes if kind == "error"] == [], outcomes
    assert sorted(kind for kind, _ in outcomes) == ["refused", "refused", "refused", "won", "won"]
    refusals = {messages[0] for kind, messages in outcomes if kind == "refused"}
    assert refusals == {"You have claimed 2 customers today; the daily limit is 2."}
    assert Customer.objects.filter(owner=org.rep).count() == 2
