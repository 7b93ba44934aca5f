"""English is complete: every page, as every demo role, in English, shows no Chinese outside the users' own data.

The walk starts at the workbench, follows every link a page offers on this site (the menus, list rows, tabs,
record actions), and renders each page with English active. A page's Chinese is allowed only where it is data
people entered (customer names, notes, departments of the demo company); a piece of Chinese that is not in the
database, or that is one of the product's own Chinese texts (a stored "已通过", a role's built-in description), is a
string that missed translation.

Every page of the URL configuration must be reached by the walk (or be declared below as not a page): a module
added later is walked without this file knowing it.
"""

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import Resolver404, resolve
from django.utils import translation

from kehu.core.leakcheck import SCOPED, UNSCOPED
from tests.factories import log_in
from tests.test_leaks import named_routes

# Runs of Chinese characters; punctuation splits them (names joined by "、" are checked one by one).
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
PASSWORD = "Demo-pass-2026"
PAGES_PER_ROUTE = 3  # distinct URLs walked per URL name and person (rows of one list are alike)
ROLES = ("sales_rep", "sales_manager", "sales_director", "sales_ops", "warehouse_keeper", "after_sales", "system_admin")

# URL names that are not pages a person reads: POST-only actions, files, fragments fetched by scripts.
NOT_PAGES = {
    "scoped_app:memo_list": "the test suite's example app (tests/scoped_app), not on any menu",
    "scoped_app:memo_detail": "the test suite's example app",
    "logout": "POST only",
    "set_language": "POST only",
    "manifest": "the web-app manifest (JSON)",
    "notify:unread_badge": "a fragment polled by the bell",
    "customers:check_duplicates": "a fragment the customer form fetches while typing",
    "customers:visit_photo": "an image",
    "customers:import_template": "an .xlsx file",
    "customers:export": "an .xlsx file",
    "customers:export_download": "an .xlsx file",
    "customers:import_job_errors": "an .xlsx file",
    "customers:import_job_progress": "a fragment polled by the import page",
    "customers:import_job": "reached only after an upload (walked in tests/customers/test_import_pages.py)",
    "customers:pool_preview": "a fragment of the pool settings page",
    "approvals:flow_preview": "a fragment the designer posts to",
    "cases:attachment": "a case's attached file",
    "products:export": "an .xlsx file",
    "products:import_template": "an .xlsx file",
    "products:picture": "an image",
    "products:picture_add": "POST only (a picture upload)",
    "sales:export": "an .xlsx file",
    "sales:import_template": "an .xlsx file",
    "targets:import_template": "an .xlsx file",
}


class _Labels(HTMLParser):
    """The texts of a page's form labels."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.labels: list[str] = []
        self._open = 0
        self._text = ""

    def handle_starttag(self, tag, attrs):
        if tag == "label":
            self._open, self._text = self._open + 1, ""

    def handle_endtag(self, tag):
        if tag == "label" and self._open:
            self._open -= 1
            if self._text.strip():
                self.labels.append(self._text.strip())

    def handle_data(self, data):
        if self._open:
            self._text += data


class _Text(HTMLParser):
    """The text a person reads on a page: text nodes and the attributes that are shown or spoken."""

    SHOWN_ATTRS = {"placeholder", "title", "aria-label", "alt", "data-confirm", "data-confirm-title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._own_language = []  # open elements marked lang="zh-…" (a language's own name in the switcher)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if (attrs.get("lang") or "").lower().startswith("zh") and tag != "html":
            self._own_language.append(tag)
        if self._own_language:
            return
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs.items():
            if value and (name in self.SHOWN_ATTRS or (name == "value" and attrs.get("type") in ("submit", "button"))):
                self.pieces.append(value)

    def handle_endtag(self, tag):
        if self._own_language:
            if tag == self._own_language[-1]:
                self._own_language.pop()
            return
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and not self._own_language and data.strip():
            self.pieces.append(data.strip())


def _stored_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _stored_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _stored_strings(item)


def _product_text():
    """A pattern matching the whole of any of the product's own Chinese texts (the catalogue's msgstrs, their
    parameters as wildcards): a stored value that is one of them was written by the product, not by people."""
    catalog = translation.trans_real.translation("zh-hans")._catalog
    patterns = set()
    for msgstr in (value for part in catalog._catalogs for value in part.values()):
        if isinstance(msgstr, str) and HAN.search(msgstr):
            pieces = re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", msgstr)
            patterns.add(".*?".join(re.escape(piece) for piece in pieces))
    return re.compile("|".join(sorted(patterns, key=len, reverse=True)))


def _user_data() -> str:
    """Every text stored in the database that people (or the demo company) entered, joined; a stored value that is
    one of the product's own Chinese texts does not count (it should have been stored as product text)."""
    product = _product_text()
    parts = []
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            for value in _stored_strings(row):
                value = str(value)
                if HAN.search(value) and not product.fullmatch(value):
                    parts.append(value)
    return "\x00".join(parts)


def foreign_text(html: str, user_data: str) -> list[str]:
    """The pieces of a page that are Chinese and not the users' data."""
    parser = _Text()
    parser.feed(html)
    bad = []
    for piece in parser.pieces:
        if any(run not in user_data for run in HAN.findall(piece)):
            bad.append(piece)
    return bad


def _page_links(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.links


def _route_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


@pytest.fixture
def demo_company(db):
    call_command("demo", password=PASSWORD)


def _walk(client, start="/"):
    """Breadth-first over the site's links: {url: response} of the pages reached."""
    seen, queue, pages, per_route = set(), [start], {}, {}
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("/api/"):
            continue
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        if url in seen:
            continue
        seen.add(url)
        name = _route_name(parts.path)
        if name is None or name in NOT_PAGES or name == "logout":
            continue
        if per_route.get(name, 0) >= PAGES_PER_ROUTE:
            continue
        per_route[name] = per_route.get(name, 0) + 1
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[url] = (name, html)
        queue.extend(_page_links(html))
    return pages


def test_every_page_in_english_shows_no_chinese_outside_user_data(demo_company, client):
    from kehu.org.models import User

    client.cookies["django_language"] = "en"
    User.objects.update(language="en")
    user_data = _user_data()
    reached: set[str] = set()
    problems = []
    for role in ROLES:
        person = User.objects.filter(roles__code=role, is_active=True).order_by("pk").first()
        assert person is not None, role
        client.logout()
        assert log_in(client, person.username, PASSWORD)
        client.cookies["django_language"] = "en"
        for url, (name, html) in _walk(client).items():
            reached.add(name)
            for piece in foreign_text(html, user_data):
                problems.append(f"{role} {url}: {piece}")
    if problems and os.environ.get("KEHU_ENGLISH_REPORT"):
        Path(os.environ["KEHU_ENGLISH_REPORT"]).write_text("\n".join(sorted(set(problems))))
    assert sorted(set(problems)) == []
    pages = {name for name in named_routes() if not name.startswith("api:")}
    post_only = {r.url_name for r in SCOPED.values() if r.method == "post"}
    unreached = sorted(pages - reached - post_only - set(NOT_PAGES) - UNSCOPED_ACTIONS)
    assert unreached == []


# Unscoped routes that only take a POST (the leak register knows them as unscoped, not by method).
UNSCOPED_ACTIONS = {
    "org:department_move",
    "org:department_close",
    "org:user_status",
    "org:user_password",
    "org:role_delete",
    "customers:import_job_run",
    "approvals:flow_off",
    "approvals:delegation_cancel",
    "login",
}
assert UNSCOPED_ACTIONS <= set(UNSCOPED) | {"login"}


def test_every_form_label_in_chinese_is_translated(demo_company, client):
    """The other half: in Chinese, no form label is left in English (a model field without a verbose name shows
    its attribute name, "Contact")."""
    from kehu.approvals import registry
    from kehu.org.models import User

    # the test suite's own document types (tests/scoped_app) are not translated: they are not the product's
    test_only = {str(t.label) for t in registry.all_types() if t.model.__module__.startswith("tests.")}
    untranslated = set()
    for role in ROLES:
        person = User.objects.filter(roles__code=role, is_active=True).order_by("pk").first()
        client.logout()
        assert log_in(client, person.username, PASSWORD)
        client.cookies["django_language"] = "zh-hans"
        for url, (_name, html) in _walk(client).items():
            parser = _Labels()
            parser.feed(html)
            for label in parser.labels:
                words = re.sub(r"\b(API|URL|Excel|ID|B2B|WeChat|E-mail)\b", "", label)
                if re.search(r"[A-Za-z]{2,}", words) and not HAN.search(label) and label not in test_only:
                    untranslated.add(f"{url}: {label}")
    if untranslated and os.environ.get("KEHU_ENGLISH_REPORT"):
        Path(os.environ["KEHU_ENGLISH_REPORT"]).write_text("\n".join(sorted(untranslated)))
    assert sorted(untranslated) == []
