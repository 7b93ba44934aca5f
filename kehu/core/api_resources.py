"""API viewsets made from a declared resource (kehu.core.resources): the list reads `Resource.listing`, a
record `Resource.get_for_user`, so the API shows what the page shows."""

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, viewsets


class ResourceFilterBackend(DjangoFilterBackend):
    """Tab, filters and sort exactly as the resource's list page reads them (`Resource.listing`). Subclassing
    DjangoFilterBackend keeps the FilterSet's parameters in the OpenAPI schema."""

    def get_filterset_class(self, view, queryset=None):
        return view.resource.filterset

    def filter_queryset(self, request, queryset, view):
        if view.action != "list":
            return queryset
        params = search_alias(request.query_params, view.resource.filter_names)
        tab, rows, filters, sort = view.resource.listing(request.user, params, request)
        if filters is not None and filters.is_bound and not filters.is_valid():
            raise exceptions.ValidationError(filters.errors)
        view.listed = (tab, sort)  # for the paginator (kehu.core.api.Pagination): the count's key, the seek
        return rows.prefetch_related(*view.prefetch) if view.prefetch else rows


SEARCH_PARAM = "search"  # DRF's name for a search; lists made from a resource search with their FilterSet's `q`


def search_alias(params, filter_names):
    """`?search=` is the same search as `?q=` on a list whose FilterSet has `q` (every list searches under both
    names; `q` wins when both are given)."""
    if SEARCH_PARAM in params and "q" in filter_names and "q" not in params:
        params = params.copy()
        params["q"] = params[SEARCH_PARAM]
    return params


def parse_body(serializer_class, data, partial=False, **kwargs) -> dict:
    """Validate a request body with `serializer_class`; a body that is not an object answers 400 too."""
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("The request body must be a JSON object.")]})
    serializer = serializer_class(data=data, partial=partial, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ResourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and read one declared resource: the list is `resource.listing` (same tab, filters, sort and
    permission as the page and the export); a record is `resource.get_for_user` (404 outside the scope).
    Subclasses add the resource's actions, each calling a service."""

    resource = None  # a kehu.core.resources.Resource
    prefetch: tuple[str, ...] = ()  # relations the serializer of the list reads (one query each, not one per row)
    filter_backends = [ResourceFilterBackend]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.resource is not None and "list" not in cls.__dict__:  # document the tab and sort parameters
            inherited = cls.list

            @extend_schema(parameters=cls.list_parameters(cls.resource))
            def list(self, request, *args, **kwargs):  # noqa: A001
                return inherited(self, request, *args, **kwargs)

            cls.list = list

    def get_serializer_class(self):
        if self.serializer_class is not None:
            return self.serializer_class
        serializer = self.resource.serializer
        return import_string(serializer) if isinstance(serializer, str) else serializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.resource.model.objects.none()
        return self.resource.base(self.request.user, self.resource.tab_for(None))

    def get_object(self):
        obj = self.resource.get_for_user(self.request.user, self.kwargs[self.lookup_field])
        self.check_object_permissions(self.request, obj)
        return obj

    @classmethod
    def list_parameters(cls, resource):
        parameters = [
            OpenApiParameter(
                "sort",
                OpenApiTypes.STR,
                enum=sorted([*resource.sorts, *[f"-{k}" for k in resource.sorts]]),
                description=f"default {resource.default_sort}"
                if resource.default_sort
                else "default: the list's own order",
            )
        ]
        if "q" in resource.filter_names:
            parameters.append(
                OpenApiParameter(SEARCH_PARAM, OpenApiTypes.STR, description="the same search as q (q wins)")
            )
        if resource.tabs:
            parameters.append(
                OpenApiParameter(
                    resource.tab_param,
                    OpenApiTypes.STR,
                    enum=[tab.key for tab in resource.tabs],
                    description=f"default {resource.tab_for(None)}",
                )
            )
        return parameters
