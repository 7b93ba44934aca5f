"""Domain events: declared names only, subscribers after the commit, none after a rollback."""

import pytest
from django.db import transaction

from kehu.core import events

SEEN = []
PING = events.declare("tests.ping", "a test event")
FAILING = events.declare("tests.failing", "a test event whose subscriber fails")


@events.subscribe(PING)
def _remember(event):
    SEEN.append((event.name, event["n"], transaction.get_connection().in_atomic_block))


@events.subscribe(FAILING)
def _fail(event):
    raise RuntimeError("subscriber broke")


@pytest.fixture(autouse=True)
def _clear():
    SEEN.clear()


def test_an_undeclared_event_cannot_be_raised_or_subscribed_to():
    with pytest.raises(LookupError):
        events.emit("tests.nobody_declared_me")
    with pytest.raises(LookupError):
        events.subscribe("tests.nobody_declared_me")(lambda e: None)


@pytest.mark.django_db
def test_subscribers_run_after_the_commit_not_inside_the_transaction():
    with transaction.atomic():
        events.emit(PING, n=1)
        with transaction.atomic():
            events.emit(PING, n=2)
        assert SEEN == []
    assert [(name, n) for name, n, _ in SEEN] == [("tests.ping", 1), ("tests.ping", 2)]


@pytest.mark.django_db
def test_a_rolled_back_transaction_delivers_nothing():
    with pytest.raises(ValueError), transaction.atomic():
        events.emit(PING, n=1)
        raise ValueError
    assert SEEN == []


@pytest.mark.django_db
def test_a_rolled_back_savepoint_drops_only_its_own_events():
    with transaction.atomic():
        events.emit(PING, n=1)
        with pytest.raises(ValueError), transaction.atomic():
            events.emit(PING, n=2)
            raise ValueError
    assert [n for _, n, _ in SEEN] == [1]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_event_is_delivered_at_once():
    events.emit(PING, n=7)
    assert [n for _, n, _ in SEEN] == [7]


@pytest.mark.django_db(transaction=True)
def test_after_a_real_commit_subscribers_run_outside_any_transaction():
    with transaction.atomic():
        events.emit(PING, n=3)
    assert SEEN == [("tests.ping", 3, False)]


def test_a_failing_subscriber_is_logged_and_the_others_still_run(settings, caplog):
    settings.KEHU_EVENTS_RAISE = False
    events.subscribe(FAILING)(_remember_failing := lambda event: SEEN.append(("after", 0, False)))
    try:
        events.deliver(events.Event(FAILING, {}))
    finally:
        events._subscribers[FAILING].remove(_remember_failing)
    assert SEEN == [("after", 0, False)]
    assert "subscriber broke" in caplog.text


def test_in_the_test_settings_a_failing_subscriber_raises():
    with pytest.raises(RuntimeError, match="subscriber broke"):
        events.deliver(events.Event(FAILING, {}))


def test_declared_lists_every_event_with_its_label():
    assert events.declared()[PING] == "a test event"
