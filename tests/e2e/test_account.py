"""The user menu's language switch, and the login lockout after too many wrong passwords (django-axes)."""

import pytest
from django.conf import settings

from tests.e2e.conftest import DESKTOP, LOGIN_BUTTON, Tab
from tests.factories import DepartmentTree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def html_lang(tab: Tab) -> str:
    return tab.page.get_attribute("html", "lang")


def choose_language(tab: Tab, name: str):
    tab.page.click(".topbar .user-button")
    choice = tab.page.locator(".topbar .dropdown-menu button.dropdown-item", has_text=name)
    choice.wait_for(state="visible")
    with tab.page.expect_navigation(wait_until="load") as navigation:
        choice.click()
    return navigation.value


def test_language_switch_from_the_user_menu(page_for):
    org = DepartmentTree.build()
    tab = page_for(DESKTOP)
    tab.login(org.rep.username)
    tab.goto("/messages/")
    assert html_lang(tab) == "zh-CN", "Chinese is the default"

    response = choose_language(tab, "English")
    assert response.status == 200
    assert tab.page.evaluate("location.pathname") == "/messages/", "the switch stays on the page"
    assert html_lang(tab) == "en"
    assert tab.page.inner_text(".sidebar .nav-entry[data-menu=workbench]").strip() == "Workbench"
    tab.goto("/")
    assert html_lang(tab) == "en", "the choice is remembered"

    response = choose_language(tab, "简体中文")
    assert response.status == 200
    assert html_lang(tab) == "zh-CN"
    org.rep.refresh_from_db()
    assert org.rep.language == "zh-hans", "the choice is saved on the user too"
    tab.assert_clean()


def submit_login(tab: Tab, username: str, password: str) -> tuple[int, bool | None, str]:
    """Log in through the form: (HTTP status, whether the answer's login button is disabled, its error message)."""
    response = tab.login(username, password)
    button = tab.page.locator(LOGIN_BUTTON)
    alert = tab.page.locator(".login-form [role=alert]")
    disabled = button.is_disabled() if button.count() else None  # None: the answer has no login form at all
    return response.status, disabled, alert.inner_text() if alert.count() else ""


def test_login_lockout_after_too_many_wrong_passwords(page_for):
    org = DepartmentTree.build()
    limit = settings.AXES_FAILURE_LIMIT  # 5 unless KEHU_LOGIN_FAILURE_LIMIT says otherwise
    tab = page_for(DESKTOP)

    attempts = [submit_login(tab, org.rep_east.username, "wrong-password") for _ in range(limit)]
    for status, disabled, alert in attempts[: limit - 1]:
        assert (status, disabled) == (200, False), attempts
        assert alert, "a wrong password says so"
    # django-axes locks the account on the failure that reaches the limit.
    assert attempts[-1][:2] == (429, True), attempts

    status, disabled, alert = submit_login(tab, org.rep_east.username, "secret-pass-123")
    assert status == 429
    assert disabled, "the locked-out login form cannot be submitted"
    assert str(round(settings.AXES_COOLOFF_TIME * 60)) in alert, f"the lockout message says how long: {alert!r}"
    assert tab.page.evaluate("location.pathname") == "/login/"
    tab.goto("/")
    assert tab.page.evaluate("location.pathname") == "/login/", "the right password did not log in"

    # Another account from the same browser is not affected.
    assert tab.login(org.rep.username).status == 200
    assert tab.page.evaluate("location.pathname") == "/"

    assert not tab.page_errors
    assert not tab.foreign_requests()
    unexpected = [e for e in tab.console_errors if "status of 429" not in e]
    assert not unexpected, f"console errors besides the 429 of the lockout page: {unexpected}"
