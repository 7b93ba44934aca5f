"""Opportunities on the customer side, through the registry customers offer: the customer page's tab and
timeline; transfers, leaver handovers and merges move the customer's opportunities; the pool's "days without a
new opportunity" rule counts from real opportunities."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.customers import pool
from kehu.customers import services as customer_services
from kehu.customers.models import Customer, PoolRule
from kehu.sales import services
from kehu.sales.models import Opportunity
from tests.sales.conftest import customer_of, new_opportunity

pytestmark = pytest.mark.django_db


def owners(*opportunities):
    return [Opportunity.objects.get(pk=o.pk).owner.username for o in opportunities]


def test_a_bulk_transfer_of_customers_moves_their_open_opportunities_only(org, pipeline):
    customer = customer_of(org.rep)
    open_one = new_opportunity(org.rep, customer)
    won = new_opportunity(org.rep, customer)
    services.win(org.rep, won, won_amount="100")
    elsewhere = new_opportunity(org.rep)  # another customer of the rep: stays
    customer_services.transfer_customers(org.manager, [customer.pk], org.rep_bj, "区域调整")
    assert owners(open_one, won, elsewhere) == ["rep_bj", "rep", "rep"]
    moved = Opportunity.objects.get(pk=open_one.pk)
    assert moved.owner_department == org.beijing
    assert moved.version == open_one.version + 1  # a form opened before is refused as stale
    assert moved.events.filter(kind="transferred", text="区域调整", actor=org.manager).exists()


def test_a_leaver_handover_moves_the_open_opportunities_with_the_customers(org, pipeline):
    first, second = new_opportunity(org.rep), new_opportunity(org.rep)
    lost = new_opportunity(org.rep)
    services.lose(org.rep, lost, loss_reason=_item("loss_reason"), competitor=_item("competitor"), note="丢单")
    customer_services.hand_over(org.manager, org.rep, org.rep_bj)
    assert owners(first, second, lost) == ["rep_bj", "rep_bj", "rep"]
    text = "Handed over from 华北销售 to 北京销售"
    assert Opportunity.objects.get(pk=first.pk).events.filter(kind="transferred", text=text).exists()


def test_a_handover_that_fails_moves_no_opportunity(org, pipeline):
    from django.http import Http404

    opportunity = new_opportunity(org.rep_east)
    with pytest.raises(Http404):  # the manager of the north has none of the east's customers in scope
        customer_services.hand_over(org.manager, org.rep_east, org.rep)
    assert owners(opportunity) == ["rep_east"]


def test_a_merge_moves_every_opportunity_of_the_duplicate_with_its_timeline(org, pipeline):
    keep, duplicate = customer_of(org.rep, "致远科技"), customer_of(org.rep, "致远科技有限公司")
    open_one = new_opportunity(org.rep, duplicate)
    won = new_opportunity(org.rep, duplicate)
    services.win(org.rep, won, won_amount="10")
    customer_services.merge_customers(org.admin, keep, duplicate)
    assert set(Opportunity.objects.filter(customer=keep).values_list("pk", flat=True)) == {open_one.pk, won.pk}
    assert not Opportunity.objects.filter(customer=duplicate).exists()
    from kehu.customers.queries import timeline_for

    kinds = [(e["kind"], e["obj"].kind) for e in timeline_for(keep) if e["kind"] == "opportunity"]
    assert sorted(kinds) == [("opportunity", "created"), ("opportunity", "created"), ("opportunity", "won")]


def test_transferring_opportunities_themselves(org, pipeline):
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404

    mine = new_opportunity(org.rep)
    theirs = new_opportunity(org.rep_east)
    with pytest.raises(PermissionDenied):
        services.transfer_opportunities(org.rep, [mine.pk], org.rep_bj)
    with pytest.raises(Http404):  # one outside the scope: nothing moves
        services.transfer_opportunities(org.manager, [mine.pk, theirs.pk], org.rep_bj)
    assert owners(mine) == ["rep"]
    org.rep_east.status, org.rep_east.is_active = "left", False
    org.rep_east.save()
    with pytest.raises(ValidationError) as left:
        services.transfer_opportunities(org.manager, [mine.pk], org.rep_east)
    assert left.value.message_dict == {"to_user": ["The new owner has left the company."]}
    with pytest.raises(ValidationError) as no_access:
        services.transfer_opportunities(org.manager, [mine.pk], org.nobody)
    assert no_access.value.message_dict == {"to_user": ["The new owner has no access to opportunities."]}
    summary = services.transfer_opportunities(org.manager, [mine.pk], org.rep_bj, "重新分配")
    assert (summary.moved, owners(mine)) == (1, ["rep_bj"])


def test_team_members_see_the_opportunity_and_those_who_may_edit_change_it(org, pipeline):
    from django.http import Http404

    opportunity = new_opportunity(org.rep_east)
    services.set_members(org.rep_east, opportunity, [(org.rep, False), (org.rep_bj, True)])
    assert Opportunity.objects.visible_to(org.rep).filter(pk=opportunity.pk).exists()
    with pytest.raises(Http404):
        services.get_opportunity_for_user(org.rep, opportunity.pk, "change")
    assert services.get_opportunity_for_user(org.rep_bj, opportunity.pk, "change") == opportunity


def test_the_customer_page_has_an_opportunities_tab_and_the_timeline_shows_stage_changes_and_results(
    client, org, pipeline
):
    customer = customer_of(org.rep, "华夏制造")
    opportunity = new_opportunity(org.rep, customer, name="MES 一期", amount="300000")
    services.move_stage(org.rep, opportunity, pipeline["contract"], None)
    services.win(org.rep, opportunity, won_amount="280000")
    new_opportunity(org.manager, customer_of(org.manager), name="别家商机")  # another customer's: not on this page
    client.force_login(org.rep)
    page = client.get(reverse("customers:detail", args=[customer.pk]), {"tab": "opportunities"}).content.decode()
    assert "MES 一期" in page
    assert "别家商机" not in page
    assert '<span class="badge text-bg-light">1</span>' in page
    assert "¥300,000.00" in page
    timeline = client.get(reverse("customers:detail", args=[customer.pk]), {"tab": "timeline"}).content.decode()
    assert "线索 → 合同" in timeline
    assert "¥280,000.00" in timeline
    client.force_login(org.nobody)
    assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 404


def test_without_opportunities_access_the_customer_page_has_no_opportunities_tab(client, org, pipeline):
    from tests.factories import UserFactory, make_role

    role = make_role("t_customers_only", {"customers": (("view",), "all")})
    reader = UserFactory(username="reader", name="只看客户", department=org.ops, roles=[role])
    customer = customer_of(org.rep)
    new_opportunity(org.rep, customer)
    client.force_login(reader)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "?tab=opportunities" not in page


# --- the pool's "days without a new opportunity" rule ---------------------------------------------------------
def test_the_pool_returns_a_customer_without_a_new_opportunity_for_the_rules_days(org, pipeline):
    PoolRule.objects.all().delete()
    PoolRule.objects.create(level=None, days_without_followup=None, days_without_opportunity=30, warn_days_before=3)
    now = timezone.now()
    idle = customer_of(org.rep, "久无商机")
    active = customer_of(org.rep, "新近商机")
    Customer.objects.filter(pk__in=[idle.pk, active.pk]).update(owned_since=now - timedelta(days=40))
    new_opportunity(org.rep, active)  # created now: the clock restarts
    old = new_opportunity(org.rep, idle)
    Opportunity.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=31))
    returned = pool.auto_return(now=now)
    assert [(p.customer.name, p.cause, p.days) for p in returned] == [("久无商机", "opportunity", 30)]
    assert Customer.objects.get(pk=idle.pk).owner is None
    assert Customer.objects.get(pk=active.pk).owner == org.rep


def _item(code):
    from kehu.core.models import DictionaryItem

    return DictionaryItem.objects.filter(dictionary__code=code).order_by("pk").first()
