"""The nightly automatic return: rules per level, the clock (follow-ups, new owners), warnings once per due date,
the preview of the next run, the opportunity rule's hook, and the Huey task itself."""

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from kehu.customers import pool, pool_queries, pool_rules, services, tasks
from kehu.customers.models import Customer, PoolEvent, PoolRule
from kehu.notify.models import Message
from kehu.org.models import User

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)
NUMBERS = itertools.count(1)


def default_language(text, **values):
    """A stored reason is written in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(text) % values


def owned(owner, name, level=None, since=START):
    """A customer owned by `owner` since `since`, created then (no follow-up yet)."""
    return Customer.objects.create(
        number=f"CU-A-{next(NUMBERS):04d}",
        name=name,
        name_normalized=name,
        owner=owner,
        owner_department=owner.department,
        level=level,
        created_at=since,
        owned_since=since,
    )


@pytest.fixture
def book(org, levels):
    # Seeded rules: A 90 days (warn 7), C 30 days (warn 3), default 60 days (warn 5); reclaim block 30 days.
    return {
        "a": owned(org.rep, "甲A", levels["a"]),
        "b": owned(org.rep, "乙B", levels["b"]),
        "c": owned(org.rep_bj, "丙C", levels["c"]),
        "none": owned(org.rep_east, "丁无等级"),
    }


def owners():
    return dict(Customer.objects.values_list("name", "owner__username"))


def test_each_level_returns_after_its_own_rule_or_the_default(org, book):
    assert pool.auto_return(now=START + timedelta(days=29, hours=23)) == []
    returned = pool.auto_return(now=START + timedelta(days=30))
    assert [(p.customer.name, p.days, p.cause) for p in returned] == [("丙C", 30, "followup")]
    assert pool.auto_return(now=START + timedelta(days=59)) == []
    returned = pool.auto_return(now=START + timedelta(days=60))
    assert sorted(p.customer.name for p in returned) == ["丁无等级", "乙B"]
    assert owners() == {"甲A": "rep", "乙B": None, "丙C": None, "丁无等级": None}
    assert [p.customer.name for p in pool.auto_return(now=START + timedelta(days=90))] == ["甲A"]


def test_a_returned_customer_has_its_trail_block_and_a_message_to_the_former_owner(org, book):
    User.objects.filter(pk=org.rep_bj.pk).update(language="en")
    now = START + timedelta(days=31)
    pool.auto_return(now=now)
    customer = Customer.objects.get(pk=book["c"].pk)
    reason = default_language("No follow-up for %(days)d days", days=30)
    assert (customer.owner, customer.owner_department, customer.previous_owner) == (None, None, org.rep_bj)
    assert (customer.released_at, customer.reclaim_blocked_until) == (now, now + timedelta(days=30))
    event = PoolEvent.objects.get(customer=customer)
    assert (event.kind, event.actor, event.owner, event.reason, event.at) == ("returned", None, org.rep_bj, reason, now)
    record = customer.history.first()
    assert (record.history_user, record.history_change_reason, record.owner_id) == (None, reason, None)
    message = Message.objects.get(recipient=org.rep_bj)
    with translation.override("en"):  # shown in the reader's language
        assert str(message.title) == "1 of your customers went back to the public pool"
        assert str(message.body) == "丙C: No follow-up for 30 days · you may claim it again from 2026-08-01"
    assert message.level == "warning"


def test_a_follow_up_or_a_new_owner_restarts_the_clock(org, book):
    services.touch_activity(book["c"].pk, START + timedelta(days=20), followup=True)
    assert pool.auto_return(now=START + timedelta(days=49)) == []
    assert [p.customer.name for p in pool.auto_return(now=START + timedelta(days=50))] == ["丙C"]
    # 乙B had a follow-up long ago by a former owner; it changed hands on day 50: counted from then, not before.
    services.touch_activity(book["b"].pk, START + timedelta(days=5), followup=True)
    Customer.objects.filter(pk=book["b"].pk).update(owned_since=START + timedelta(days=50))
    assert "乙B" not in [p.customer.name for p in pool.auto_return(now=START + timedelta(days=100))]
    assert [p.customer.name for p in pool.auto_return(now=START + timedelta(days=110))] == ["乙B"]


def test_a_rule_that_is_off_returns_nothing_even_when_the_default_would(org, book, levels):
    PoolRule.objects.filter(level=levels["c"]).update(is_active=False)
    PoolRule.objects.filter(level__isnull=True).update(days_without_followup=None)
    assert pool.auto_return(now=START + timedelta(days=89)) == []
    assert [p.customer.name for p in pool.auto_return(now=START + timedelta(days=90))] == ["甲A"]


def test_pool_customers_and_merged_or_draft_customers_are_left_alone(org, book):
    Customer.objects.filter(pk=book["b"].pk).update(status=Customer.Status.DRAFT)
    Customer.objects.filter(pk=book["none"].pk).update(status=Customer.Status.MERGED)
    returned = pool.auto_return(now=START + timedelta(days=365))
    assert sorted(p.customer.name for p in returned) == ["丙C", "甲A"]
    assert pool.auto_return(now=START + timedelta(days=400)) == []  # a second run finds nothing to do


def test_owners_are_warned_once_per_due_date(org, book):
    User.objects.filter(pk=org.rep.pk).update(language="en")
    warned = PoolEvent.objects.filter(kind="warned")
    # The default rule (乙B, 丁无等级) returns after 60 days and warns 5 days ahead: from day 55. 丙C is due
    # already (day 30): the return tells its owner, not a warning. 甲A's window opens on day 83.
    assert pool.warn_upcoming_returns(now=START + timedelta(days=54, hours=23)) == 0
    assert pool.warn_upcoming_returns(now=START + timedelta(days=55)) == 2
    assert sorted(warned.values_list("customer__name", flat=True)) == ["丁无等级", "乙B"]
    assert pool.warn_upcoming_returns(now=START + timedelta(days=56)) == 0  # not twice for the same date
    message = Message.objects.get(recipient=org.rep)
    with translation.override("en"):
        assert str(message.title) == "1 of your customers will go back to the public pool soon"
        assert str(message.body) == "乙B: on 2026-07-31 (No follow-up for 60 days)\nA follow-up resets the clock."
    event = warned.get(customer=book["b"])
    assert event.owner == org.rep
    assert "2026-07-31" in event.reason
    # A follow-up moves the due date to day 116: its window (from day 111) warns again, for the new date.
    services.touch_activity(book["b"].pk, START + timedelta(days=56), followup=True)
    assert pool.warn_upcoming_returns(now=START + timedelta(days=57)) == 0
    assert pool.warn_upcoming_returns(now=START + timedelta(days=111)) == 1
    assert warned.filter(customer=book["b"]).count() == 2
    assert "2026-09-25" in warned.filter(customer=book["b"]).first().reason


def test_the_preview_lists_what_the_next_run_returns_and_why_within_the_scope(org, book, levels):
    services.touch_activity(book["a"].pk, START + timedelta(days=1), followup=True)
    run_at = START + timedelta(days=60)
    preview = pool_queries.preview_returns(org.manager, when=run_at)  # north and below: rep and rep_bj, not rep_east
    assert preview.run_at == run_at
    with translation.override("en"):
        rows = [
            (p.customer.name, p.customer.owner.username, p.rule, p.last_followup_at, p.idle_days, str(p.reason))
            for p in preview.due
        ]
    assert rows == [
        ("丙C", "rep_bj", PoolRule.objects.get(level=levels["c"]), None, 60, "No follow-up for 30 days"),
        ("乙B", "rep", PoolRule.objects.get(level=None), None, 60, "No follow-up for 60 days"),
    ]
    assert preview.soon == []
    everything = pool_queries.preview_returns(org.admin, when=START + timedelta(days=85))
    assert [p.customer.name for p in everything.due] == ["丙C", "乙B", "丁无等级"]
    assert [(p.customer.name, p.due_at, p.last_followup_at, p.idle_days) for p in everything.soon] == [
        ("甲A", START + timedelta(days=91), START + timedelta(days=1), 84)
    ]
    with pytest.raises(PermissionDenied):
        pool_queries.preview_returns(org.rep)


def test_the_next_run_is_at_half_past_one_local_time():
    assert pool_rules.next_run_at(datetime(2026, 6, 1, 1, 29, tzinfo=SHANGHAI)) == datetime(
        2026, 6, 1, 1, 30, tzinfo=SHANGHAI
    )
    assert pool_rules.next_run_at(datetime(2026, 6, 1, 1, 30, tzinfo=SHANGHAI)) == datetime(
        2026, 6, 2, 1, 30, tzinfo=SHANGHAI
    )


def test_the_opportunity_rule_applies_only_with_a_registered_clock(org, book, levels):
    installed = pool_rules._opportunity_clock  # the opportunities module's (kehu.sales); restored below
    assert installed is not None and pool_rules.opportunity_rule_applies()
    PoolRule.objects.filter(level=levels["a"]).update(days_without_opportunity=40)
    pool_rules.register_opportunity_clock(None)
    try:
        assert not pool_rules.opportunity_rule_applies()
        # Not applied: 甲A (90 days without a follow-up) stays although it has had no opportunity for 45 days.
        assert [p.customer.name for p in pool.auto_return(now=START + timedelta(days=45))] == ["丙C"]
        last_opportunity = {book["a"].pk: START + timedelta(days=10)}
        pool_rules.register_opportunity_clock(lambda customer: last_opportunity.get(customer.pk))
        assert pool_rules.opportunity_rule_applies()
        assert pool.auto_return(now=START + timedelta(days=49)) == []
        returned = pool.auto_return(now=START + timedelta(days=50))
        assert [(p.customer.name, p.cause, p.days) for p in returned] == [("甲A", "opportunity", 40)]
        event = PoolEvent.objects.get(customer=book["a"], kind="returned")
        assert event.reason == default_language("No new opportunity for %(days)d days", days=40)
    finally:
        pool_rules.register_opportunity_clock(installed)


def test_the_huey_task_returns_and_warns_in_one_run(org, levels):
    now = timezone.now()
    owned(org.rep, "久未跟进", levels["c"], since=now - timedelta(days=31))
    owned(org.rep, "快到期", levels["c"], since=now - timedelta(days=28))
    owned(org.rep, "刚领取", levels["c"], since=now - timedelta(days=1))
    assert tasks.return_idle_customers_to_pool.call_local() == {"returned": 1, "warned": 1}
    assert owners() == {"久未跟进": None, "快到期": "rep", "刚领取": "rep"}
    assert tasks.return_idle_customers_to_pool.call_local() == {"returned": 0, "warned": 0}  # safe to run twice


def test_the_task_runs_at_half_past_one_in_shanghai_which_is_17_30_utc():
    task = tasks.return_idle_customers_to_pool.s()
    assert task.validate_datetime(datetime(2026, 6, 1, 17, 30))
    assert not task.validate_datetime(datetime(2026, 6, 1, 1, 30))


@pytest.fixture
def opportunity_clock():
    """A registered opportunity clock (what the opportunities module registers): customer pk → last opportunity."""
    last = {}
    installed = pool_rules._opportunity_clock  # the opportunities module's (kehu.sales): put back afterwards
    pool_rules.register_opportunity_clock(lambda customer: last.get(customer.pk))
    yield last
    pool_rules.register_opportunity_clock(installed)


def test_the_preview_shows_the_opportunity_rule_once_a_clock_is_registered(org, book, levels, opportunity_clock):
    PoolRule.objects.filter(level=levels["a"]).update(days_without_opportunity=40)  # warns 7 days ahead
    opportunity_clock[book["a"].pk] = START + timedelta(days=10)
    soon = pool_queries.preview_returns(org.admin, when=START + timedelta(days=43)).soon
    with translation.override("en"):
        assert [(p.customer.name, p.cause, p.due_at, p.idle_since, p.reason) for p in soon] == [
            (
                "甲A",
                "opportunity",
                START + timedelta(days=50),
                START + timedelta(days=10),
                "No new opportunity for 40 days",
            )
        ]
    assert pool_queries.preview_returns(org.admin, when=START + timedelta(days=42)).soon == []
    due = pool_queries.preview_returns(org.admin, when=START + timedelta(days=50)).due
    assert [(p.customer.name, p.cause) for p in due] == [("丙C", "followup"), ("甲A", "opportunity")]


def test_owners_are_warned_of_an_opportunity_return(org, book, levels, opportunity_clock):
    PoolRule.objects.filter(level=levels["a"]).update(days_without_opportunity=40)
    opportunity_clock[book["a"].pk] = START + timedelta(days=10)
    assert pool.warn_upcoming_returns(now=START + timedelta(days=42, hours=23)) == 0
    assert pool.warn_upcoming_returns(now=START + timedelta(days=43)) == 1
    event = PoolEvent.objects.get(kind="warned")
    assert (event.customer, event.owner) == (book["a"], org.rep)
    reason = default_language("No new opportunity for %(days)d days", days=40)
    assert event.reason == default_language(
        "%(date)s: returns to the pool (%(reason)s)", date="2026-07-21", reason=reason
    )
    assert event.reason == "2026-07-21 将退回公海（40 天无新商机）"
    assert pool.warn_upcoming_returns(now=START + timedelta(days=44)) == 0  # once per due date


def test_without_an_opportunity_the_clock_counts_from_the_owner_getting_the_customer(
    org, book, levels, opportunity_clock
):
    PoolRule.objects.filter(level=levels["a"]).update(days_without_opportunity=40)
    opportunity_clock[book["b"].pk] = START - timedelta(days=100)  # before the owner got it: does not count
    assert [p.customer.name for p in pool.auto_return(now=START + timedelta(days=39))] == ["丙C"]
    returned = pool.auto_return(now=START + timedelta(days=40))
    assert [(p.customer.name, p.cause, p.idle_since) for p in returned] == [("甲A", "opportunity", START)]


def test_the_earliest_cause_wins(org, book, levels, opportunity_clock):
    PoolRule.objects.filter(level=levels["c"]).update(days_without_opportunity=50)  # follow-up rule: 30 days
    opportunity_clock[book["c"].pk] = START
    pending = pool_queries.pending_returns(Customer.objects.all(), START + timedelta(days=60))
    assert [(p.customer.name, p.cause, p.due_at) for p in pending if p.customer.name == "丙C"] == [
        ("丙C", "followup", START + timedelta(days=30))
    ]
    PoolRule.objects.filter(level=levels["c"]).update(days_without_opportunity=20)
    pending = pool_queries.pending_returns(Customer.objects.all(), START + timedelta(days=60))
    assert [(p.customer.name, p.cause, p.due_at) for p in pending if p.customer.name == "丙C"] == [
        ("丙C", "opportunity", START + timedelta(days=20))
    ]


# --- the read side's smaller rules ------------------------------------------------------------------
def test_claims_today_count_from_local_midnight(org):
    midnight = datetime(2026, 6, 2, 0, 0, tzinfo=SHANGHAI)
    customer = owned(org.rep, "甲")
    for at in (midnight - timedelta(microseconds=1), midnight, midnight + timedelta(hours=9)):
        PoolEvent.objects.create(customer=customer, kind=PoolEvent.Kind.CLAIMED, actor=org.rep, owner=org.rep, at=at)
    PoolEvent.objects.create(customer=customer, kind=PoolEvent.Kind.ASSIGNED, actor=org.rep, owner=org.rep, at=midnight)
    assert pool_queries.local_midnight(midnight + timedelta(hours=23, minutes=59)) == midnight
    assert pool_queries.claims_today(org.rep, midnight + timedelta(hours=10)) == 2


def test_who_may_release_a_customer(org, book):
    assert pool_queries.may_release(org.rep, book["a"]) is True
    assert pool_queries.may_release(org.manager, book["a"]) is True  # in the manager's change scope
    assert pool_queries.may_release(org.rep_east, book["a"]) is False  # not theirs
    assert pool_queries.may_release(org.chosen_viewer, book["none"]) is False  # may view, not change
    Customer.objects.filter(pk=book["b"].pk).update(status=Customer.Status.MERGED)
    book["b"].refresh_from_db()
    assert pool_queries.may_release(org.rep, book["b"]) is False
    in_pool = Customer.objects.create(number="CU-A-POOL", name="池", name_normalized="池", created_at=START)
    assert pool_queries.may_release(org.admin, in_pool) is False


def test_who_may_assign_from_the_pool(org):
    from tests.factories import UserFactory, make_role

    manage_only = make_role("t_manage", {"customers": (("view", "manage"), "all")})
    transfer_only = make_role("t_transfer", {"customers": (("view", "transfer"), "all")})
    assert pool_queries.may_assign(UserFactory(username="ops2", department=org.ops, roles=[manage_only])) is True
    assert pool_queries.may_assign(UserFactory(username="ops3", department=org.ops, roles=[transfer_only])) is True
    assert pool_queries.may_assign(org.rep) is False


def test_a_pending_return_reads_its_customer(org, book):
    since = START + timedelta(days=5)
    pending = pool_queries.PendingReturn(book["a"], None, "followup", 30, since, since + timedelta(days=30), START)
    assert (pending.owner, pending.last_followup_at, pending.idle_days) == (org.rep, None, 0)  # not idle yet
    later = pool_queries.PendingReturn(book["a"], None, "followup", 30, since, since, START + timedelta(days=12))
    assert later.idle_days == 7


def test_the_clock_counts_from_when_the_owner_got_the_customer(org):
    customer = owned(org.rep, "甲", since=START + timedelta(days=3))
    Customer.objects.filter(pk=customer.pk).update(created_at=START)
    customer.refresh_from_db()
    assert pool_queries.owned_since(customer) == START + timedelta(days=3)
    customer.owned_since = None
    assert pool_queries.owned_since(customer) == START


def test_without_warnings_only_what_is_due_now_is_pending(org, book):
    assert [
        p.customer.name for p in pool_queries.pending_returns(Customer.objects.all(), START + timedelta(days=30))
    ] == ["丙C"]
    assert pool_queries.pending_returns(Customer.objects.all(), START + timedelta(days=29, hours=23)) == []
    upcoming = pool_queries.pending_returns(Customer.objects.all(), START + timedelta(days=27), include_upcoming=True)
    assert [p.customer.name for p in upcoming] == ["丙C"]  # level C warns 3 days ahead


def test_a_rule_that_is_off_does_not_stop_the_others(org, book, levels):
    PoolRule.objects.filter(level=levels["a"]).update(is_active=False)
    assert [p.customer.name for p in pool.auto_return(now=START + timedelta(days=30))] == ["丙C"]
    assert sorted(p.customer.name for p in pool.auto_return(now=START + timedelta(days=400))) == ["丁无等级", "乙B"]


def test_two_causes_due_at_the_same_moment_report_the_follow_up(org, book, levels, opportunity_clock):
    PoolRule.objects.filter(level=levels["c"]).update(days_without_opportunity=30)
    pending = pool_queries.pending_returns(Customer.objects.filter(pk=book["c"].pk), START + timedelta(days=30))
    assert [(p.cause, p.due_at) for p in pending] == [("followup", START + timedelta(days=30))]


def test_the_owners_to_do_lists_what_is_due_or_soon_at_the_given_moment(org, book):
    assert [
        p.customer.name for p in pool_queries.upcoming_returns_for_owner(org.rep_bj, START + timedelta(days=27))
    ] == ["丙C"]
    assert pool_queries.upcoming_returns_for_owner(org.rep_bj, START + timedelta(days=26)) == []
    assert pool_queries.upcoming_returns_for_owner(org.rep, START + timedelta(days=27)) == []
