"""The claim that loses the race at the conditional UPDATE: the customer was still in the pool when the claim
checked, and someone else took it before the claim's UPDATE ran. The loser is told who was faster; the customer
stays the winner's. On SQLite a claim holds the write lock from its first statement, so the moment only exists
within one connection (first test); on PostgreSQL it is reached with two real transactions (second test)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation
from django.utils.timezone import now

from kehu.customers import pool
from kehu.customers.models import Customer, PoolEvent
from kehu.org.models import User


def pool_customer(name):
    return Customer.objects.create(number=f"CU-RACE-{name}", name=name, name_normalized=name)


def is_the_conditional_take(sql: str) -> bool:
    return sql.startswith('UPDATE "customers_customer"') and '"owner_id" IS NULL' in sql


@pytest.mark.django_db
def test_a_claim_taken_by_someone_else_just_before_its_update_names_the_winner(org):
    customer = pool_customer("抢单")
    taken, inside = [], []

    def someone_is_faster(execute, sql, params, many, context):
        if inside:  # the manager's own statements
            return execute(sql, params, many, context)
        if is_the_conditional_take(sql) and not taken:
            inside.append(True)
            taken.append(pool._take(customer.pk, org.manager, org.manager, PoolEvent.Kind.CLAIMED, "领取", now()))
            inside.clear()
        result = execute(sql, params, many, context)
        if is_the_conditional_take(sql):
            taken.append(context["cursor"].rowcount)
        return result

    with translation.override("en"), connection.execute_wrapper(someone_is_faster):
        with pytest.raises(ValidationError) as refused:
            pool.claim(org.rep, customer.pk)
    assert taken[0].owner == org.manager and taken[1] == 0  # the rep's own UPDATE changed nothing
    assert refused.value.messages[0].startswith("Too late: 华北经理 took this customer from the pool at ")


@pytest.mark.django_db(transaction=True)
def test_two_reps_claiming_at_once_on_postgresql_the_second_loses_at_the_update(org):
    customer = pool_customer("并发抢单")
    checked, first_done = threading.Event(), threading.Event()
    outcomes, update_rows = {}, []
    postgres = connection.vendor == "postgresql"

    def pause_before_the_take(execute, sql, params, many, context):
        if is_the_conditional_take(sql) and postgres:
            checked.set()  # the rep has seen the customer in the pool; now the manager claims it and commits
            assert first_done.wait(30)
        result = execute(sql, params, many, context)
        if is_the_conditional_take(sql):
            update_rows.append(context["cursor"].rowcount)
        return result

    def claim(user_pk, wrapper=None):
        translation.activate("en")
        try:
            user = User.objects.get(pk=user_pk)
            if wrapper:
                with connection.execute_wrapper(wrapper):
                    pool.claim(user, customer.pk)
            else:
                pool.claim(user, customer.pk)
            outcomes[user.username] = "won"
        except ValidationError as exc:
            outcomes[user_pk] = exc.messages
        except Exception as exc:  # surfaced by the assertion below
            outcomes[user_pk] = repr(exc)
        finally:
            translation.deactivate()
            connection.close()

    def manager():
        if postgres:
            assert checked.wait(30)
        claim(org.manager.pk)
        first_done.set()

    def rep():
        if not postgres:  # SQLite: the manager's claim holds the write lock first; the rep queues behind it
            assert first_done.wait(30)
        claim(org.rep.pk, pause_before_the_take)

    threads = [threading.Thread(target=manager), threading.Thread(target=rep)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes["manager"] == "won"
    assert len(outcomes[org.rep.pk]) == 1
    assert outcomes[org.rep.pk][0].startswith("Too late: 华北经理 took this customer from the pool at ")
    assert Customer.objects.get(pk=customer.pk).owner == org.manager
    assert list(PoolEvent.objects.filter(customer=customer).values_list("kind", "actor_id")) == [
        ("claimed", org.manager.pk)
    ]
    # PostgreSQL: the rep's conditional UPDATE ran and changed nothing. SQLite: the rep was refused by the check
    # before it (the customer already had an owner), so the UPDATE never ran.
    assert update_rows == ([0] if postgres else [])
