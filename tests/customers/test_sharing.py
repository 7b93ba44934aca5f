"""Sharing a customer with colleagues or departments: read-only or editable, optionally until a date."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehu.customers import services
from kehu.customers.models import Customer
from kehu.customers.queries import customers_for


@pytest.fixture
def customer(org):
    return services.create_customer(org.rep_east, {"name": "上海华东电气有限公司"})


def can(user, customer, action="view"):
    return Customer.objects.visible_to(user, action).filter(pk=customer.pk).exists()


def test_read_only_share(org, customer):
    assert not can(org.rep, customer)
    services.share_customer(org.rep_east, customer, users=[org.rep])
    assert can(org.rep, customer) and not can(org.rep, customer, "change")
    assert [c.pk for c in customers_for(org.rep, "shared")] == [customer.pk]
    assert list(customers_for(org.rep, "mine")) == []


def test_editable_share_to_a_department(org, customer):
    services.share_customer(org.rep_east, customer, departments=[org.north], can_edit=True)
    assert can(org.rep, customer, "change") and can(org.manager, customer, "change")
    assert not can(org.rep_bj, customer)  # a share to a department is to its members, not its sub-departments


def test_a_share_ends_at_its_date(org, customer):
    services.share_customer(org.rep_east, customer, users=[org.rep], until=timezone.now() + timedelta(days=3))
    assert can(org.rep, customer)
    customer.shares.update(until=timezone.now() - timedelta(minutes=1))
    assert not can(org.rep, customer)


def test_only_who_may_change_it_shares_and_dates_must_be_future(org, customer):
    from django.http import Http404

    with pytest.raises(Http404):
        services.share_customer(org.rep, customer, users=[org.rep])
    with pytest.raises(ValidationError) as error:
        services.share_customer(org.rep_east, customer, users=[org.rep], until=timezone.now() - timedelta(days=1))
    assert list(error.value.message_dict) == ["until"]


def test_end_a_share_and_the_timeline_shows_both(org, customer):
    services.share_customer(org.rep_east, customer, users=[org.rep])
    services.end_share(org.rep_east, customer.shares.get())
    assert not can(org.rep, customer)
    assert list(customer.events.values_list("kind", flat=True)) == ["unshared", "shared", "created"]


def test_share_page(client, org, customer):
    client.force_login(org.rep_east)
    response = client.post(f"/customers/{customer.pk}/share/", {"users": [org.rep.pk], "can_edit": "on"})
    assert response.status_code == 302
    client.force_login(org.rep)
    assert client.get("/customers/shared/").context["page"].object_list[0] == customer
    client.force_login(org.rep_bj)
    assert client.get(f"/customers/{customer.pk}/share/").status_code == 404
