"""Every menu entry a user sees opens a working page: on the PC (sidebar) and on the phone (bottom bar, "Me").

A page "works" when it answers 200 at the menu's URL (no redirect to the login page), shows a page heading, logs
no JavaScript or console error, loads nothing from another host and — on the phone — does not scroll sideways.
"""

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, Tab
from tests.factories import DepartmentTree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The elements sticking out to the right of the viewport, to name the culprit of a horizontal scroll.
# `width` is the device width: a mobile browser zooms out to fit a page that is too wide, so `innerWidth` grows
# along with the page and cannot be the yardstick on its own.
OVERFLOW_JS = """(width) => {
  const describe = (el) => {
    const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/).filter(Boolean) : [];
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes.map((c) => '.' + c).join('');
    return name + ' right=' + Math.round(el.getBoundingClientRect().right);
  };
  const wide = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > width + 0.5);
  const outermost = wide.filter((el) => !wide.includes(el.parentElement));
  // Full-width bars (top bar, bottom bar) only stretch along with the zoomed-out page: list them last.
  const scrollWidth = document.documentElement.scrollWidth;
  const stretched = (el) => el.getBoundingClientRect().left <= 0 && el.getBoundingClientRect().right >= scrollWidth - 1;
  outermost.sort((a, b) => stretched(a) - stretched(b));
  return { scrollWidth, innerWidth: window.innerWidth, culprits: outermost.slice(0, 5).map(describe) };
}"""


# Product bugs found by these tests and not fixed yet: {(url, check): where}. The check still runs and must still
# fail — when the product is fixed the test says so, and the entry goes.


def hrefs(tab: Tab, selector: str) -> list[str]:
    return tab.page.eval_on_selector_all(selector, "els => els.map((el) => el.getAttribute('href'))")


def unique(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(urls))


def walk(tab: Tab, urls: list[str], *, phone: bool = False) -> list[str]:
    """Open every URL; return what is wrong with each (an empty list when all is well)."""
    problems = []
    for url in urls:
        response = tab.goto(url)
        path = tab.page.evaluate("location.pathname + location.search")
        if response is None or response.status != 200:
            problems.append(f"{url}: HTTP {response.status if response else 'no response'}")
        if path != url:
            problems.append(f"{url}: ended up at {path}")
        has_heading = tab.page.locator("h1, .page-header").count() > 0
        if not has_heading:
            problems.append(f"{url}: no h1 and no .page-header")
        if phone:
            layout = tab.page.evaluate(OVERFLOW_JS, PHONE["width"])
            limit = min(layout["innerWidth"], PHONE["width"])
            if layout["scrollWidth"] > limit:
                problems.append(
                    f"{url}: scrolls sideways at {PHONE['width']}px "
                    f"(scrollWidth {layout['scrollWidth']} > {limit}; {layout['culprits']})"
                )
    return problems


def login_to_workbench(tab: Tab, username: str):
    response = tab.goto("/login/")
    assert response.status == 200
    assert tab.page.locator("#id_username").is_visible()
    response = tab.login(username)
    assert response.status == 200
    assert tab.page.evaluate("location.pathname") == "/", "the login should land on the workbench"
    assert tab.page.locator("#todos").count() == 1, "the workbench shows the to-do panel"


def test_rep_walks_every_sidebar_entry_on_the_pc(page_for):
    org = DepartmentTree.build()
    tab = page_for(DESKTOP)
    login_to_workbench(tab, org.rep.username)
    assert tab.page.locator(".sidebar").is_visible()
    assert tab.page.locator(".bottombar").is_hidden()
    assert tab.page.locator(".sidebar a.nav-entry[data-menu=workbench]").get_attribute("class").split() == [
        "nav-entry",
        "active",
    ]

    entries = unique(hrefs(tab, ".sidebar a.nav-entry"))
    assert "/" in entries and "/messages/" in entries
    assert not tab.page.locator(".sidebar a.nav-entry[data-menu=users]").count(), "a rep sees no settings"
    assert walk(tab, entries) == []
    tab.assert_clean()


def test_rep_walks_the_bottom_bar_and_me_on_the_phone(page_for):
    org = DepartmentTree.build()
    tab = page_for(PHONE)
    login_to_workbench(tab, org.rep.username)
    assert tab.page.locator(".sidebar").is_hidden()
    assert tab.page.locator(".bottombar").is_visible()

    bar = tab.page.locator(".bottombar a[data-menu]")
    assert bar.count() <= 5
    small = [
        f"{a.get_attribute('data-menu')}: {box['width']:.0f}×{box['height']:.0f}"
        for a in bar.all()
        if (box := a.bounding_box())["height"] < 44 or box["width"] < 44
    ]
    assert not small, f"bottom bar touch targets under 44 px: {small}"

    bar_entries = hrefs(tab, ".bottombar a[data-menu]")
    assert bar_entries[-1] == "/me/"
    tab.goto("/me/")
    me_entries = hrefs(tab, ".me-links a[data-menu]")
    assert "/" in me_entries and "/messages/" in me_entries
    assert walk(tab, unique(bar_entries + me_entries), phone=True) == []
    tab.assert_clean()


def test_admin_walks_every_menu_on_the_pc_and_the_phone(page_for):
    org = DepartmentTree.build()
    pc = page_for(DESKTOP)
    login_to_workbench(pc, org.admin.username)
    entries = unique(hrefs(pc, ".sidebar a.nav-entry"))
    keys = pc.page.eval_on_selector_all(".sidebar a.nav-entry", "els => els.map((el) => el.dataset.menu)")
    assert {"departments", "users", "roles", "authorise", "menus", "dictionaries"} <= set(keys)
    assert walk(pc, entries) == []
    pc.assert_clean()

    phone = page_for(PHONE)
    login_to_workbench(phone, org.admin.username)
    phone.goto("/me/")
    me_entries = hrefs(phone, ".me-links a[data-menu]")
    assert set(entries) <= set(me_entries), "every menu entry is reachable from Me on the phone"
    assert walk(phone, unique(hrefs(phone, ".bottombar a[data-menu]") + entries + me_entries), phone=True) == []
    phone.assert_clean()
