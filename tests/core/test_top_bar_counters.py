"""The top bar shows the counters apps register (the message bell is notify's); the frame names no app."""

from kehu.core import topbar
from kehu.notify import services
from tests.support.imports import ROOT


def test_the_bell_is_notifys_counter_and_shows_the_unread_count(client, org):
    services.send_message([org.rep], "一")
    services.send_message([org.rep], "二")
    assert [(c["name"], c["template"], c["count"]) for c in topbar.counters_for(org.rep)] == [
        ("unread_count", "notify/_bell.html", 2)
    ]
    client.force_login(org.rep)
    page = client.get("/").content.decode()
    assert 'href="/messages/"' in page and 'data-unread="2"' in page


def test_an_app_adds_a_counter_without_touching_core(client, org):
    topbar.register(topbar.Counter("memo_count", "scoped_app/_memo_counter.html", lambda user: len(user.username)))
    try:
        client.force_login(org.manager)
        page = client.get("/").content.decode()
    finally:
        del topbar._counters["memo_count"]
    assert '<span class="memo-counter">7</span>' in page  # "manager"
    assert page.index('id="unread-badge"') < page.index("memo-counter")  # the bell's order is 10, this one 100


def test_the_page_frame_names_no_app_counter():
    frame = (ROOT / "kehu" / "templates" / "base.html").read_text(encoding="utf-8")
    assert "notify" not in frame and "unread" not in frame
