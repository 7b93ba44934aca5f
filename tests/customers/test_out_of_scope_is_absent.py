"""Out of scope answers exactly like "does not exist": the pool's claim and the duplicate check's `exclude` reveal
nothing about customers the caller cannot see."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from kehu.customers import pool
from kehu.customers.models import Contact, Customer, PoolEvent


def owned(owner, name, mobile=None):
    customer = Customer.objects.create(number=f"CU-S-{name}", name=name, name_normalized=name, owner=owner)
    if mobile:
        Contact.objects.create(customer=customer, name="联系人", mobile=mobile)
    return customer


def claimed_by(owner, name, at):
    customer = owned(owner, name)
    PoolEvent.objects.create(customer=customer, kind=PoolEvent.Kind.CLAIMED, actor=owner, owner=owner, at=at)
    return customer


def refusal(actor, pk):
    try:
        pool.claim(actor, pk)
    except Http404:
        return "404"
    raise AssertionError("the claim was not refused with 404")


def test_claiming_a_customer_claimed_long_ago_answers_like_a_missing_one(org):
    old = claimed_by(org.rep_east, "早已领取的客户", timezone.now() - timedelta(days=30))
    never_in_pool = owned(org.rep_east, "从未进公海的客户")
    assert refusal(org.rep, old.pk) == refusal(org.rep, never_in_pool.pk) == refusal(org.rep, 987654321) == "404"


@pytest.mark.parametrize("path", ["/api/pool/{}/claim/"])
def test_the_api_claim_of_an_old_claim_is_a_plain_404(client, org, path):
    old = claimed_by(org.rep_east, "早已领取的客户", timezone.now() - timedelta(hours=2))
    client.force_login(org.rep)
    seen = client.post(path.format(old.pk), content_type="application/json")
    missing = client.post(path.format(987654321), content_type="application/json")
    assert seen.status_code == missing.status_code == 404
    assert seen.json() == missing.json()
    assert org.rep_east.display_name not in seen.content.decode()


def test_a_claim_lost_moments_ago_still_names_the_winner(org):
    recent = claimed_by(org.rep_east, "刚被领取的客户", timezone.now() - timedelta(minutes=1))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        pool.claim(org.rep, recent.pk)
    assert org.rep_east.display_name in refused.value.messages[0]


@pytest.mark.parametrize("route", ["page", "api"])
def test_the_duplicate_check_ignores_an_exclude_outside_the_callers_scope(client, org, route):
    hidden = owned(org.rep_east, "华东的客户", mobile="13911112222")
    client.force_login(org.rep)

    def check(exclude):
        if route == "page":
            url = f"/customers/check-duplicates/?contact_mobile=13911112222&exclude={exclude}"
            return client.get(url).content.decode()
        return client.get(f"/api/customers/duplicates/?phone=13911112222&exclude={exclude}").json()

    baseline = check("")
    assert check(hidden.pk) == baseline == check(987654321) == check("abc")
    mine = owned(org.rep, "我的客户", mobile="13911113333")
    assert check(mine.pk) == baseline  # my own customer, not matching: excluding it changes nothing either
