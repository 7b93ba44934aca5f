"""Every create and submit happens once, whatever the double clicks and retries (one mechanism for every module):

- Pages: every POST form that carries Django's CSRF field gets a one-time token too (`_once`, added to the HTML
  answer by the middleware, so a new module's forms have it without doing anything). The first POST with a token
  runs; a second POST with the same token — a double click, a resent form — waits for the first and gets its
  answer (the same redirect) instead of writing again.
- API: a write with an `Idempotency-Key` header runs once per key and caller; a repeat gets the stored answer
  (status and body, header `Idempotent-Replayed: true`), or 409 while the first is still running.

Only a done write keeps its key — a page's redirect after its POST, an API's 2xx; a refusal (or a page showing the
form again with its errors) releases it, so the corrected form or a retry runs."""

import hashlib
import re
import secrets
import time

from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.translation import gettext as _

from kehu.core.models import Submission

FORM_FIELD = "_once"
HEADER = "HTTP_IDEMPOTENCY_KEY"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
WAIT_SECONDS = 15.0
KEY = re.compile(r"^[A-Za-z0-9_\-:.]{8,100}$")
CSRF_INPUT = re.compile(rb'(<input[^>]*name="csrfmiddlewaretoken"[^>]*>)')


def _owner(request) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization:
        return "auth:" + hashlib.sha256(authorization.encode()).hexdigest()[:40]
    return None


def _key(request) -> str | None:
    if request.method not in WRITE_METHODS:
        return None
    if request.path.startswith("/api/"):
        key = request.META.get(HEADER)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        key = request.POST.get(FORM_FIELD)
    else:
        key = None
    return key if key and KEY.match(key) else None


def _replay(row: Submission, api: bool):
    if api:
        response = HttpResponse(row.body, status=row.status, content_type=row.content_type or "application/json")
        response["Idempotent-Replayed"] = "true"
        return response
    return HttpResponseRedirect(row.location or row.path)


def _wait_for(owner, key) -> Submission | None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        row = Submission.objects.filter(owner=owner, key=key).first()
        if row is None or row.status is not None:
            return row
        time.sleep(0.1)
    return Submission.objects.filter(owner=owner, key=key).first()


class OnceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _key(request)
        owner = _owner(request) if key else None
        if key is None or owner is None:
            return self._with_tokens(self.get_response(request))
        api = request.path.startswith("/api/")
        try:
            with transaction.atomic():
                row = Submission.objects.create(owner=owner, key=key, method=request.method, path=request.path[:300])
        except IntegrityError:
            row = _wait_for(owner, key)
            if row is not None and row.status is not None:
                return _replay(row, api)
            if row is not None:  # still running after the wait
                if api:
                    message = _("This request is already being handled.")
                    body = {"error": {"code": "in_progress", "message": message, "fields": {}}}
                    return JsonResponse(body, status=409, json_dumps_params={"ensure_ascii": False})
                return HttpResponseRedirect(request.path)
            return self.__call__(request)  # the first one failed and released the key: run this one
        response = self.get_response(request)
        done = response.status_code < 300 if api else 300 <= response.status_code < 400
        if not done:  # refused (or a page showing the form again with its errors): the key is free again
            Submission.objects.filter(pk=row.pk).delete()
        else:
            row.status = response.status_code
            row.location = response.get("Location", "")[:500]
            if api and not getattr(response, "streaming", False):
                row.content_type = response.get("Content-Type", "")[:100]
                row.body = response.content.decode("utf-8", "replace")[:65536]
            row.save(update_fields=["status", "location", "content_type", "body"])
        return self._with_tokens(response)

    @staticmethod
    def _with_tokens(response):
        """Add a fresh one-time token beside the CSRF field of every form on an HTML page."""
        if (
            getattr(response, "streaming", False)
            or not response.get("Content-Type", "").startswith("text/html")
            or b'name="csrfmiddlewaretoken"' not in response.content
        ):
            return response

        def token(match):
            value = secrets.token_urlsafe(18).encode()
            return match.group(1) + b'<input type="hidden" name="' + FORM_FIELD.encode() + b'" value="' + value + b'">'

        response.content = CSRF_INPUT.sub(token, response.content)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
