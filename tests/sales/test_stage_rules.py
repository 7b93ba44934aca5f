"""The stage rules (kehu/sales/stages.py) through the services every entry point calls: gates with the list of
missing fields, moving back, only open opportunities move, rotting."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehu.core.locking import StaleEdit
from kehu.notify.models import Message
from kehu.sales import services, stages
from kehu.sales.models import Opportunity, OpportunityEvent, Stage
from tests.sales.conftest import customer_of, decision_maker, new_opportunity

pytestmark = pytest.mark.django_db


def test_entering_a_gated_stage_without_its_fields_is_refused_with_every_missing_field(org, pipeline):
    opportunity = new_opportunity(org.rep)
    with pytest.raises(ValidationError) as refused:
        services.move_stage(org.rep, opportunity, pipeline["proposal"], opportunity.version)
    assert refused.value.message_dict == {
        "stage": ["To enter “方案报价”, fill in: Amount, Decision maker."],
        "amount": ["Required to enter “方案报价”."],
        "decision_maker": ["Required to enter “方案报价”."],
    }
    opportunity.refresh_from_db()
    assert opportunity.stage == pipeline["lead"]
    assert opportunity.stage_history.count() == 1


def test_the_gate_names_only_what_is_missing_and_lets_the_opportunity_in_once_filled(org, pipeline):
    opportunity = new_opportunity(org.rep, amount="50000")
    with pytest.raises(ValidationError) as refused:
        services.move_stage(org.rep, opportunity, pipeline["proposal"], opportunity.version)
    assert refused.value.message_dict["stage"] == ["To enter “方案报价”, fill in: Decision maker."]
    assert set(refused.value.message_dict) == {"stage", "decision_maker"}
    maker = decision_maker(opportunity.customer)
    opportunity = services.update_opportunity(org.rep, opportunity, {"decision_maker": maker}, opportunity.version)
    moved = services.move_stage(org.rep, opportunity, pipeline["proposal"], opportunity.version)
    assert moved.stage == pipeline["proposal"]


def test_the_form_fills_and_moves_at_once_reading_the_values_being_saved(org, pipeline):
    customer = customer_of(org.rep)
    maker = decision_maker(customer)
    opportunity = new_opportunity(org.rep, customer)
    data = {"stage": pipeline["proposal"], "amount": "80000", "decision_maker": maker}
    saved = services.update_opportunity(org.rep, opportunity, data, opportunity.version)
    assert (saved.stage, saved.amount) == (pipeline["proposal"], Decimal("80000.00"))


def test_a_new_opportunity_may_start_in_a_later_stage_only_through_its_gate(org, pipeline):
    customer = customer_of(org.rep)
    with pytest.raises(ValidationError) as refused:
        new_opportunity(org.rep, customer, stage=pipeline["contract"])
    assert refused.value.message_dict["stage"] == ["To enter “合同”, fill in: Amount."]
    assert not Opportunity.objects.exists()
    created = new_opportunity(org.rep, customer, stage=pipeline["contract"], amount="1")
    assert created.stage == pipeline["contract"]


def test_relations_can_be_required_too(org, pipeline):
    pipeline["lead"].required_fields = ["competitors", "lines"]
    pipeline["lead"].save()
    with pytest.raises(ValidationError) as refused:
        new_opportunity(org.rep)
    assert refused.value.message_dict["stage"] == ["To enter “线索”, fill in: Competitors, Products of interest."]
    from kehu.core.models import DictionaryItem

    rival = DictionaryItem.objects.filter(dictionary__code="competitor").first()
    created = new_opportunity(org.rep, competitors=[rival.pk], lines=[{"description": "MES 系统"}])
    assert list(created.lines.values_list("description", flat=True)) == ["MES 系统"]


def test_moving_forward_and_back_into_a_stage_that_may_be_reentered(org, pipeline):
    customer = customer_of(org.rep)
    opportunity = new_opportunity(org.rep, customer, amount="1000", decision_maker=decision_maker(customer))
    opportunity = services.move_stage(org.rep, opportunity, pipeline["proposal"], opportunity.version)
    opportunity = services.move_stage(org.rep, opportunity, pipeline["lead"], opportunity.version)
    assert opportunity.stage == pipeline["lead"]


def test_moving_back_into_a_stage_that_may_not_be_reentered_is_refused(org, pipeline):
    final = Stage.objects.create(name="交付", position=40, probability=95)
    opportunity = new_opportunity(org.rep, amount="1000", stage=pipeline["contract"])
    opportunity = services.move_stage(org.rep, opportunity, final, opportunity.version)
    with pytest.raises(ValidationError) as refused:
        services.move_stage(org.rep, opportunity, pipeline["contract"], opportunity.version)
    assert refused.value.message_dict == {"stage": ["An opportunity cannot move back into “合同”."]}
    # moving back into a stage that may be re-entered is fine
    assert services.move_stage(org.rep, opportunity, pipeline["lead"], opportunity.version).stage == pipeline["lead"]


def test_forward_into_a_stage_that_may_not_be_reentered_is_a_normal_move(org, pipeline):
    opportunity = new_opportunity(org.rep, amount="1000")
    assert services.move_stage(org.rep, opportunity, pipeline["contract"], None).stage == pipeline["contract"]


def test_a_stage_no_longer_in_use_takes_no_opportunity(org, pipeline):
    pipeline["contract"].is_active = False
    pipeline["contract"].save()
    opportunity = new_opportunity(org.rep, amount="1000")
    with pytest.raises(ValidationError) as refused:
        services.move_stage(org.rep, opportunity, pipeline["contract"], None)
    assert refused.value.message_dict == {"stage": ["The stage “合同” is no longer in use."]}


def test_a_closed_opportunity_does_not_change_stage(org, pipeline):
    opportunity = new_opportunity(org.rep, amount="1000")
    services.win(org.rep, opportunity, won_amount="1000")
    with pytest.raises(ValidationError) as refused:
        services.move_stage(org.rep, opportunity, pipeline["contract"], None)
    assert refused.value.message_dict == {
        "stage": ["A won or lost opportunity does not change stage; a manager may reopen it first."]
    }


def test_a_stale_move_is_refused_naming_who_moved_it(org, pipeline):
    opportunity = new_opportunity(org.rep, amount="1000")
    seen = opportunity.version
    services.move_stage(org.manager, opportunity, pipeline["contract"], seen)
    with pytest.raises(StaleEdit) as stale:
        services.move_stage(org.rep, opportunity, pipeline["lead"], seen)
    assert str(stale.value).startswith("This record was changed by 华北经理 at ")
    opportunity.refresh_from_db()
    assert opportunity.stage == pipeline["contract"]


def test_moving_needs_change_rights(org, pipeline):
    from django.http import Http404

    opportunity = new_opportunity(org.rep, amount="1000")
    with pytest.raises(Http404):
        services.move_stage(org.rep_east, opportunity, pipeline["contract"], None)
    with pytest.raises(Http404):  # sees everything, may change nothing
        services.move_stage(org.everyone_viewer, opportunity, pipeline["contract"], None)


def test_an_unknown_stage_is_a_field_error(org, pipeline):
    opportunity = new_opportunity(org.rep)
    for value in ("abc", 999999):
        with pytest.raises(ValidationError) as refused:
            services.move_stage(org.rep, opportunity, value, None)
        assert refused.value.message_dict == {"stage": ["Choose a stage from the list."]}


def test_only_known_fields_can_be_required(org, pipeline):
    with pytest.raises(ValidationError) as refused:
        services.save_stage(
            org.admin, None, {"name": "新阶段", "probability": 20, "required_fields": ["owner", "amount"]}
        )
    assert refused.value.message_dict == {"required_fields": ["These fields cannot be required: owner."]}
    assert stages.clean_required_fields(["decision_maker", "amount", "amount"]) == ["amount", "decision_maker"]


# --- rotting -------------------------------------------------------------------------------------------------
def test_an_opportunity_rots_after_its_stages_threshold_without_progress(org, pipeline):
    opportunity = new_opportunity(org.rep)
    entered = opportunity.stage_entered_at
    assert opportunity.rots_at == entered + timedelta(days=7)
    assert list(Opportunity.objects.stalled(entered + timedelta(days=7) - timedelta(seconds=1))) == []
    assert list(Opportunity.objects.stalled(entered + timedelta(days=7))) == [opportunity]


def test_a_follow_up_or_a_stage_change_restarts_the_rotting_clock(org, pipeline):
    opportunity = new_opportunity(org.rep, amount="5")
    later = timezone.now() + timedelta(seconds=1)
    Opportunity.objects.filter(pk=opportunity.pk).update(rots_at=timezone.now() - timedelta(days=1))
    assert Opportunity.objects.stalled().count() == 1
    services.record_followup(org.rep, opportunity, kind="call", content="谈了预算")
    opportunity.refresh_from_db()
    assert opportunity.rots_at > later + timedelta(days=6)
    assert Opportunity.objects.stalled().count() == 0
    moved = services.move_stage(org.rep, opportunity, pipeline["contract"], None)
    assert moved.rots_at is None  # the contract stage never rots


def test_a_stage_without_a_threshold_never_rots_and_a_closed_opportunity_is_not_stalled(org, pipeline):
    opportunity = new_opportunity(org.rep, amount="5", stage=pipeline["contract"])
    assert opportunity.rots_at is None
    other = new_opportunity(org.rep, amount="5")
    Opportunity.objects.filter(pk=other.pk).update(rots_at=timezone.now() - timedelta(days=1))
    services.win(org.rep, other, won_amount="5")
    assert Opportunity.objects.stalled().count() == 0


def test_stalled_opportunities_get_one_warning_event_and_their_owner_a_message(org, pipeline):
    opportunity = new_opportunity(org.rep)
    due = opportunity.rots_at
    assert services.warn_stalled(due - timedelta(seconds=1)) == 0
    assert services.warn_stalled(due) == 1
    assert services.warn_stalled(due + timedelta(days=1)) == 0  # once per stall
    event = OpportunityEvent.objects.get(opportunity=opportunity, kind="stalled")
    assert event.text == "7 天没有进展"  # written by the nightly task in the site's language
    message = Message.objects.get(recipient=org.rep)  # in the owner's language (the default here)
    assert message.title == "商机停滞：ERP 升级"
    assert message.link == f"/opportunities/{opportunity.pk}/"


def test_changing_a_threshold_recomputes_when_its_opportunities_rot(org, pipeline):
    opportunity = new_opportunity(org.rep)
    lead = pipeline["lead"]
    services.save_stage(org.admin, lead, {"rotting_days": 30}, lead.version)
    opportunity.refresh_from_db()
    assert opportunity.rots_at == opportunity.last_activity_at + timedelta(days=30)
    lead = Stage.objects.get(pk=lead.pk)
    services.save_stage(org.admin, lead, {"rotting_days": None}, lead.version)
    opportunity.refresh_from_db()
    assert opportunity.rots_at is None


def test_only_ops_change_stages(org, pipeline):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.save_stage(org.rep, pipeline["lead"], {"name": "改名"})


def test_the_hourly_task_warns_stalled_opportunities_once(org, pipeline):
    from kehu.sales import tasks

    opportunity = new_opportunity(org.rep)
    Opportunity.objects.filter(pk=opportunity.pk).update(rots_at=timezone.now() - timedelta(minutes=1))
    assert tasks.warn_stalled_opportunities.call_local() == {"warned": 1}
    assert tasks.warn_stalled_opportunities.call_local() == {"warned": 0}
