"""Records for the targets, forecast and case tests: opportunities at known stages, with known amounts."""

import itertools
from datetime import date
from decimal import Decimal

from django.utils import timezone

from kehu.customers.models import Customer
from kehu.sales.models import Opportunity, Stage

_numbers = itertools.count(1)


def stage(probability: int) -> Stage:
    found = Stage.objects.filter(probability=probability).first()
    return found or Stage.objects.create(name=f"P{probability}", position=probability, probability=probability)


def customer_of(owner, name=None) -> Customer:
    n = next(_numbers)
    name = name or f"测试客户{n}"
    return Customer.objects.create(
        owner=owner, owner_department=owner.department, number=f"CU-H-{n:05d}", name=name, name_normalized=name
    )


def opportunity(
    owner,
    amount,
    *,
    probability=50,
    close=None,
    status="open",
    won_amount=None,
    closed_on=None,
    approval="active",
    customer=None,
    created_at=None,
) -> Opportunity:
    n = next(_numbers)
    return Opportunity.objects.create(
        number=f"OP-H-{n:05d}",
        customer=customer or customer_of(owner),
        name=f"商机{n}",
        amount=Decimal(str(amount)) if amount is not None else None,
        expected_close_date=close or timezone.localdate(),
        stage=stage(probability),
        status=status,
        won_amount=Decimal(str(won_amount)) if won_amount is not None else None,
        closed_on=closed_on,
        approval_status=approval,
        owner=owner,
        owner_department=owner.department,
        created_at=created_at or timezone.now(),
    )


def won(owner, amount, on: date, **kwargs) -> Opportunity:
    return opportunity(owner, amount, status="won", won_amount=amount, closed_on=on, close=on, **kwargs)


def grant_opportunities(org):
    """Make sure the test organisation's roles may view opportunities (the factories grant it now; kept so these
    tests say what they rely on): reps their own, manager and director their department and below, the department
    viewer their department, the all-viewer everything."""
    from kehu.org.models import Role, RoleGrant

    scopes = {"t_rep": "self", "t_tree": "department_tree", "t_dept": "department", "t_all": "all"}
    for code, scope in scopes.items():
        role = Role.objects.get(code=code)
        if not RoleGrant.objects.filter(role=role, module="opportunities").exists():
            RoleGrant.objects.create(role=role, module="opportunities", actions=["view"], scope=scope)
