"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's `live_server`.

- `KEHU_CHROMIUM` points at another chromium binary (default /usr/bin/chromium); a path that does not exist
  simulates a machine without a browser.
- Without a browser the tests are skipped, unless `KEHU_E2E=required` (CI), where that is a failure.

Playwright's sync API runs its asyncio loop in a greenlet of the main thread, so between two Playwright calls the
main thread looks like it is inside a running event loop and Django refuses ORM calls there
(SynchronousOnlyOperation) — in the tests (factories) and in pytest-django's own flush after each transactional
test. Nothing here is async, so `DJANGO_ALLOW_ASYNC_UNSAFE` is set for as long as the browser is alive, and the
browser tests run after all other tests so that no other test runs with Playwright's loop in its thread.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KEHU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 812}
PASSWORD = "secret-pass-123"  # tests/factories.py
TIMEOUT_MS = 10_000
LOGIN_BUTTON = "form:has(#id_password) button[type=submit]"


def pytest_collection_modifyitems(session, config, items):
    """Run the browser tests last (see the module docstring); keep the order among each group."""
    here = Path(__file__).parent
    browser_tests = [item for item in items if here in Path(item.path).parents]
    if browser_tests:
        items[:] = [item for item in items if here not in Path(item.path).parents] + browser_tests


def _no_browser(reason: str):
    if os.environ.get("KEHU_E2E") == "required":
        pytest.fail(f"KEHU_E2E=required but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole run."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _no_browser(f"no chromium at {CHROMIUM} (install Debian's chromium or set KEHU_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev dependency
        _no_browser("the playwright package is not installed (pip install -e '.[dev]')")

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Tab:
    """A page in its own browser context, with everything that went wrong while it was open."""

    page: object  # playwright.sync_api.Page
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def goto(self, path_or_url: str):
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        return self.page.goto(url, wait_until="load")

    def login(self, username: str, password: str = PASSWORD):
        """Log in through the login page; returns the response of the page the form submission lands on."""
        self.goto("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        with self.page.expect_navigation(wait_until="load") as navigation:
            self.page.click(LOGIN_BUTTON)
        return navigation.value

    def foreign_requests(self) -> list[str]:
        """Requests that did not go to the live server (data: and blob: URLs never leave the page)."""
        local = (self.base_url + "/", "data:", "blob:")
        return [url for url in self.requests if not url.startswith(local)]

    def assert_clean(self):
        assert not self.page_errors, f"JavaScript errors: {self.page_errors}"
        assert not self.console_errors, f"console errors: {self.console_errors}"
        assert not self.foreign_requests(), f"requests to other hosts: {self.foreign_requests()}"


@pytest.fixture
def page_for(browser, live_server) -> Iterator:
    """`page_for(DESKTOP)` / `page_for(PHONE)`: a fresh browser context (own cookies) with one recording page."""
    contexts = []

    def make(viewport: dict, **options) -> Tab:
        if viewport["width"] < 768:
            options = {"is_mobile": True, "has_touch": True, **options}
        context = browser.new_context(viewport=viewport, locale="zh-CN", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page=page, base_url=live_server.url)

        def on_console(message):
            if message.type == "error":
                location = message.location or {}
                tab.console_errors.append(f"{page.url}: {message.text} ({location.get('url', '')})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: tab.page_errors.append(f"{page.url}: {error}"))
        context.on("request", lambda request: tab.requests.append(request.url))
        return tab

    yield make
    for context in contexts:
        context.close()
