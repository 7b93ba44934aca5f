"""The pool's pages: the list and a pool customer's page, claim / release / assign, the customer page's
buttons, the preview, the rules and limits settings, and the workbench to-do."""

import itertools
from datetime import timedelta

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from kehu.customers import pool, services
from kehu.customers.models import Customer, CustomerLimit, CustomerShare, PoolEvent, PoolRule
from kehu.customers.pool_forms import LimitFormSet, PoolRuleFormSet
from kehu.org.models import Role, User

NUMBERS = itertools.count(1)


@pytest.fixture(autouse=True)
def english(org, client):
    User.objects.update(language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def pool_customer(name, **fields):
    customer = Customer.objects.create(
        number=f"CU-Q-{next(NUMBERS):04d}", name=name, name_normalized=name, released_at=timezone.now(), **fields
    )
    customer.contacts.create(name="王主任", title="采购经理", mobile="13912345678")
    return customer


def text(response):
    return response.content.decode()


def test_the_pool_list_shows_pool_customers_as_cards_with_their_reason(client, org):
    customer = pool_customer("公海甲", previous_owner=org.rep_east)
    PoolEvent.objects.create(
        customer=customer, kind="released", actor=org.rep_east, owner=org.rep_east, reason="预算取消"
    )
    owned = services.create_customer(org.rep, {"name": "自己的客户"})
    client.force_login(org.rep)
    page = text(client.get(reverse("customers:pool")))
    assert "公海甲" in page and customer.number in page
    assert "预算取消" in page and "华东销售" in page
    assert owned.number not in page
    assert 'class="table table-hover table-cards"' in page
    assert reverse("customers:pool_detail", args=[customer.pk]) in page
    assert reverse("customers:pool_claim", args=[customer.pk]) in page


def test_the_pool_list_filters_with_the_customer_filters(client, org, levels):
    pool_customer("北京致远科技", level=levels["a"])
    pool_customer("上海远航贸易", level=levels["c"])
    client.force_login(org.rep)
    assert "北京致远科技" not in text(client.get(reverse("customers:pool"), {"q": "shyh"}))
    page = text(client.get(reverse("customers:pool"), {"level": levels["a"].pk}))
    assert "北京致远科技" in page and "上海远航贸易" not in page


def test_who_sees_what_on_the_pool_list(client, org):
    customer = pool_customer("公海甲")
    client.force_login(org.chosen_viewer)  # may view customers, may not add: no claim button
    page = text(client.get(reverse("customers:pool")))
    assert "公海甲" in page and reverse("customers:pool_claim", args=[customer.pk]) not in page
    client.force_login(org.nobody)
    assert client.get(reverse("customers:pool")).status_code == 403


def test_the_empty_pool_says_so(client, org):
    client.force_login(org.rep)
    assert "The public pool is empty." in text(client.get(reverse("customers:pool")))


def test_a_pool_customers_page_names_contacts_but_not_their_numbers(client, org):
    customer = pool_customer("公海甲")
    client.force_login(org.rep)
    page = text(client.get(reverse("customers:pool_detail", args=[customer.pk])))
    assert "王主任" in page and "采购经理" in page
    assert "13912345678" not in page
    owned = services.create_customer(org.rep_east, {"name": "华东客户"})
    assert client.get(reverse("customers:pool_detail", args=[owned.pk])).status_code == 404


def test_claiming_from_the_page_opens_the_customer(client, org):
    customer = pool_customer("公海甲")
    client.force_login(org.rep)
    response = client.post(reverse("customers:pool_claim", args=[customer.pk]))
    assert response.status_code == 302 and response.url == reverse("customers:detail", args=[customer.pk])
    assert Customer.objects.get(pk=customer.pk).owner == org.rep
    page = text(client.get(response.url, {"tab": "contacts"}))
    assert "13912345678" in page  # the owner sees the numbers


def test_the_loser_of_a_claim_is_told_who_won(client, org):
    customer = pool_customer("公海甲")
    pool.claim(org.rep_bj, customer)
    client.force_login(org.rep)
    response = client.post(reverse("customers:pool_claim", args=[customer.pk]), follow=True)
    assert "Too late: 北京销售 took this customer from the pool at" in text(response)
    assert Customer.objects.get(pk=customer.pk).owner == org.rep_bj


def test_a_cap_refusal_is_shown_on_the_list(client, org):
    CustomerLimit.objects.create(role=Role.objects.get(code="t_rep"), max_claims_per_day=0)
    customer = pool_customer("公海甲")
    client.force_login(org.rep)
    page = text(client.get(reverse("customers:pool")))
    assert "You can claim 0 more customers today." in page
    response = client.post(reverse("customers:pool_claim", args=[customer.pk]), follow=True)
    assert "You have claimed 0 customers today; the daily limit is 0." in text(response)


def test_batch_claim_and_assign(client, org):
    first, second, third = pool_customer("甲"), pool_customer("乙"), pool_customer("丙")
    client.force_login(org.rep)
    response = client.post(reverse("customers:pool_claim_many"), {"ids": [first.pk, second.pk]}, follow=True)
    assert "2 customers claimed." in text(response)
    client.force_login(org.admin)
    response = client.post(
        reverse("customers:pool_assign"), {"ids": [second.pk, third.pk], "to_user": org.rep_bj.pk}, follow=True
    )
    assert "1 customers assigned to 北京销售." in text(response)
    assert "1 were no longer in the pool and were skipped." in text(response)
    assert dict(Customer.objects.values_list("name", "owner__username")) == {"甲": "rep", "乙": "rep", "丙": "rep_bj"}
    client.force_login(org.rep)
    assert client.post(reverse("customers:pool_assign"), {"ids": [first.pk], "to_user": org.rep.pk}).status_code == 403


def test_the_customer_page_offers_release_to_those_who_may_and_claim_in_the_pool(client, org):
    customer = services.create_customer(org.rep_bj, {"name": "北京客户"})
    CustomerShare.objects.create(customer=customer, user=org.rep, can_edit=True)
    release = reverse("customers:pool_release", args=[customer.pk])
    client.force_login(org.rep_bj)
    assert release in text(client.get(customer.get_absolute_url()))
    client.force_login(org.manager)
    assert release in text(client.get(customer.get_absolute_url()))
    client.force_login(org.rep)  # an editable share is not enough
    assert release not in text(client.get(customer.get_absolute_url()))
    in_the_pool = pool_customer("公海甲")
    client.force_login(org.admin)  # scope "all" reaches pool customers' full page too
    assert reverse("customers:pool_claim", args=[in_the_pool.pk]) in text(client.get(in_the_pool.get_absolute_url()))


def test_releasing_from_the_customer_page(client, org):
    customer = services.create_customer(org.rep, {"name": "甲公司"})
    client.force_login(org.rep)
    url = reverse("customers:pool_release", args=[customer.pk])
    response = client.post(url, {"reason": ""}, follow=True)
    assert "Say why the customer goes back to the pool." in text(response)
    assert Customer.objects.get(pk=customer.pk).owner == org.rep
    response = client.post(url, {"reason": "没有预算"})
    assert response.status_code == 302 and response.url == reverse("customers:mine")
    customer.refresh_from_db()
    assert customer.in_pool and customer.previous_owner == org.rep
    assert client.get(reverse("customers:pool_detail", args=[customer.pk])).status_code == 200
    client.force_login(org.rep_east)
    other = services.create_customer(org.rep_bj, {"name": "乙公司"})
    assert client.post(reverse("customers:pool_release", args=[other.pk]), {"reason": "x"}).status_code == 404


def test_a_share_holder_is_refused_with_a_message(client, org):
    customer = services.create_customer(org.rep_bj, {"name": "乙公司"})
    CustomerShare.objects.create(customer=customer, user=org.rep, can_edit=True)
    client.force_login(org.rep)
    response = client.post(reverse("customers:pool_release", args=[customer.pk]), {"reason": "x"}, follow=True)
    assert "Only the owner or a manager in charge can put this customer into the pool." in text(response)
    assert Customer.objects.get(pk=customer.pk).owner == org.rep_bj


def test_batch_release_from_a_list(client, org):
    mine = [services.create_customer(org.rep, {"name": n}) for n in ("甲", "乙")]
    east = services.create_customer(org.rep_east, {"name": "丙"})
    client.force_login(org.rep)
    data = {"ids": [mine[0].pk, mine[1].pk, east.pk], "reason": "年底清理", "next": reverse("customers:mine")}
    response = client.post(reverse("customers:pool_release_many"), data, follow=True)
    assert "2 customers put into the public pool." in text(response)
    assert "1 skipped: not yours to release, or already in the pool." in text(response)
    assert list(Customer.objects.filter(owner__isnull=True).order_by("pk").values_list("name", flat=True)) == [
        "甲",
        "乙",
    ]


def test_the_preview_page_is_for_managers_and_shows_their_scope(client, org, levels):
    long_ago = timezone.now() - timedelta(days=40)
    customers = {}
    for person, name in ((org.rep, "华北久未跟进"), (org.rep_east, "华东久未跟进")):
        customers[name] = Customer.objects.create(
            number=f"CU-Q-{next(NUMBERS):04d}",
            name=name,
            name_normalized=name,
            owner=person,
            owner_department=person.department,
            level=levels["c"],
            created_at=long_ago,
            owned_since=long_ago,
        )
    client.force_login(org.manager)
    page = text(client.get(reverse("customers:pool_preview")))
    assert "华北久未跟进" in page and "华东久未跟进" not in page
    assert "No follow-up for 30 days" in page
    client.force_login(org.rep)
    assert client.get(reverse("customers:pool_preview")).status_code == 403


def form_data(*formsets) -> dict:
    """What the settings page posts back unchanged."""
    data = {}
    for formset in formsets:
        for form in [formset.management_form, *formset.forms]:
            for name, field in form.fields.items():
                value = form[name].value()
                if isinstance(field, forms.BooleanField):
                    if value:
                        data[form.add_prefix(name)] = "on"
                elif value is not None:
                    data[form.add_prefix(name)] = value
    return data


def settings_form_data():
    rules = PoolRuleFormSet(
        queryset=PoolRule.objects.select_related("level").order_by("level__sort_order", "level_id"), prefix="rules"
    )
    from kehu.customers.pool_views import _limit_initial

    return form_data(rules, LimitFormSet(initial=_limit_initial(), prefix="limits")), list(rules.queryset)


def test_the_settings_page_edits_rules_and_limits(client, org, levels):
    data, rules = settings_form_data()
    default = next(n for n, rule in enumerate(rules) if rule.level_id is None)
    data[f"rules-{default}-days_without_followup"] = 45
    new = len(rules)
    data.update({f"rules-{new}-level": levels["b"].pk, f"rules-{new}-days_without_followup": 50})
    data.update(
        {f"rules-{new}-warn_days_before": 2, f"rules-{new}-reclaim_block_days": 7, f"rules-{new}-is_active": "on"}
    )
    roles = list(Role.objects.order_by("id"))
    rep_row = roles.index(Role.objects.get(code="t_rep"))
    data.update({f"limits-{rep_row}-max_owned": 100, f"limits-{rep_row}-max_claims_per_day": 5})
    client.force_login(org.admin)
    response = client.post(reverse("customers:pool_settings"), data)
    assert response.status_code == 302, text(response)
    assert PoolRule.objects.get(level__isnull=True).days_without_followup == 45
    rule_b = PoolRule.objects.get(level=levels["b"])
    assert (rule_b.days_without_followup, rule_b.warn_days_before, rule_b.reclaim_block_days) == (50, 2, 7)
    assert rule_b.history.first().history_user == org.admin
    limit = CustomerLimit.objects.get(role__code="t_rep")
    assert (limit.max_owned, limit.max_claims_per_day) == (100, 5)


def test_the_settings_page_answers_bad_input_next_to_the_field_and_saves_nothing(client, org, levels):
    data, rules = settings_form_data()
    default = next(n for n, rule in enumerate(rules) if rule.level_id is None)
    data[f"rules-{default}-days_without_followup"] = 5
    data[f"rules-{default}-warn_days_before"] = 5
    data[f"rules-{default}-reclaim_block_days"] = "很多"
    data["limits-0-max_owned"] = -1
    client.force_login(org.admin)
    response = client.post(reverse("customers:pool_settings"), data)
    assert response.status_code == 200
    page = text(response)
    assert "Enter a whole number." in page
    assert "Ensure this value is greater than or equal to 0." in page
    assert PoolRule.objects.get(level__isnull=True).days_without_followup == 60
    data[f"rules-{default}-reclaim_block_days"] = 30
    data["limits-0-max_owned"] = ""
    page = text(client.post(reverse("customers:pool_settings"), data))
    assert "Warn fewer days ahead than the return period (5)." in page
    assert PoolRule.objects.get(level__isnull=True).days_without_followup == 60


def test_the_settings_page_has_no_not_applied_note_any_more_and_is_for_ops_only(client, org):
    client.force_login(org.admin)
    page = text(client.get(reverse("customers:pool_settings")))
    assert "Days without a new opportunity" in page
    assert "not applied" not in page
    client.force_login(org.manager)
    assert client.get(reverse("customers:pool_settings")).status_code == 403


def test_the_workbench_lists_my_customers_about_to_return(client, org, levels):
    soon = timezone.now() - timedelta(days=28)  # level C: 30 days, warned 3 days ahead
    Customer.objects.create(
        number="CU-Q-SOON",
        name="快到期客户",
        name_normalized="快到期客户",
        owner=org.rep,
        owner_department=org.north,
        level=levels["c"],
        created_at=soon,
        owned_since=soon,
    )
    client.force_login(org.rep)
    page = text(client.get(reverse("core:workbench")))
    assert "Going back to the public pool soon" in page and "快到期客户" in page
    client.force_login(org.rep_bj)
    assert "快到期客户" not in text(client.get(reverse("core:workbench")))


def test_the_menu_has_the_pool_for_everyone_and_its_settings_for_ops(org):
    from kehu.core.menus import menu_for

    def keys(user):
        return {e.key for g in menu_for(User.objects.get(pk=user.pk)) for e in g["entries"]}

    assert "public_pool" in keys(org.rep) and "pool_settings" not in keys(org.rep)
    assert {"public_pool", "pool_settings"} <= keys(org.admin)
    assert "public_pool" not in keys(org.nobody)
