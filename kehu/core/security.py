"""Web security shared by every page: same-site `next=` redirects, the Content-Security-Policy (with a nonce per
request for the few inline blocks), and login for the API's schema and docs."""

import secrets

from django.conf import settings
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

NEXT_PARAMETERS = ("next",)


def safe_next(request, fallback: str = "/", value: str | None = None) -> str:
    """Where to go after a form: `next` from the POST body (or the query string) when it is a path on this site,
    otherwise `fallback` (a URL name or path; "" answers "", and the caller does not redirect). Off-site targets
    (`https://evil.example/`, `//evil.example`, `/\\evil.example`, `javascript:`) are never followed: one rule for
    every view that reads `next`."""
    if value is None:
        value = request.POST.get("next") or request.GET.get("next") or ""
    value = str(value).strip()
    if (
        value.startswith("/")
        and not value.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return resolve_url(fallback) if fallback else ""


def content_security_policy(nonce: str) -> str:
    """Everything from this site only (the assets are vendored); inline scripts and style blocks only with this
    request's nonce. Alpine.js (the standard build) evaluates its attribute expressions, hence 'unsafe-eval';
    style attributes are allowed (style-src-attr), style elements are not."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}' 'unsafe-eval'",
            f"style-src 'self' 'nonce-{nonce}'",
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    """Sets `request.csp_nonce` (templates: `nonce="{{ request.csp_nonce }}"`) and the Content-Security-Policy
    header on every answer; HSTS comes from Django's SecurityMiddleware (SECURE_HSTS_SECONDS, on with
    KEHU_SECURE_COOKIES=1)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", content_security_policy(request.csp_nonce))
        return response


def api_docs_urls() -> list:
    """/api/schema/ and /api/docs/: behind a login (session or token) unless KEHU_API_DOCS_PUBLIC=1. An anonymous
    request for the schema answers 401/403 in the error format; the docs page sends a person to the login page.
    The docs page loads its script from the site (no inline script), so the CSP holds there too."""
    from django.contrib.auth.decorators import login_required
    from django.urls import path
    from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
    from rest_framework.permissions import AllowAny, IsAuthenticated

    public = settings.KEHU_API_DOCS_PUBLIC
    permission = [AllowAny] if public else [IsAuthenticated]
    schema = SpectacularAPIView.as_view(permission_classes=permission)
    docs = SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=permission)
    return [
        path("schema/", schema, name="schema"),
        path("docs/", docs if public else login_required(docs), name="docs"),
    ]
