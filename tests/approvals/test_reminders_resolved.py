"""A to-do message is resolved when its task ends, for every holder: the bell's count drops and the message says
it was handled. Tasks end by a decision, by someone else's decision on an any-one step, by a transfer, a return, a
withdrawal or the end of the flow."""

import pytest
from django.urls import reverse
from django.utils import translation

from kehu.approvals import services
from kehu.notify.models import Message
from kehu.notify.services import unread_count
from tests.approvals.helpers import approval, flow, people, publish, submit, task_of

pytestmark = pytest.mark.django_db


def todo(user, instance):
    return Message.objects.get(recipient=user, link=reverse("approvals:instance", kwargs={"pk": instance.pk}))


def test_an_any_one_step_decided_by_one_approver_resolves_every_holders_reminder(org):
    publish(org.admin, flow({"n1": approval("经理或总监", people(org.manager, org.director))}))
    instance = submit(org.rep, "800")
    assert unread_count(org.director) == 1
    assert todo(org.director, instance).resolved_at is None
    services.approve(org.manager, task_of(org.manager, instance).pk, "同意")
    for holder in (org.manager, org.director):
        message = todo(holder, instance)
        assert message.resolved_at is not None
        assert message.read_at is not None
        holder.__dict__.pop("_kehu_unread", None)
        assert unread_count(holder) == 0


def test_an_all_sign_step_resolves_only_the_reminder_of_who_approved(org):
    publish(org.admin, flow({"n1": approval("会签", people(org.manager, org.director), mode="all")}))
    instance = submit(org.rep)
    services.approve(org.director, task_of(org.director, instance).pk)
    assert todo(org.director, instance).resolved_at is not None
    assert todo(org.manager, instance).resolved_at is None


def test_a_step_passed_on_resolves_the_first_steps_reminder_and_tells_the_next(org):
    publish(
        org.admin,
        flow({"n1": approval("经理", people(org.manager), next="n2"), "n2": approval("总监", people(org.director))}),
    )
    instance = submit(org.rep)
    services.approve(org.manager, task_of(org.manager, instance).pk)
    assert todo(org.manager, instance).resolved_at is not None
    assert todo(org.director, instance).resolved_at is None


def test_transfer_resolves_the_old_holders_reminder(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    services.transfer(org.manager, task_of(org.manager, instance).pk, org.director, "我出差")
    assert todo(org.manager, instance).resolved_at is not None
    assert todo(org.director, instance).resolved_at is None


def test_withdrawal_and_rejection_resolve_open_reminders(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    withdrawn = submit(org.rep)
    services.withdraw(org.rep, withdrawn.pk, "填错了")
    assert todo(org.manager, withdrawn).resolved_at is not None
    rejected = submit(org.rep)
    services.reject(org.manager, task_of(org.manager, rejected).pk, "预算不足")
    assert todo(org.manager, rejected).resolved_at is not None


def test_a_rolled_back_decision_resolves_nothing(org):
    from django.db import transaction

    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    with transaction.atomic():
        services.approve(org.manager, task_of(org.manager, instance).pk)
        transaction.set_rollback(True)
    assert todo(org.manager, instance).resolved_at is None


def test_the_message_centre_shows_a_resolved_reminder_as_handled_in_the_readers_language(org, client):
    from tests.factories import log_in

    publish(org.admin, flow({"n1": approval("经理或总监", people(org.manager, org.director))}))
    instance = submit(org.rep, "800")
    services.approve(org.manager, task_of(org.manager, instance).pk)
    org.director.language = "en"
    org.director.save(update_fields=["language"])
    assert log_in(client, "director", "secret-pass-123")
    page = client.get(reverse("notify:inbox") + "?box=all").content.decode()
    assert f"To approve: {instance.title}" in page
    assert "Handled" in page
    with translation.override("zh-hans"):
        assert str(todo(org.director, instance).title) == f"待审批：{instance.title}"
