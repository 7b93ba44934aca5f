"""A new opportunity as the approvable document "sales.opportunity": with a flow "amount > 1,000,000 → director"
(default: end), a small one is effective at once and a large one waits; until approved it counts nowhere."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kehu.approvals import services as approvals
from kehu.approvals.models import FlowInstance
from kehu.sales import services
from kehu.sales.models import Opportunity
from tests.approvals.helpers import approval, flow, holders, people, publish, task_of
from tests.sales.conftest import new_opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_deals_to_the_director(org):
    graph = flow(
        {
            "b1": {
                "type": "branch",
                "name": "金额",
                "branches": [
                    {"name": "大单", "condition": {"field": "amount", "op": "gt", "value": 1000000}, "next": "n1"}
                ],
                "default": "end",
            },
            "n1": approval("销售总监", people(org.director), editable_fields=["amount"]),
        },
        start="b1",
    )
    return publish(org.admin, graph, doc_type="sales.opportunity", name="大额商机审批")


def instance_of(opportunity):
    return FlowInstance.objects.filter(doc_type="sales.opportunity", object_id=opportunity.pk).get()


def test_without_a_flow_a_new_opportunity_counts_at_once(org, pipeline):
    opportunity = new_opportunity(org.rep, amount="2000000")
    assert opportunity.approval_status == "active"
    assert list(Opportunity.objects.counting()) == [opportunity]


def test_a_small_opportunity_passes_the_branch_to_the_end_and_counts(org, pipeline, big_deals_to_the_director):
    opportunity = new_opportunity(org.rep, amount="1000000")
    assert opportunity.approval_status == "active"
    assert instance_of(opportunity).state == "approved"
    assert Opportunity.objects.counting().count() == 1


def test_a_large_opportunity_waits_for_the_director_and_counts_nowhere_until_approved(
    org, pipeline, big_deals_to_the_director
):
    opportunity = new_opportunity(org.rep, amount="1000000.01")
    assert opportunity.approval_status == "pending"
    instance = instance_of(opportunity)
    assert holders(instance) == ["director"]
    assert Opportunity.objects.counting().count() == 0
    assert Opportunity.objects.visible_to(org.rep).count() == 1  # the rep still sees it
    with pytest.raises(ValidationError) as locked:
        services.update_opportunity(org.rep, opportunity, {"name": "改名"}, None)
    assert locked.value.messages == ["This opportunity is in approval and cannot be changed until the approval ends."]
    with pytest.raises(ValidationError):
        services.move_stage(org.rep, opportunity, pipeline["contract"], None)
    approvals.approve(org.director, task_of(org.director, instance).pk, "同意", changes={"amount": "1200000"})
    opportunity.refresh_from_db()
    assert (opportunity.approval_status, opportunity.amount) == ("active", Decimal("1200000.00"))
    assert Opportunity.objects.counting().get() == opportunity
    assert opportunity.events.filter(kind="approved").exists()


def test_a_rejected_opportunity_is_a_draft_that_counts_nowhere_and_may_be_resubmitted(
    org, pipeline, big_deals_to_the_director
):
    opportunity = new_opportunity(org.rep, amount="5000000")
    instance = instance_of(opportunity)
    approvals.reject(org.director, task_of(org.director, instance).pk, "金额虚高")
    opportunity.refresh_from_db()
    assert opportunity.approval_status == "draft"
    assert Opportunity.objects.counting().count() == 0
    with pytest.raises(ValidationError) as not_yet:
        services.win(org.rep, opportunity, won_amount="1")
    assert not_yet.value.messages == ["An opportunity is closed once its approval has passed."]
    edited = services.update_opportunity(org.rep, opportunity, {"amount": "900000"}, None)
    resubmitted = services.submit_opportunity(org.rep, edited)
    assert resubmitted.approval_status == "active"  # now under the threshold: the branch ends the flow


def test_approvers_may_correct_only_the_amount_and_date_with_the_amount_rules(org, pipeline, big_deals_to_the_director):
    opportunity = new_opportunity(org.rep, amount="3000000")
    with pytest.raises(ValidationError) as refused:
        opportunity.clean_approval_changes({"amount": "-1", "name": "x"})
    assert refused.value.message_dict == {
        "amount": ["The amount cannot be negative."],
        "name": ["You cannot change this field at this step."],
    }
