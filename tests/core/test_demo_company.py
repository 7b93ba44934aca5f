"""`kehu demo`: a lived-in demo company, loaded only into an empty database, its password shown once."""

import pytest
from django.core.management import CommandError, call_command

from kehu.org.defaults import DEFAULT_ROLES
from kehu.org.models import Department, User
from tests.factories import log_in


def test_demo_company_covers_every_role(db, capsys):
    call_command("demo", password="Demo-pass-2026")
    out = capsys.readouterr().out
    assert "Demo-pass-2026" in out
    assert User.objects.count() == 20
    assert Department.objects.count() == 8
    held = set(User.objects.values_list("roles__code", flat=True))
    assert held == set(DEFAULT_ROLES)
    reps = User.objects.filter(roles__code="sales_rep")
    assert reps.count() == 9 and all(r.superior.roles.filter(code="sales_manager").exists() for r in reps)
    assert Department.objects.filter(head__isnull=True).count() == 0


def test_demo_refuses_a_database_with_data_and_if_empty_skips(db, client):
    call_command("demo", password="Demo-pass-2026")
    with pytest.raises(CommandError):
        call_command("demo")
    call_command("demo", if_empty=True)
    assert User.objects.count() == 20
    assert log_in(client, "admin", "Demo-pass-2026")


def test_generated_demo_password_is_printed_once(db, capsys):
    call_command("demo")
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "shown only now" in line)
    password = line.rsplit(" ", 1)[1]
    assert len(password) >= 10
    assert User.objects.get(username="admin").check_password(password)


def test_demo_customers_make_a_lived_in_company(db):
    from kehu.customers.models import Contact, Customer, FollowUp, Visit
    from kehu.org.models import User

    call_command("demo", password="Demo-pass-2026")
    reps = User.objects.filter(roles__code="sales_rep")
    assert all(Customer.objects.filter(owner=rep).exists() for rep in reps)
    assert Customer.objects.count() >= 150
    assert Customer.objects.filter(owner__isnull=True).exists()  # a public pool
    assert Contact.objects.count() > Customer.objects.count()
    assert FollowUp.objects.count() > 3 * Customer.objects.count()
    assert Visit.objects.filter(status="planned").exists() and Visit.objects.filter(status="done").exists()


def test_demo_customers_exist_before_anything_done_with_them(db):
    """A customer is created before its follow-ups, visits, shares, pool events and history (the demo back-dates
    them, so what the services stamped "now" is moved too)."""
    from kehu.customers.models import Customer, CustomerEvent, CustomerShare, FollowUp, PoolEvent, Visit

    call_command("demo", password="Demo-pass-2026")
    late = []
    for customer in Customer.objects.all():
        worked = [
            *FollowUp.objects.filter(customer=customer).values_list("happened_at", flat=True),
            *Visit.objects.filter(customer=customer).values_list("planned_at", flat=True),
            *CustomerShare.objects.filter(customer=customer).values_list("shared_at", flat=True),
            *PoolEvent.objects.filter(customer=customer).values_list("at", flat=True),
        ]
        # the timeline's "created" entry and the first history row
        born = [
            customer.created_at,
            *CustomerEvent.objects.filter(customer=customer, kind="created").values_list("at", flat=True),
            *customer.history.order_by("history_date").values_list("history_date", flat=True)[:1],
        ]
        if worked and max(born) > min(worked):
            late.append(customer.name)
    assert late == []
