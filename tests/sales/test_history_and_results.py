"""Stage history (entered, left, by whom, days in stage), win and loss requirements, reopening by managers,
Decimal amounts with clear messages."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kehu.core import events as domain_events
from kehu.core.models import DictionaryItem
from kehu.sales import queries, services
from kehu.sales.models import Opportunity, StageHistory
from tests.sales.conftest import customer_of, decision_maker, new_opportunity, soon

pytestmark = pytest.mark.django_db


def item(dictionary, code):
    return DictionaryItem.objects.get(dictionary__code=dictionary, code=code)


# --- stage history ----------------------------------------------------------------------------------------
def test_every_stay_in_a_stage_is_kept_with_who_moved_it_and_the_days_spent(org, pipeline):
    customer = customer_of(org.rep)
    opportunity = new_opportunity(org.rep, customer, amount="100", decision_maker=decision_maker(customer))
    start = opportunity.stage_entered_at
    services.move_stage(org.manager, opportunity, pipeline["proposal"], None)
    services.move_stage(org.rep, opportunity, pipeline["lead"], None)
    rows = list(StageHistory.objects.filter(opportunity=opportunity).order_by("entered_at", "pk"))
    assert [(r.stage.name, r.entered_by.username, r.left_at is None) for r in rows] == [
        ("线索", "rep", False),
        ("方案报价", "manager", False),
        ("线索", "rep", True),
    ]
    assert rows[0].left_at == rows[1].entered_at and rows[1].left_at == rows[2].entered_at
    # durations: 3 days in lead, then 10 days in proposal, then still in lead since then
    StageHistory.objects.filter(pk=rows[0].pk).update(
        entered_at=start - timedelta(days=13), left_at=start - timedelta(days=10)
    )
    StageHistory.objects.filter(pk=rows[1].pk).update(entered_at=start - timedelta(days=10), left_at=start)
    StageHistory.objects.filter(pk=rows[2].pk).update(entered_at=start)
    shown = queries.stage_history(opportunity, now=start + timedelta(days=2, hours=23))
    assert [(h["stage"].name, h["days"], h["current"]) for h in shown] == [
        ("线索", 3, False),
        ("方案报价", 10, False),
        ("线索", 2, True),
    ]


def test_less_than_a_day_in_a_stage_is_zero_days(org, pipeline):
    opportunity = new_opportunity(org.rep)
    row = StageHistory.objects.get(opportunity=opportunity)
    assert row.days(row.entered_at + timedelta(hours=23, minutes=59)) == 0
    assert row.days(row.entered_at + timedelta(days=1)) == 1


def test_a_follow_up_may_move_the_stage_and_says_so(org, pipeline):
    opportunity = new_opportunity(org.rep, amount="100")
    entry = services.record_followup(
        org.rep, opportunity, kind="meeting", content="签约前最后一次会谈", stage=pipeline["contract"]
    )
    assert (entry.moved_from, entry.moved_to) == (pipeline["lead"], pipeline["contract"])
    assert entry.followup.customer_id == opportunity.customer_id  # also the customer's follow-up
    opportunity.refresh_from_db()
    assert opportunity.stage == pipeline["contract"]
    assert opportunity.customer.last_followup_at == entry.followup.happened_at


def test_a_follow_up_that_would_enter_a_gated_stage_writes_nothing(org, pipeline):
    from kehu.customers.models import FollowUp

    opportunity = new_opportunity(org.rep)
    with pytest.raises(ValidationError) as refused:
        services.record_followup(org.rep, opportunity, kind="call", content="报价", stage=pipeline["proposal"])
    assert refused.value.message_dict["stage"] == ["To enter “方案报价”, fill in: Amount, Decision maker."]
    assert FollowUp.objects.count() == 0


def test_managers_review_follow_ups_of_their_people_once(org, pipeline):
    from kehu.notify.models import Message

    opportunity = new_opportunity(org.rep)
    entry = services.record_followup(org.rep, opportunity, kind="call", content="需求沟通")
    with pytest.raises(ValidationError) as refused:
        services.review_followup(org.rep, entry, "自己审阅")
    assert refused.value.messages == ["Only a manager of the author can review this follow-up."]
    reviewed = services.review_followup(org.manager, entry, "跟进及时")
    assert (reviewed.reviewed_by, reviewed.review_comment) == (org.manager, "跟进及时")
    with pytest.raises(ValidationError) as again:
        services.review_followup(org.director, entry)
    assert again.value.messages == ["This follow-up has already been reviewed."]
    assert Message.objects.get(recipient=org.rep).title == "华北经理 审阅了你的跟进"  # in the author's language


# --- win and loss -------------------------------------------------------------------------------------------
def test_won_sets_the_won_amount_and_date_and_fires_the_order_hook(org, pipeline):
    opportunity = new_opportunity(org.rep, amount="120000")
    heard = []
    domain_events.subscribe(services.events.WON)(heard.append)
    try:
        won = services.win(org.rep, opportunity, won_amount="118,000.50", note="年底签约")
    finally:
        domain_events._subscribers[services.events.WON].remove(heard.append)
    assert (won.status, won.won_amount, won.closed_on) == ("won", Decimal("118000.50"), timezone.localdate())
    assert won.rots_at is None
    assert StageHistory.objects.get(opportunity=won, stage=pipeline["lead"]).left_at is not None
    assert [e["opportunity"].pk for e in heard] == [won.pk]
    assert Opportunity.objects.won().counting().get() == won


def test_won_needs_an_amount_above_zero_and_a_date_not_in_the_future(org, pipeline):
    opportunity = new_opportunity(org.rep)
    with pytest.raises(ValidationError) as refused:
        services.win(org.rep, opportunity, won_amount="", closed_on=soon(1))
    assert refused.value.message_dict == {
        "won_amount": ["Enter the amount."],
        "closed_on": ["The close date cannot be in the future."],
    }
    with pytest.raises(ValidationError) as zero:
        services.win(org.rep, opportunity, won_amount="0")
    assert zero.value.message_dict == {"won_amount": ["Enter the amount won (more than 0)."]}
    assert Opportunity.objects.get(pk=opportunity.pk).status == "open"


def test_lost_needs_a_reason_the_competitor_who_won_and_a_note(org, pipeline):
    opportunity = new_opportunity(org.rep)
    with pytest.raises(ValidationError) as refused:
        services.lose(org.rep, opportunity, loss_reason=None, competitor=None, note="  ")
    assert refused.value.message_dict == {
        "loss_reason": ["Choose why it was lost."],
        "won_by_competitor": ["Choose the competitor who won (or “Other”)."],
        "result_note": ["Write what happened, for the team to learn from."],
    }
    industry = DictionaryItem.objects.get(dictionary__code="industry", code="it")
    with pytest.raises(ValidationError) as wrong:
        services.lose(org.rep, opportunity, loss_reason=industry.pk, competitor="x", note="价格")
    assert wrong.value.message_dict == {
        "loss_reason": ["Choose a value from the list."],
        "won_by_competitor": ["Choose a value from the list."],
    }
    lost = services.lose(
        org.rep,
        opportunity,
        loss_reason=item("loss_reason", "price"),
        competitor=item("competitor", "huaxin").pk,
        note="对方报价低 15%",
    )
    assert (lost.status, lost.loss_reason.code, lost.won_by_competitor.code, lost.result_note) == (
        "lost",
        "price",
        "huaxin",
        "对方报价低 15%",
    )
    assert lost.closed_on == timezone.localdate()


def test_a_closed_opportunity_cannot_be_edited_followed_up_or_closed_again(org, pipeline):
    opportunity = new_opportunity(org.rep)
    services.win(org.rep, opportunity, won_amount="10")
    with pytest.raises(ValidationError) as edit:
        services.update_opportunity(org.rep, opportunity, {"name": "改名"}, None)
    assert edit.value.messages == ["A won or lost opportunity cannot be edited; a manager may reopen it."]
    with pytest.raises(ValidationError) as again:
        services.win(org.rep, opportunity, won_amount="10")
    assert again.value.messages == ["This opportunity is already closed."]
    with pytest.raises(ValidationError):
        services.record_followup(org.rep, opportunity, kind="call", content="x")


# --- reopening ----------------------------------------------------------------------------------------------
def test_managers_reopen_with_a_reason_that_stays_in_the_trail(org, pipeline):
    from kehu.core.audit import audit_trail

    opportunity = new_opportunity(org.rep)
    services.lose(
        org.rep,
        opportunity,
        loss_reason=item("loss_reason", "budget"),
        competitor=item("competitor", "other"),
        note="预算取消",
    )
    with pytest.raises(PermissionDenied):
        services.reopen(org.rep, opportunity, "客户恢复预算")
    with pytest.raises(ValidationError) as no_reason:
        services.reopen(org.manager, opportunity, "  ")
    assert no_reason.value.message_dict == {"reason": ["Say why the opportunity is reopened."]}
    reopened = services.reopen(org.manager, opportunity, "客户恢复预算")
    assert (reopened.status, reopened.loss_reason, reopened.closed_on, reopened.result_note) == ("open", None, None, "")
    latest = audit_trail(reopened)[0]
    assert (latest.actor, latest.reason) == (org.manager, "Reopened (was Lost): 客户恢复预算")
    assert reopened.events.filter(kind="reopened", text="客户恢复预算", actor=org.manager).exists()
    assert StageHistory.objects.filter(opportunity=reopened, left_at__isnull=True).count() == 1
    with pytest.raises(ValidationError) as open_already:
        services.reopen(org.manager, reopened, "再来一次")
    assert open_already.value.messages == ["This opportunity is open already."]


def test_a_manager_reopens_only_within_their_scope(org, pipeline):
    from django.http import Http404

    opportunity = new_opportunity(org.rep_east)
    services.win(org.rep_east, opportunity, won_amount="10")
    with pytest.raises(Http404):
        services.reopen(org.manager, opportunity, "华北经理管不到华东")


# --- amounts ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("120000", "120000.00"),
        ("1,234,567.89", "1234567.89"),
        ("¥8,000", "8000.00"),
        ("１２０００", "12000.00"),
        ("0", "0.00"),
    ],
)
def test_amounts_are_decimals_with_two_places(typed, stored):
    assert services.clean_amount(typed) == Decimal(stored)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12万", "Enter the amount as a number such as 120000 or 120000.50."),
        ("NaN", "Enter the amount as a number such as 120000 or 120000.50."),
        ("1e3", None),
        ("-5", "The amount cannot be negative."),
        ("1000000000000", "The amount is too large: at most 999,999,999,999.99."),
        ("10.005", "Use at most two decimal places (fen)."),
        (10.5, "Enter the amount as a number such as 120000 or 120000.50."),
    ],
)
def test_bad_amounts_are_field_errors_never_floats(typed, message):
    if message is None:
        assert services.clean_amount(typed) == Decimal("1000.00")
        return
    with pytest.raises(ValidationError) as refused:
        services.clean_amount(typed)
    assert refused.value.message_dict == {"amount": [message]}


def test_a_bad_amount_on_create_writes_nothing(org, pipeline):
    with pytest.raises(ValidationError) as refused:
        new_opportunity(org.rep, amount="abc")
    assert refused.value.message_dict == {"amount": ["Enter the amount as a number such as 120000 or 120000.50."]}
    assert not Opportunity.objects.exists()


def test_an_expected_close_date_in_the_past_is_refused_and_one_that_passed_is_flagged(org, pipeline):
    with pytest.raises(ValidationError) as refused:
        new_opportunity(org.rep, expected_close_date=timezone.localdate() - timedelta(days=1))
    assert refused.value.message_dict == {
        "expected_close_date": ["The expected close date is in the past: enter when you now expect to close it."]
    }
    opportunity = new_opportunity(org.rep)
    Opportunity.objects.filter(pk=opportunity.pk).update(expected_close_date=timezone.localdate() - timedelta(days=3))
    opportunity.refresh_from_db()
    assert opportunity.is_overdue
    assert list(queries.apply_view(Opportunity.objects.all(), "overdue")) == [opportunity]
    # other edits stay possible while the passed date is kept; moving it forward clears the flag
    edited = services.update_opportunity(org.rep, opportunity, {"next_step": "确认新的签约时间"}, None)
    assert edited.is_overdue
    moved = services.update_opportunity(org.rep, edited, {"expected_close_date": soon(10)}, None)
    assert not moved.is_overdue


def test_the_decision_maker_must_be_a_contact_of_the_customer(org, pipeline):
    other = decision_maker(customer_of(org.rep))
    with pytest.raises(ValidationError) as refused:
        new_opportunity(org.rep, decision_maker=other)
    assert refused.value.message_dict == {"decision_maker": ["Choose a contact of this customer."]}


def test_an_opportunity_belongs_to_a_customer_the_rep_may_see(org, pipeline):
    theirs = customer_of(org.rep_east)
    with pytest.raises(ValidationError) as refused:
        new_opportunity(org.rep, theirs)
    assert refused.value.message_dict == {"customer": ["Choose one of your customers."]}
