"""Middleware every request passes: the API's one error format for answers Django gives before DRF is reached."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _message(status: int) -> tuple[str, str]:
    return {
        400: ("invalid", _("The request could not be read.")),
        403: ("permission_denied", _("You do not have permission to perform this action.")),
        404: ("not_found", _("Not found.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        413: ("too_large", _("The request body is too large.")),
        429: ("locked_out", _("Too many failed logins for this account. Try again later.")),
    }.get(status, ("error", _("The request could not be handled.")))


class ApiErrorFormatMiddleware:
    """An error under /api/ that did not come from the API's own handler (no route for the path, a body Django
    refused, the login lockout) answers in the API's format {"error": {"code", "message", "fields"}} as JSON,
    never as an HTML page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
            and not getattr(response, "streaming", False)
        ):
            code, message = _message(response.status_code)
            replacement = HttpResponse(
                json.dumps({"error": {"code": code, "message": message, "fields": {}}}, ensure_ascii=False),
                status=response.status_code,
                content_type="application/json",
            )
            for header in ("Allow", "Retry-After", "Vary"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response
