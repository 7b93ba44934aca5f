"""List pages: page size 20/50/100, total count, column sort from an allow-list."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

PAGE_SIZES = (20, 50, 100)
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: a manager's list of 140,000 customers says "more than 10,000"
    instead of making the database count them all on every page view."""

    @cached_property
    def _capped_count(self) -> int:
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, COUNT_CAP)

    @cached_property
    def capped(self) -> bool:
        return self._capped_count > COUNT_CAP


def paginate(request, queryset, sort_fields: dict[str, str] | None = None, default_sort: str | None = None):
    """Return (page, context) for a list page. `sort_fields` maps the public sort key to a model field."""
    sort = request.GET.get("sort") or default_sort or ""
    if sort_fields:
        key = sort.lstrip("-")
        if key in sort_fields:
            field = sort_fields[key]
            queryset = queryset.order_by(f"-{field}" if sort.startswith("-") else field, "pk")
        else:
            sort = ""
    try:
        size = int(request.GET.get("size", PAGE_SIZES[0]))
    except ValueError:
        size = PAGE_SIZES[0]
    if size not in PAGE_SIZES:
        size = PAGE_SIZES[0]
    paginator = CappedPaginator(queryset, size)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, {
        "page": page,
        "page_sizes": PAGE_SIZES,
        "size": size,
        "sort": sort,
        "query": query.urlencode(),
    }
