"""Settings of the public pool as services: saving and deleting rules, the caps per role, who may change them,
and the reclaim block a rule sets. Seeded rules: level A 90 days, level C 30 days, the default rule 60 days."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kehu.core.models import DictionaryItem
from kehu.customers import pool_rules
from kehu.customers.models import Customer, CustomerLimit, PoolRule
from kehu.org.models import Role

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def rule_data(**values):
    data = {"days_without_followup": 30, "warn_days_before": 3, "reclaim_block_days": 10, "is_active": True}
    return {**data, **values}


def refused(call, *args, **kwargs) -> dict:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.message_dict


# --- saving a rule ------------------------------------------------------------------------------------
def test_ops_create_a_rule_for_a_level_without_one(org, levels):
    rule = pool_rules.save_pool_rule(org.admin, None, rule_data(level=levels["b"], days_without_opportunity=20))
    stored = PoolRule.objects.get(pk=rule.pk)
    assert (stored.level, stored.days_without_followup, stored.days_without_opportunity) == (levels["b"], 30, 20)
    assert (stored.warn_days_before, stored.reclaim_block_days, stored.is_active) == (3, 10, True)
    assert stored.history.latest().history_user == org.admin


def test_only_people_who_manage_customers_may_save_or_delete_rules(org, levels):
    rule_a = PoolRule.objects.get(level=levels["a"])
    for person in (org.director, org.rep):
        with pytest.raises(PermissionDenied):
            pool_rules.save_pool_rule(person, None, rule_data(level=levels["b"]))
        with pytest.raises(PermissionDenied):
            pool_rules.save_pool_rule(person, rule_a, rule_data(days_without_followup=5, warn_days_before=1))
        with pytest.raises(PermissionDenied):
            pool_rules.delete_pool_rule(person, rule_a)
    assert not PoolRule.objects.filter(level=levels["b"]).exists()
    assert PoolRule.objects.get(pk=rule_a.pk).days_without_followup == 90


def test_a_second_rule_for_a_level_is_refused(org, levels):
    assert refused(pool_rules.save_pool_rule, org.admin, None, rule_data(level=levels["a"])) == {
        "level": ["This level already has a rule."]
    }
    assert PoolRule.objects.filter(level=levels["a"]).count() == 1


def test_a_second_default_rule_is_refused(org):
    assert refused(pool_rules.save_pool_rule, org.admin, None, rule_data(level=None)) == {
        "level": ["Choose the customer level this rule is for."]
    }
    assert refused(pool_rules.save_pool_rule, org.admin, None, rule_data()) == {
        "level": ["Choose the customer level this rule is for."]
    }
    assert PoolRule.objects.filter(level__isnull=True).count() == 1


def test_the_default_rule_can_be_created_when_there_is_none(org):
    PoolRule.objects.filter(level__isnull=True).delete()
    rule = pool_rules.save_pool_rule(org.admin, None, rule_data(level=None, days_without_followup=45))
    assert (rule.level, PoolRule.objects.get(level__isnull=True).days_without_followup) == (None, 45)


def test_a_level_must_be_an_active_customer_level(org, levels, industry):
    assert refused(pool_rules.save_pool_rule, org.admin, None, rule_data(level=industry)) == {
        "level": ["Choose a value from the list."]
    }
    DictionaryItem.objects.filter(pk=levels["b"].pk).update(is_active=False)
    levels["b"].refresh_from_db()
    assert refused(pool_rules.save_pool_rule, org.admin, None, rule_data(level=levels["b"])) == {
        "level": ["Choose a value from the list."]
    }


def test_a_rules_level_never_changes(org, levels):
    rule_a = PoolRule.objects.get(level=levels["a"])
    pool_rules.save_pool_rule(org.admin, rule_a, rule_data(level=levels["b"], days_without_followup=80))
    stored = PoolRule.objects.get(pk=rule_a.pk)
    assert (stored.level, stored.days_without_followup) == (levels["a"], 80)
    assert not PoolRule.objects.filter(level=levels["b"]).exists()


@pytest.mark.parametrize("name", ["days_without_followup", "days_without_opportunity"])
def test_a_return_period_is_at_least_one_day_or_none(org, levels, name):
    errors = refused(pool_rules.save_pool_rule, org.admin, None, rule_data(level=levels["b"], **{name: 0}))
    assert errors[name] == ["Enter at least 1 day, or leave it empty for no limit."]
    values = {name: 1, "warn_days_before": 0}
    assert getattr(pool_rules.save_pool_rule(org.admin, None, rule_data(level=levels["b"], **values)), name) == 1
    rule = PoolRule.objects.get(level=levels["b"])
    assert getattr(pool_rules.save_pool_rule(org.admin, rule, rule_data(**{name: None})), name) is None


def test_the_warning_comes_fewer_days_ahead_than_the_return(org, levels):
    for warn in (30, 31):
        assert refused(
            pool_rules.save_pool_rule, org.admin, None, rule_data(level=levels["b"], warn_days_before=warn)
        ) == {"warn_days_before": ["Warn fewer days ahead than the return period (30)."]}
    rule = pool_rules.save_pool_rule(org.admin, None, rule_data(level=levels["b"], warn_days_before=29))
    assert rule.warn_days_before == 29


def test_without_warning_days_the_owner_is_not_warned(org, levels):
    data = rule_data(level=levels["b"])
    del data["warn_days_before"]
    assert pool_rules.save_pool_rule(org.admin, None, data).warn_days_before == 0
    rule = PoolRule.objects.get(level=levels["b"])
    assert pool_rules.save_pool_rule(org.admin, rule, rule_data(warn_days_before=None)).warn_days_before == 0


def test_warning_days_without_a_follow_up_period_are_kept(org, levels):
    rule = pool_rules.save_pool_rule(
        org.admin, None, rule_data(level=levels["b"], days_without_followup=None, warn_days_before=40)
    )
    assert (rule.days_without_followup, rule.warn_days_before) == (None, 40)


def test_the_reclaim_block_needs_a_number_of_days_and_zero_means_none(org, levels):
    assert refused(
        pool_rules.save_pool_rule, org.admin, None, rule_data(level=levels["b"], reclaim_block_days=None)
    ) == {"reclaim_block_days": ["Enter a number of days (0 for none)."]}
    assert pool_rules.save_pool_rule(org.admin, None, rule_data(level=levels["b"], reclaim_block_days=0)).pk


def test_every_problem_of_a_rule_is_reported_at_once(org, levels):
    data = rule_data(level=levels["a"], days_without_followup=0, reclaim_block_days=None)
    assert refused(pool_rules.save_pool_rule, org.admin, None, data) == {
        "level": ["This level already has a rule."],
        "days_without_followup": ["Enter at least 1 day, or leave it empty for no limit."],
        "warn_days_before": ["Warn fewer days ahead than the return period (0)."],
        "reclaim_block_days": ["Enter a number of days (0 for none)."],
    }


# --- deleting a rule ------------------------------------------------------------------------------------
def test_deleting_a_levels_rule_sends_its_customers_to_the_default_rule(org, levels):
    customer = Customer.objects.create(
        number="CU-S-1", name="甲", name_normalized="甲", owner=org.rep, level=levels["a"]
    )
    rule_a = PoolRule.objects.get(level=levels["a"])
    assert pool_rules.rule_for(customer) == rule_a
    rule_id = rule_a.pk
    pool_rules.delete_pool_rule(org.admin, rule_a)
    assert not PoolRule.objects.filter(level=levels["a"]).exists()
    assert pool_rules.rule_for(customer) == PoolRule.objects.get(level__isnull=True)
    assert PoolRule.history.filter(id=rule_id, history_type="-").get().history_user == org.admin


def test_the_default_rule_cannot_be_deleted(org):
    default = PoolRule.objects.get(level__isnull=True)
    assert refused(pool_rules.delete_pool_rule, org.admin, default) == {
        "level": ["The default rule cannot be removed; turn it off instead."]
    }
    assert PoolRule.objects.filter(pk=default.pk).exists()


def test_a_customer_without_a_level_follows_the_default_rule(org, levels):
    customer = Customer(level=None)
    assert pool_rules.rule_for(customer) == PoolRule.objects.get(level__isnull=True)
    assert pool_rules.rule_for(Customer(level=levels["b"])) == PoolRule.objects.get(level__isnull=True)
    assert pool_rules.rule_for(Customer(level=levels["b"]), rules={}) is None


# --- caps per role ------------------------------------------------------------------------------------
def test_ops_set_and_remove_a_roles_caps(org):
    role = Role.objects.get(code="t_rep")
    limit = pool_rules.save_customer_limit(org.admin, role, 50, 5)
    assert (limit.max_owned, limit.max_claims_per_day) == (50, 5)
    pool_rules.save_customer_limit(org.admin, role, 60, 6)
    assert CustomerLimit.objects.filter(role=role).values_list("max_owned", "max_claims_per_day").get() == (60, 6)
    assert pool_rules.save_customer_limit(org.admin, role, None, None) is None
    assert not CustomerLimit.objects.filter(role=role).exists()


@pytest.mark.parametrize(("owned", "claims"), [(40, None), (None, 3)])
def test_a_limit_with_only_one_of_its_caps(org, owned, claims):
    role = Role.objects.get(code="t_rep")
    pool_rules.save_customer_limit(org.admin, role, owned, claims)
    assert CustomerLimit.objects.filter(role=role).values_list("max_owned", "max_claims_per_day").get() == (
        owned,
        claims,
    )
    assert pool_rules.daily_claim_cap(org.rep) == claims


def test_a_cap_of_zero_is_a_cap(org):
    role = Role.objects.get(code="t_rep")
    pool_rules.save_customer_limit(org.admin, role, 0, 0)
    assert CustomerLimit.objects.filter(role=role).values_list("max_owned", "max_claims_per_day").get() == (0, 0)
    assert pool_rules.daily_claim_cap(org.rep) == 0


def test_a_negative_cap_is_refused(org):
    role = Role.objects.get(code="t_rep")
    assert refused(pool_rules.save_customer_limit, org.admin, role, -1, -2) == {
        "max_owned": ["Enter 0 or more, or leave it empty for no limit."],
        "max_claims_per_day": ["Enter 0 or more, or leave it empty for no limit."],
    }
    assert refused(pool_rules.save_customer_limit, org.admin, role, 5, -1) == {
        "max_claims_per_day": ["Enter 0 or more, or leave it empty for no limit."]
    }
    assert not CustomerLimit.objects.filter(role=role).exists()


def test_only_people_who_manage_customers_may_set_caps(org):
    role = Role.objects.get(code="t_rep")
    CustomerLimit.objects.create(role=role, max_owned=10)
    for person in (org.director, org.rep):
        with pytest.raises(PermissionDenied):
            pool_rules.save_customer_limit(person, role, 1000, None)
        with pytest.raises(PermissionDenied):
            pool_rules.save_customer_limit(person, role, None, None)
    assert CustomerLimit.objects.get(role=role).max_owned == 10


# --- the reclaim block -----------------------------------------------------------------------------------
def test_the_reclaim_block_follows_the_rule_in_force(levels):
    rule = PoolRule(reclaim_block_days=7, is_active=True)
    assert pool_rules.reclaim_blocked_until(rule, NOW) == NOW + timedelta(days=7)
    assert pool_rules.reclaim_blocked_until(PoolRule(reclaim_block_days=7, is_active=False), NOW) is None
    assert pool_rules.reclaim_blocked_until(PoolRule(reclaim_block_days=0, is_active=True), NOW) is None
    assert pool_rules.reclaim_blocked_until(None, NOW) is None


def test_only_the_previous_owner_is_blocked_and_only_until_the_block_ends(org):
    customer = Customer(previous_owner=org.rep, reclaim_blocked_until=NOW)
    assert pool_rules.reclaim_blocked(org.rep, customer, NOW - timedelta(seconds=1)) is True
    assert pool_rules.reclaim_blocked(org.rep, customer, NOW) is False
    assert pool_rules.reclaim_blocked(org.rep_bj, customer, NOW - timedelta(days=1)) is False
    assert pool_rules.reclaim_blocked(org.rep, Customer(previous_owner=org.rep), NOW) is False


def test_dates_are_shown_in_local_time():
    utc = datetime(2026, 6, 1, 17, 5, tzinfo=ZoneInfo("UTC"))  # already 2 June 01:05 in Shanghai
    assert (pool_rules.format_date(utc), pool_rules.format_datetime(utc)) == ("2026-06-02", "2026-06-02 01:05")


def test_without_an_opportunities_module_there_is_no_opportunity_clock(org):
    installed = pool_rules._opportunity_clock  # the opportunities module's (kehu.sales) registers one
    assert installed is not None and pool_rules.opportunity_rule_applies() is True
    pool_rules.register_opportunity_clock(None)  # as if that module were not installed
    try:
        assert pool_rules.opportunity_rule_applies() is False
        assert pool_rules.last_opportunity_at(Customer()) is None
    finally:
        pool_rules.register_opportunity_clock(installed)


def test_a_rule_can_be_saved_out_of_force(org, levels):
    rule = pool_rules.save_pool_rule(org.admin, None, rule_data(level=levels["b"], is_active=False))
    assert PoolRule.objects.get(pk=rule.pk).is_active is False
    pool_rules.save_pool_rule(org.admin, rule, rule_data(is_active=True))
    assert PoolRule.objects.get(pk=rule.pk).is_active is True
