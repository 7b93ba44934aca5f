"""The public pool by hand: releasing, claiming within the caps, the reclaim block, assignment by ops, the trail."""

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation

from kehu.customers import pool, pool_queries, pool_rules, services
from kehu.customers.models import Customer, CustomerLimit, CustomerShare, PoolEvent, PoolRule
from kehu.notify.models import Message
from kehu.org.models import Role, User
from tests.factories import make_role

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


PHONES = itertools.count(13800138000)


def make(owner, name, **data):
    return services.create_customer(owner, {"name": name, **data}, [{"name": "张经理", "mobile": str(next(PHONES))}])


def reads_english(*users):
    User.objects.filter(pk__in=[u.pk for u in users]).update(language="en")
    for user in users:
        user.refresh_from_db()


def in_pool(name, **fields):
    return Customer.objects.create(
        number=f"CU-P-{Customer.objects.count():04d}", name=name, name_normalized=name, **fields
    )


def limit(code, **caps):
    return CustomerLimit.objects.create(role=Role.objects.get(code=code), **caps)


def test_release_clears_the_owner_and_remembers_who_held_it(org, levels):
    customer = make(org.rep, "甲公司", level=levels["c"])
    CustomerShare.objects.create(customer=customer, user=org.rep_bj)
    now = timezone.now()
    summary = pool.release_to_pool(org.rep, [customer], "  预算 取消 ", now=now)
    assert (summary.done, summary.skipped) == ([customer.pk], [])
    customer.refresh_from_db()
    assert customer.in_pool
    assert (customer.owner, customer.owner_department, customer.owned_since) == (None, None, None)
    assert customer.previous_owner == org.rep
    assert customer.released_at == now
    assert customer.reclaim_blocked_until == now + timedelta(days=30)  # level C's rule
    assert not CustomerShare.objects.filter(customer=customer).exists()
    event = PoolEvent.objects.get(customer=customer)
    assert (event.kind, event.actor, event.owner, event.reason) == ("released", org.rep, org.rep, "预算 取消")
    record = customer.history.first()
    assert (record.history_user, record.history_change_reason, record.owner_id) == (org.rep, "预算 取消", None)
    assert not Message.objects.filter(recipient=org.rep).exists()  # nobody to tell: the owner did it


def test_the_reclaim_block_follows_the_level_rule_or_the_default_and_none_when_the_rule_is_off(org, levels):
    PoolRule.objects.filter(level=levels["a"]).update(reclaim_block_days=10)
    PoolRule.objects.filter(level__isnull=True).update(reclaim_block_days=20)
    PoolRule.objects.filter(level=levels["c"]).update(is_active=False)
    a, b, c = (
        make(org.rep, "甲", level=levels["a"]),
        make(org.rep, "乙", level=levels["b"]),
        make(org.rep, "丙", level=levels["c"]),
    )
    now = timezone.now()
    pool.release_to_pool(org.rep, [a, b, c], "整理", now=now)
    blocks = dict(Customer.objects.values_list("name", "reclaim_blocked_until"))
    assert blocks == {"甲": now + timedelta(days=10), "乙": now + timedelta(days=20), "丙": None}


def test_a_manager_releases_a_reps_customer_and_the_rep_is_told(org):
    reads_english(org.rep_bj)
    customer = make(org.rep_bj, "乙公司")
    summary = pool.release_to_pool(org.manager, [customer.pk], "客户已倒闭")
    assert summary.done == [customer.pk]
    message = Message.objects.get(recipient=org.rep_bj)
    assert message.title == "华北经理 put 1 of your customers into the public pool"
    assert message.body == "乙公司\nReason: 客户已倒闭"


def test_release_skips_what_the_actor_may_not_release(org):
    own = make(org.rep, "自己的")
    east = make(org.rep_east, "华东的")
    shared = make(org.rep_bj, "共享可编辑的")
    CustomerShare.objects.create(customer=shared, user=org.rep, can_edit=True)  # an edit share is not enough
    summary = pool.release_to_pool(org.rep, [own.pk, east.pk, shared.pk], "整理")
    assert (summary.done, summary.skipped) == ([own.pk], [east.pk, shared.pk])
    assert Customer.objects.get(pk=shared.pk).owner == org.rep_bj
    assert pool_queries.may_release(org.rep, shared) is False
    assert pool_queries.may_release(org.manager, shared) is True


def test_release_needs_a_reason_and_the_change_permission(org):
    customer = make(org.rep, "甲公司")
    with pytest.raises(ValidationError) as error:
        pool.release_to_pool(org.rep, [customer], "   ")
    assert error.value.message_dict == {"reason": ["Say why these customers go back to the pool."]}
    with pytest.raises(PermissionDenied):
        pool.release_to_pool(org.chosen_viewer, [customer], "整理")


def test_claim_takes_the_customer_and_leaves_a_trail(org):
    customer = in_pool("公海客户", released_at=timezone.now(), previous_owner=org.rep_east)
    now = timezone.now()
    claimed = pool.claim(org.rep, customer, now=now)
    assert (claimed.owner, claimed.owner_department, claimed.owned_since) == (org.rep, org.north, now)
    assert (claimed.released_at, claimed.reclaim_blocked_until, claimed.previous_owner) == (None, None, org.rep_east)
    assert claimed.version == 2
    event = PoolEvent.objects.get(customer=customer)
    assert (event.kind, event.actor, event.owner, event.at) == ("claimed", org.rep, org.rep, now)
    record = claimed.history.first()
    assert (record.history_user, record.owner_id, record.history_change_reason) == (
        org.rep,
        org.rep.pk,
        "Claimed from the pool",
    )
    assert Customer.objects.visible_to(org.rep).filter(pk=customer.pk).exists()


def test_claim_needs_the_add_permission(org):
    customer = in_pool("公海客户")
    with pytest.raises(PermissionDenied):
        pool.claim(org.chosen_viewer, customer)
    assert Customer.objects.get(pk=customer.pk).owner is None


def test_a_customer_someone_took_names_who_and_one_never_in_the_pool_is_404(org):
    customer = in_pool("公海客户")
    pool.claim(org.rep_bj, customer, now=datetime(2026, 11, 30, 9, 5, tzinfo=SHANGHAI))
    with pytest.raises(ValidationError) as error:  # the race lost a minute later
        pool.claim(org.rep, customer, now=datetime(2026, 11, 30, 9, 6, tzinfo=SHANGHAI))
    assert error.value.message_dict == {
        "customer": ["Too late: 北京销售 took this customer from the pool at 2026-11-30 09:05."]
    }
    owned = make(org.rep_east, "华东客户")
    with pytest.raises(Http404):  # not a pool customer: nothing is revealed about it
        pool.claim(org.rep, owned)


def test_the_previous_owner_may_not_reclaim_before_the_block_ends(org, levels):
    customer = make(org.rep, "甲公司", level=levels["c"])
    released = datetime(2026, 11, 1, 10, 0, tzinfo=SHANGHAI)
    pool.release_to_pool(org.rep, [customer], "暂无需求", now=released)
    with pytest.raises(ValidationError) as error:
        pool.claim(org.rep, customer, now=released + timedelta(days=29))
    assert error.value.message_dict == {
        "customer": ["You released this customer; you may claim it again from 2026-12-01 10:00."]
    }
    pool.claim(org.rep_bj, customer, now=released + timedelta(days=1))  # anyone else may
    pool.release_to_pool(org.rep_bj, [customer], "不合适", now=released + timedelta(days=2))
    # The block belongs to the last owner only: rep may claim it now.
    assert pool.claim(org.rep, customer, now=released + timedelta(days=3)).owner == org.rep


def test_the_block_ends_on_its_date(org, levels):
    customer = make(org.rep, "甲公司", level=levels["c"])
    released = timezone.now()
    pool.release_to_pool(org.rep, [customer], "暂无需求", now=released)
    assert pool.claim(org.rep, customer, now=released + timedelta(days=30, seconds=1)).owner == org.rep


def test_the_owned_cap_counts_every_owned_customer(org):
    limit("t_rep", max_owned=2)
    make(org.rep, "甲")
    make(org.rep, "乙")
    customer = in_pool("公海客户")
    with pytest.raises(ValidationError) as error:
        pool.claim(org.rep, customer)
    assert error.value.message_dict == {"owner": ["华北销售 already owns 2 customers; the limit is 2."]}


def test_the_daily_cap_counts_claims_since_local_midnight(org):
    limit("t_rep", max_claims_per_day=2)
    customers = [in_pool(f"公海{n}") for n in range(4)]
    # 23:50 on 29 November and 00:10 / 08:00 on 30 November, Shanghai time (16:10 UTC is already the 30th there).
    pool.claim(org.rep, customers[0], now=datetime(2026, 11, 29, 23, 50, tzinfo=SHANGHAI))
    pool.claim(org.rep, customers[1], now=datetime(2026, 11, 30, 0, 10, tzinfo=SHANGHAI))
    pool.claim(org.rep, customers[2], now=datetime(2026, 11, 30, 8, 0, tzinfo=SHANGHAI))
    with pytest.raises(ValidationError) as error:
        pool.claim(org.rep, customers[3], now=datetime(2026, 11, 30, 23, 59, tzinfo=SHANGHAI))
    assert error.value.message_dict == {"customer": ["You have claimed 2 customers today; the daily limit is 2."]}
    assert pool.claim(org.rep, customers[3], now=datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI)).owner == org.rep


def test_the_most_generous_role_wins_and_no_row_means_no_cap(org):
    limit("t_rep", max_claims_per_day=1, max_owned=5)
    role = make_role("t_extra", {"customers": (("view", "add"), "self")})  # only roles that may add count
    org.rep.roles.add(role)
    CustomerLimit.objects.create(role=role, max_claims_per_day=3, max_owned=None)
    assert pool_rules.daily_claim_cap(org.rep) == 3
    CustomerLimit.objects.filter(role=role).update(max_claims_per_day=None)
    assert pool_rules.daily_claim_cap(org.rep) is None
    assert pool_rules.daily_claim_cap(org.rep_bj) == 1
    assert pool_rules.daily_claim_cap(org.rep_east) == 1
    assert pool_rules.daily_claim_cap(org.manager) is None  # t_tree has no row


def test_ops_assign_pool_customers_and_the_recipient_is_told(org):
    reads_english(org.rep)
    first, second = in_pool("甲"), in_pool("乙")
    owned = make(org.rep_east, "丙")
    summary = pool.assign_from_pool(org.admin, [first.pk, second.pk, owned.pk], org.rep)
    assert (summary.done, summary.skipped) == ([first.pk, second.pk], [owned.pk])
    assert set(Customer.objects.filter(owner=org.rep).values_list("name", flat=True)) == {"甲", "乙"}
    assert list(PoolEvent.objects.filter(kind="assigned").values_list("actor__username", "owner__username")) == [
        ("admin", "rep"),
        ("admin", "rep"),
    ]
    assert Message.objects.get(recipient=org.rep).title == "管理员 assigned you 2 customers from the public pool"
    assert pool_queries.claims_today(org.rep) == 0  # assignments are not claims


def test_assignment_respects_the_owned_cap_and_needs_ops_rights(org):
    limit("t_rep", max_owned=1)
    customers = [in_pool("甲"), in_pool("乙")]
    with pytest.raises(ValidationError):
        pool.assign_from_pool(org.admin, [c.pk for c in customers], org.rep)
    assert Customer.objects.filter(owner=org.rep).count() == 0
    with pytest.raises(PermissionDenied):
        pool.assign_from_pool(org.rep, [customers[0].pk], org.rep)
    with pytest.raises(ValidationError):
        pool.assign_from_pool(org.admin, [customers[0].pk], org.nobody)


# --- refusals and re-checks the main flows do not reach ------------------------------------------------
@pytest.mark.parametrize("reason", [None, "", " \n "])
def test_release_without_a_reason_is_refused(org, reason):
    customer = make(org.rep, "甲公司")
    with pytest.raises(ValidationError) as error:
        pool.release_to_pool(org.rep, [customer], reason)
    assert error.value.message_dict == {"reason": ["Say why these customers go back to the pool."]}
    assert Customer.objects.get(pk=customer.pk).owner == org.rep


def test_a_release_reason_of_up_to_200_characters(org):
    customer = make(org.rep, "甲公司")
    with pytest.raises(ValidationError) as error:
        pool.release_to_pool(org.rep, [customer], "长" * 201)
    assert error.value.message_dict == {"reason": ["Keep the reason under 200 characters."]}
    assert Customer.objects.get(pk=customer.pk).owner == org.rep
    assert pool.release_to_pool(org.rep, [customer], "长" * 200).done == [customer.pk]
    assert PoolEvent.objects.get(customer=customer).reason == "长" * 200
    assert customer.history.first().history_change_reason == "长" * 100  # what the history row holds


def test_a_release_counts_as_one_more_version(org):
    customer = make(org.rep, "甲公司")
    version = Customer.objects.get(pk=customer.pk).version
    pool.release_to_pool(org.rep, [customer], "整理")
    assert Customer.objects.get(pk=customer.pk).version == version + 1


@pytest.mark.parametrize("status", [Customer.Status.MERGED, Customer.Status.DRAFT])
def test_claiming_a_customer_that_is_not_active_or_does_not_exist_is_404(org, status):
    customer = in_pool("甲", status=status)
    with pytest.raises(Http404):
        pool.claim(org.rep, customer.pk)
    with pytest.raises(Http404):
        pool.claim(org.rep, 999999)
    assert Customer.objects.get(pk=customer.pk).owner is None


def test_assigning_to_someone_who_left_or_has_no_access_is_refused(org):
    customer = in_pool("甲")
    User.objects.filter(pk=org.rep.pk).update(status=User.Status.LEFT, is_active=False)
    org.rep.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        pool.assign_from_pool(org.admin, [customer.pk], org.rep)
    assert error.value.message_dict == {"to_user": ["The new owner has left the company."]}
    with pytest.raises(ValidationError) as error:
        pool.assign_from_pool(org.admin, [customer.pk], org.nobody)
    assert error.value.message_dict == {"to_user": ["The new owner has no access to customers."]}
    assert Customer.objects.get(pk=customer.pk).owner is None


def test_the_return_rechecks_each_customer_on_fresh_data(org, levels):
    start = datetime(2026, 6, 1, 10, tzinfo=SHANGHAI)
    customer = Customer.objects.create(
        number="CU-P-RE", name="甲", name_normalized="甲", owner=org.rep, owner_department=org.rep.department,
        level=levels["c"], created_at=start, owned_since=start,
    )  # fmt: skip
    now = start + timedelta(days=60)
    (pending,) = pool_queries.pending_returns(Customer.objects.filter(pk=customer.pk), now, include_upcoming=True)
    assert pending.due_at == start + timedelta(days=30)
    services.touch_activity(customer.pk, start + timedelta(days=10), followup=True)  # a follow-up came in since
    # Still due (day 40 ≤ day 60): the return goes ahead; the warning was for day 30, which no longer holds.
    assert pool._still_pending(pending, now, due=True) == customer
    assert pool._still_pending(pending, now, due=False) is None
    services.touch_activity(customer.pk, start + timedelta(days=50), followup=True)
    assert pool._still_pending(pending, now, due=True) is None  # due on day 80 now
    Customer.objects.filter(pk=customer.pk).update(owner=org.rep_bj)
    assert pool._still_pending(pending, start + timedelta(days=90), due=True) is None  # someone else owns it


def follow_up_arrives_during_the_run(customer):
    """A query wrapper: when the run locks its first customer, a follow-up for `customer` has just come in."""
    done = []

    def wrapper(execute, sql, params, many, context):
        if not done and sql.startswith("SELECT") and '"customers_customer"' in sql and "LIMIT 1" in sql:
            done.append(True)
            services.touch_activity(customer.pk, timezone.now(), followup=True)
        return execute(sql, params, many, context)

    return wrapper


def test_a_customer_followed_up_during_the_run_is_skipped_and_the_others_still_go(org, levels):
    from django.db import connection

    start = timezone.now() - timedelta(days=100)
    first, second = (
        Customer.objects.create(
            number=f"CU-P-R{n}",
            name=name,
            name_normalized=name,
            owner=org.rep,
            owner_department=org.rep.department,
            level=levels["c"],
            created_at=start + timedelta(days=n),
            owned_since=start + timedelta(days=n),
        )  # fmt: skip
        for n, name in enumerate(["甲", "乙"])
    )
    with connection.execute_wrapper(follow_up_arrives_during_the_run(first)):
        returned = pool.auto_return()
    assert [p.customer.name for p in returned] == ["乙"]
    assert set(Customer.objects.filter(owner=org.rep).values_list("name", flat=True)) == {"甲"}


def test_a_warning_is_skipped_when_a_follow_up_came_in_during_the_run_and_the_others_still_go(org, levels):
    from django.db import connection

    start = timezone.now() - timedelta(days=28)  # level C: 30 days, warned 3 days ahead
    first, second = (
        Customer.objects.create(
            number=f"CU-P-W{n}",
            name=name,
            name_normalized=name,
            owner=org.rep,
            owner_department=org.rep.department,
            level=levels["c"],
            created_at=start + timedelta(hours=n),
            owned_since=start + timedelta(hours=n),
        )  # fmt: skip
        for n, name in enumerate(["甲", "乙"])
    )
    with connection.execute_wrapper(follow_up_arrives_during_the_run(first)):
        assert pool.warn_upcoming_returns() == 1
    assert list(PoolEvent.objects.filter(kind="warned").values_list("customer__name", flat=True)) == ["乙"]


def test_a_customer_due_exactly_now_is_returned_not_warned(org, levels):
    now = datetime(2026, 7, 1, 10, tzinfo=SHANGHAI)
    start = now - timedelta(days=30)
    Customer.objects.create(
        number="CU-P-EX", name="甲", name_normalized="甲", owner=org.rep, owner_department=org.rep.department,
        level=levels["c"], created_at=start, owned_since=start,
    )  # fmt: skip
    assert pool.warn_upcoming_returns(now=now) == 0
    assert [p.customer.name for p in pool.auto_return(now=now)] == ["甲"]


def test_a_back_dated_follow_up_during_the_run_still_leaves_a_due_customer_due(org, levels):
    from django.db import connection

    start = timezone.now() - timedelta(days=100)
    customer = Customer.objects.create(
        number="CU-P-BD", name="甲", name_normalized="甲", owner=org.rep, owner_department=org.rep.department,
        level=levels["c"], created_at=start, owned_since=start,
    )  # fmt: skip
    done = []

    def back_dated_follow_up(execute, sql, params, many, context):
        if not done and sql.startswith("SELECT") and '"customers_customer"' in sql and "LIMIT 1" in sql:
            done.append(True)
            services.touch_activity(customer.pk, start + timedelta(days=10), followup=True)  # due on day 40 now
        return execute(sql, params, many, context)

    with connection.execute_wrapper(back_dated_follow_up):
        returned = pool.auto_return()
    assert [(p.customer.name, p.due_at) for p in returned] == [("甲", start + timedelta(days=30))]
    assert Customer.objects.get(pk=customer.pk).owner is None


def test_a_customer_already_warned_is_skipped_and_the_next_one_is_warned(org, levels):
    now = timezone.now()
    first = Customer.objects.create(
        number="CU-P-AW1", name="甲", name_normalized="甲", owner=org.rep, owner_department=org.rep.department,
        level=levels["c"], created_at=now - timedelta(days=28), owned_since=now - timedelta(days=28),
    )  # fmt: skip
    assert pool.warn_upcoming_returns(now=now) == 1
    Customer.objects.create(
        number="CU-P-AW2", name="乙", name_normalized="乙", owner=org.rep, owner_department=org.rep.department,
        level=levels["c"], created_at=now - timedelta(days=27), owned_since=now - timedelta(days=27),
    )  # fmt: skip
    assert pool.warn_upcoming_returns(now=now + timedelta(hours=1)) == 1
    assert sorted(PoolEvent.objects.filter(kind="warned").values_list("customer__name", flat=True)) == ["乙", "甲"]
    assert PoolEvent.objects.filter(kind="warned", customer=first).count() == 1


def test_a_release_summary_counts_what_moved(org):
    mine, theirs = make(org.rep, "甲公司"), make(org.rep_east, "乙公司")
    summary = pool.release_to_pool(org.rep, [mine, theirs], "整理")
    assert (summary.count, summary.done, summary.skipped) == (1, [mine.pk], [theirs.pk])
