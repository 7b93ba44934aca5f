"""Apps write messages from event subscribers: after the commit, in each recipient's own language, never from
inside a transaction (with KEHU_MESSAGES_ONLY_AFTER_COMMIT, as the tests run it once every app is moved)."""

import pytest
from django.db import transaction
from django.utils.translation import gettext

from kehu.core import events
from kehu.notify import services
from kehu.notify.models import Message

SOMETHING_HAPPENED = events.declare("tests.something_happened", "a test event that people are told about")


@events.subscribe(SOMETHING_HAPPENED)
def _tell_the_people(event):
    services.send_in_their_language(event["people"], lambda user: (gettext("Workbench"), user.username), link="/")


def inbox():
    return sorted(Message.objects.values_list("recipient__username", "title", "body", "link"))


def test_a_subscriber_writes_after_the_commit_in_each_recipients_language(org):
    org.rep.language = "en"
    org.rep.save()
    with transaction.atomic():
        events.emit(SOMETHING_HAPPENED, people=[org.rep, org.manager, org.rep])
        assert inbox() == []
    assert inbox() == [("manager", "工作台", "manager", "/"), ("rep", "Workbench", "rep", "/")]


def test_a_rolled_back_change_sends_nothing(org):
    with pytest.raises(ValueError), transaction.atomic():
        events.emit(SOMETHING_HAPPENED, people=[org.rep])
        raise ValueError
    assert inbox() == []


def test_people_who_left_are_not_written_to(org):
    org.rep.is_active = False
    org.rep.save()
    events.emit(SOMETHING_HAPPENED, people=[org.rep, org.manager])
    assert [username for username, *_ in inbox()] == ["manager"]


def test_sending_inside_a_transaction_is_refused_when_asked(org, settings):
    settings.KEHU_MESSAGES_ONLY_AFTER_COMMIT = True
    with pytest.raises(services.SentInsideTransaction), transaction.atomic():
        services.send_message([org.rep], "写在事务里")
    with pytest.raises(services.SentInsideTransaction), transaction.atomic():
        services.send_in_their_language([org.rep], lambda user: ("写在事务里", ""))
    with transaction.atomic():
        events.emit(SOMETHING_HAPPENED, people=[org.rep])
    services.send_message([org.manager], "事务之外")
    assert [(username, title) for username, title, *_ in inbox()] == [("manager", "事务之外"), ("rep", "工作台")]
