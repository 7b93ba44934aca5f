"""Size limits of what one request may carry, in one place (documented in docs/en/deployment.md, "Limits"):

- text: a text field without a length of its own (notes, descriptions) takes `KEHU_MAX_TEXT_LENGTH` characters
  (`kehu.core.textinput`);
- lists: a list in an API body (customers to transfer, people to share with, nested records) takes
  `KEHU_MAX_LIST_LENGTH` items unless it declares a smaller bound; the page's batch bar the same
  (`selected_ids`). Installed into DRF's list fields once (`install()`), so a module's serializers get it;
- bodies: a request body without files takes `DATA_UPLOAD_MAX_MEMORY_SIZE` bytes, one with a file upload
  `MAX_UPLOAD_BYTES` (`RequestSizeMiddleware`); a page posting more than `DATA_UPLOAD_MAX_NUMBER_FIELDS` fields is
  answered by `bad_request`.
Every refusal is in the user's language: the API's error format for the API, a field message or a page with the
message (never Django's bare "Bad Request (400)") for pages.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 51 * 1024 * 1024  # an import file (kehu.core.importing.MAX_FILE_BYTES) and its form fields


def max_list_length() -> int:
    return getattr(settings, "KEHU_MAX_LIST_LENGTH", 500)


def max_body_bytes() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


def too_many_message(count: int, limit: int | None = None) -> str:
    limit = limit or max_list_length()
    return _("At most %(max)d at once (this has %(n)d).") % {"max": limit, "n": count}


def selected_ids(values, limit: int | None = None) -> list[int]:
    """The record ids a page's batch bar posted (`request.POST.getlist("ids")`): at most `limit`
    (default `max_list_length()`), else ValidationError with the message to show."""
    ids = [int(v) for v in values if str(v).isdigit() and len(str(v)) < 19]
    limit = limit or max_list_length()
    if len(ids) > limit:
        raise ValidationError(too_many_message(len(ids), limit), code="too_many")
    return ids


def check_length(items, limit: int | None = None, field: str | None = None) -> None:
    """A service's bound on a list it is given (the API and pages check before calling; this is for other callers)."""
    limit = limit or max_list_length()
    if len(items) > limit:
        message = too_many_message(len(items), limit)
        raise ValidationError({field: [message]} if field else message, code="too_many")


# --- DRF's list fields ---------------------------------------------------------------------------
_installed = False


def install() -> None:
    """Give every DRF ListField, ListSerializer (`many=True`) and many-related field a maximum length
    (`max_list_length()`, unless it declares its own), checked before any item is (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    from rest_framework import fields, relations, serializers

    def bounded(original, failing):
        def to_internal_value(self, data):
            limit = getattr(self, "max_length", None) or max_list_length()
            if isinstance(data, list | tuple) and len(data) > limit:  # before any item is checked
                failing(self, limit, len(data))
            return original(self, data)

        to_internal_value.__doc__ = "Kehu: at most max_list_length() items (kehu.core.limits)."
        return to_internal_value

    def field_fails(self, limit, count):
        raise fields.ValidationError(too_many_message(count, limit), code="max_length")

    def serializer_fails(self, limit, count):
        raise fields.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: [too_many_message(count, limit)]}, code="max_length"
        )

    from rest_framework.settings import api_settings

    fields.ListField.to_internal_value = bounded(fields.ListField.to_internal_value, field_fails)
    serializers.ListSerializer.to_internal_value = bounded(
        serializers.ListSerializer.to_internal_value, serializer_fails
    )
    relations.ManyRelatedField.to_internal_value = bounded(relations.ManyRelatedField.to_internal_value, field_fails)


# --- request bodies ------------------------------------------------------------------------------
def _refusal(request, message: str, status: int):
    if request.path.startswith("/api/"):
        code = "too_large" if status == 413 else "bad_request"
        return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)
    return render(request, "core/refused.html", {"message": message}, status=status)


class RequestSizeMiddleware:
    """Refuse a body larger than the limits before anything reads it: 413 with the message (the API's error
    format under /api/, a page otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        upload = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = MAX_UPLOAD_BYTES if upload else max_body_bytes()
        if length > limit:
            message = _("The request is too large: at most %(mb)s MB.") % {"mb": _megabytes(limit)}
            return _refusal(request, message, 413)
        return self.get_response(request)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def bad_request(request, exception=None):
    """`handler400`: a request Django could not read (too many fields, too large) in the user's language."""
    if isinstance(exception, TooManyFieldsSent):
        message = _("Too many values in one request: select at most %(max)d records at a time.") % {
            "max": max_list_length()
        }
    elif isinstance(exception, RequestDataTooBig):
        message = _("The request is too large: at most %(mb)s MB.") % {"mb": _megabytes(max_body_bytes())}
    else:
        message = _("The request could not be read.")
    return _refusal(request, message, 400)
