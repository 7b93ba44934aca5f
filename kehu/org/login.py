"""Login safety around django-axes: the lockout page, the client address behind a proxy, lockout state."""

from datetime import timedelta

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.org.forms import LoginForm


def lockout(request, response=None, credentials=None, *args, **kwargs):
    """Shown by django-axes instead of the login form after too many failed attempts."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    message = _(
        "Too many failed logins for this account. Try again in %(minutes)d minutes or ask your administrator to "
        "unlock it."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):  # the token endpoint answers in the API's error format
        body = {"error": {"code": "locked_out", "message": message, "fields": {}}}
        return JsonResponse(body, status=429, json_dumps_params={"ensure_ascii": False})
    return render(request, "org/login.html", {"form": LoginForm(request), "locked_out": message}, status=429)


def client_address_behind_proxy(request) -> str:
    """The address our reverse proxy saw: the last entry of X-Forwarded-For, which the proxy itself appends.

    Earlier entries are whatever the client sent and cannot be trusted; without the header (a request that
    did not pass through the proxy) the socket address is used.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    last = forwarded.split(",")[-1].strip()
    return last or request.META.get("REMOTE_ADDR", "")


def is_locked_out(username: str) -> bool:
    """True while repeated failed logins keep this account locked (the lock expires after the cool-off)."""
    from axes.models import AccessAttempt

    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    return AccessAttempt.objects.filter(
        username__iexact=username,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=since,
    ).exists()


def canonical_username(request, credentials=None) -> str:
    """The account a login attempt is counted against (django-axes' AXES_USERNAME_CALLABLE): the user whose
    username matches whatever letter case was typed (logins are case-insensitive), so `LeiLei` and `leilei` share
    one failure count and one lockout; a name that matches nobody is counted in lower case."""
    from kehu.org.models import User

    if credentials:
        typed = credentials.get("username")
    else:
        typed = getattr(request, "data", request.POST).get("username")
    typed = str(typed or "").strip()
    if not typed:
        return typed
    username = User.objects.filter(username__iexact=typed).values_list("username", flat=True).first()
    return username or typed.casefold()
