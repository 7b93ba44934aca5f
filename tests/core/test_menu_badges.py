"""Menu badges: each count an entry names is registered by its app, and every page shows it beside the entry."""

from kehu.core import menus
from kehu.notify import services


def test_every_badge_a_menu_entry_names_is_registered():
    named = {entry.badge for entry in menus.all_entries() if entry.badge}
    assert named == {"unread", "todos", "cc"}
    assert named <= set(menus._badges)


def test_the_count_is_shown_beside_the_entry_in_the_sidebar_and_on_me(client, org):
    services.send_message([org.rep], "一")
    services.send_message([org.rep], "二")
    client.force_login(org.rep)
    for url, shown in (("/", 1), ("/me/", 2)):  # the sidebar; on "Me" also its list of entries
        page = client.get(url).content.decode()
        assert page.count('data-badge="unread">2</span>') == shown, url
