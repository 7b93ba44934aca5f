"""What every API endpoint shares: the module permission, pagination, the error format."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import InvalidPage
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, filters, pagination, permissions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from kehu.core.listing import CURSOR_PARAM
from kehu.core.locking import StaleEdit


class ModulePermission(permissions.BasePermission):
    """Read needs `<module>.view`, writes need `<module>.<write_action>` (the view's attributes; services check
    again)."""

    def has_permission(self, request, view):
        action = "view" if request.method in permissions.SAFE_METHODS else view.write_action
        return request.user.has_perm(f"{view.module}.{action}")


class Pagination(pagination.PageNumberPagination):
    """Page numbers, as the list pages have them, with the same capped and cached count and, for the page after
    one, the seek (kehu.core.listing): `next` carries `after=<cursor>`, which makes the next page an index range
    however deep it is. A client may follow `next` or ask for any `page` (an offset into the same index walk)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        listed = getattr(view, "listed", None)
        if listed is None or getattr(view, "resource", None) is None:
            return super().paginate_queryset(queryset, request, view)
        tab, sort = listed
        size = self.get_page_size(request)
        paginator = view.resource.paginator(request.user, queryset, tab, sort, request.query_params, size)
        try:
            self.page = paginator.page(self.get_page_number(request, paginator))
        except InvalidPage as exc:
            raise exceptions.NotFound(_("Invalid page.")) from exc
        self.cursor = paginator.cursor_after(self.page)
        self.request = request
        return list(self.page)

    def get_next_link(self):
        link = super().get_next_link()
        cursor = getattr(self, "cursor", "")
        return replace_query_param(link, CURSOR_PARAM, cursor) if link and cursor else link

    def get_previous_link(self):
        link = super().get_previous_link()
        return remove_query_param(link, CURSOR_PARAM) if link else link


class SearchFilter(filters.SearchFilter):
    """DRF's search with every character taken literally: terms are split at spaces and commas only, so a quote
    (`?search='`, `O'Neil`) is searched for instead of being read as the start of a phrase and dropped — which left
    an empty term and answered the whole list."""

    def get_search_terms(self, request):
        value = request.query_params.get(self.search_param, "")
        return [term for term in value.replace("\x00", "").replace(",", " ").split() if term]


def _flatten(detail):
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [str(item) for item in detail]
        return [_flatten(item) for item in detail]
    return [str(detail)]


def exception_handler(exc, context):
    """One error format for every endpoint: {"error": {"code", "message", "fields"}}."""
    if isinstance(exc, StaleEdit):
        body = {"error": {"code": "stale_edit", "message": str(exc), "fields": {}}}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError) and getattr(exc, "code", None) == "task_closed":
        body = {"error": {"code": "task_closed", "message": " ".join(exc.messages), "fields": {}}}
        return Response(body, status=status.HTTP_409_CONFLICT)  # handled already: a repeat is not an error to fix
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(fields)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = _flatten(detail)
        body = {"error": {"code": "invalid", "message": _("Please correct the fields below."), "fields": fields}}
    else:
        code = getattr(exc, "default_code", "error")
        detail = getattr(exc, "detail", str(exc))
        body = {"error": {"code": code, "message": str(detail), "fields": {}}}
    response.data = body
    return response


MAX_ID = 2**63 - 1  # the largest id a database row can have (64-bit signed)


class IdField(serializers.IntegerField):
    """A record id in a request body: a whole number from 1 to 2⁶³−1 (beyond that no row can have it, and the
    database would refuse the query), so an id too large is a field error, never a server error."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def id_list(**kwargs) -> serializers.ListField:
    """A list of record ids in a request body (see IdField)."""
    return serializers.ListField(child=IdField(), **kwargs)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField()


class ErrorSerializer(serializers.Serializer):
    """The API's error body (documented for operations whose error answers are part of their own schema)."""

    error = ErrorDetailSerializer()


class ObjectJSONParser(JSONParser):
    """Every JSON request body is an object: an array, a string or a number is a 400 before any view reads it (a
    view may then merge and look up keys in `request.data` safely)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": [_("The request body must be a JSON object.")]})
        return data
