"""Opportunities tests: a pipeline of known stages (the defaults replaced), customers with a decision maker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kehu.customers.models import Contact, Customer
from kehu.sales import services
from kehu.sales.models import Opportunity, Stage


@pytest.fixture(autouse=True)
def english(default_language):
    """Messages are asserted in English (the source language); the translations have tests of their own."""
    from django.utils import translation

    translation.activate("en")
    yield


@pytest.fixture
def client():
    """Pages and API answer in English here (the browser asks for it)."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def pipeline(db):
    """lead (10%) → proposal (50%, needs amount and decision maker, stalled after 14 days) → contract (90%, may not
    be re-entered, needs amount)."""
    Stage.objects.all().delete()
    return {
        "lead": Stage.objects.create(name="线索", position=10, probability=10, rotting_days=7),
        "proposal": Stage.objects.create(
            name="方案报价", position=20, probability=50, required_fields=["amount", "decision_maker"], rotting_days=14
        ),
        "contract": Stage.objects.create(
            name="合同", position=30, probability=90, required_fields=["amount"], may_reenter=False
        ),
    }


_numbers = iter(range(1, 10**6))


def customer_of(user, name=None) -> Customer:
    n = next(_numbers)
    name = name or f"客户{n}"
    return Customer.objects.create(
        owner=user,
        owner_department=user.department,
        number=f"CU-S-{n:05d}",
        name=name,
        name_normalized=name,
    )


def decision_maker(customer) -> Contact:
    return Contact.objects.create(customer=customer, name="王总", decision_role=Contact.DecisionRole.DECISION_MAKER)


def soon(days=30):
    return timezone.localdate() + timedelta(days=days)


def new_opportunity(user, customer=None, **data) -> Opportunity:
    customer = customer or customer_of(user)
    values = {"customer": customer, "name": data.pop("name", "ERP 升级"), "expected_close_date": soon(), **data}
    return services.create_opportunity(user, values)
