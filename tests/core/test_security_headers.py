"""Same-site redirects for every `next`, the Content-Security-Policy on every page, HSTS behind HTTPS, and login
for the API's schema and docs."""

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from kehu.core.security import content_security_policy, safe_next
from kehu.customers.models import Customer

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http://testserver.evil.example/",
]
TEMPLATES = Path(__file__).resolve().parents[2] / "kehu" / "templates"


@pytest.mark.parametrize("target", OFF_SITE)
def test_safe_next_never_leaves_the_site(rf, target):
    request = rf.post("/", {"next": target})
    assert safe_next(request, "/customers/") == "/customers/"


def test_safe_next_keeps_a_path_on_the_site(rf):
    assert safe_next(rf.post("/", {"next": "/customers/?tab=all"}), "/") == "/customers/?tab=all"


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _concrete(route: str, pk: int) -> str | None:
    if "(?P" in route or "^" in route:
        return None  # regex routes (the API router's) take no `next`
    return "/" + re.sub(r"<(?:int:)?\w+>", str(pk), re.sub(r"<(?:str|slug):\w+>", "x", route))


def test_no_route_redirects_off_site_whatever_next_says(client, org):
    """Every page route, as sales ops, GET and POST with each off-site `next`: no answer sends the browser away."""
    customer = Customer.objects.create(number="CU-N-1", name="某公司", name_normalized="某公司", owner=org.admin)
    client.force_login(org.admin)
    walked = 0
    for route in sorted(set(_routes())):
        url = _concrete(route, customer.pk)
        if url is None or url.startswith(("/api/", "/logout/")):
            continue
        for target in OFF_SITE[:3]:
            for response in (client.get(url, {"next": target}), client.post(url, {"next": target})):
                location = response.get("Location", "")
                assert not re.match(r"^(https?:)?[/\\]{2}|^javascript:|^https?:", location), (url, target, location)
        walked += 1
    assert walked > 60


def test_every_answer_carries_the_content_security_policy(client, org):
    client.force_login(org.rep)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert policy == content_security_policy(nonce)
    assert "'unsafe-inline'" not in policy.split("style-src-attr")[0]
    assert client.get("/").headers["Content-Security-Policy"] != policy  # a new nonce per answer


def test_templates_have_no_inline_script_or_style_block_without_the_nonce_and_no_inline_handler():
    problems = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", text):
            if "src=" not in tag and 'nonce="{{ request.csp_nonce }}"' not in tag:
                problems.append((template.name, tag))
        problems += [(template.name, h) for h in re.findall(r"\son[a-z]+=\"", text)]
    assert problems == []


def test_hsts_only_when_cookies_are_secure(monkeypatch):
    import importlib

    import kehu.settings as kehu_settings

    monkeypatch.setenv("KEHU_SECURE_COOKIES", "1")
    assert importlib.reload(kehu_settings).SECURE_HSTS_SECONDS == 31536000
    monkeypatch.setenv("KEHU_SECURE_COOKIES", "0")
    assert importlib.reload(kehu_settings).SECURE_HSTS_SECONDS == 0
    monkeypatch.delenv("KEHU_SECURE_COOKIES")
    importlib.reload(kehu_settings)


def test_hsts_header_is_sent_over_https_when_enabled(client, org, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.django_db
def test_schema_and_docs_need_a_login(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 403
    assert schema["Content-Type"] == "application/json" and set(schema.json()["error"]) == {"code", "message", "fields"}
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/login/")
