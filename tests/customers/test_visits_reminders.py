"""Visit reminders: every 15 minutes a periodic task tells reps about their visits planned within the next two
hours — once per visit, however often it runs."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kehu.customers import activities, services
from kehu.customers.models import Visit
from kehu.customers.visit_tasks import remind_upcoming_visits_task
from kehu.notify.models import Message


@pytest.fixture
def customer(org):
    return services.create_customer(org.rep, {"name": "北京致远科技有限公司"})


def plan(org, customer, in_minutes):
    return activities.plan_visit(
        org.rep, customer, purpose=f"拜访 {in_minutes}", planned_at=timezone.now() + timedelta(minutes=in_minutes)
    )


def test_visits_within_two_hours_are_reminded_once(org, customer):
    soon = plan(org, customer, 90)
    plan(org, customer, 150)  # too far ahead
    cancelled = activities.cancel_visit(org.rep, plan(org, customer, 30))
    checked_in = activities.check_in(org.rep, plan(org, customer, 60))

    with translation.override("en"):
        assert remind_upcoming_visits_task.call_local() == 1
        assert remind_upcoming_visits_task.call_local() == 0
    [message] = Message.objects.all()
    local = timezone.localtime(soon.planned_at).strftime("%H:%M")
    with translation.override("en"):  # product text is shown in the reader's language
        title = str(message.title)
    assert (message.recipient, title, message.body) == (
        org.rep,
        f"Visit to 北京致远科技有限公司 at {local}",
        "拜访 90",
    )
    assert message.link == reverse("customers:visit_detail", kwargs={"pk": soon.pk})
    assert Visit.objects.get(pk=soon.pk).reminded_at is not None
    assert Visit.objects.get(pk=cancelled.pk).reminded_at is None
    assert Visit.objects.get(pk=checked_in.pk).reminded_at is None


def test_a_later_run_reminds_the_visit_that_came_into_the_window(org, customer):
    visit = plan(org, customer, 150)
    assert activities.remind_upcoming_visits() == 0
    assert activities.remind_upcoming_visits(now=timezone.now() + timedelta(minutes=45)) == 1
    assert activities.remind_upcoming_visits(now=timezone.now() + timedelta(minutes=60)) == 0
    assert Message.objects.filter(recipient=org.rep).count() == 1
    assert Visit.objects.get(pk=visit.pk).reminded_at is not None


def test_the_task_runs_every_15_minutes():
    at = [datetime(2026, 5, 4, 9, minute) for minute in range(60)]
    assert [moment.minute for moment in at if remind_upcoming_visits_task.task_class().validate_datetime(moment)] == [
        0,
        15,
        30,
        45,
    ]
