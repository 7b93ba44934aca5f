"""Pagination shared by the list pages (kehu.core.resources): page sizes 20/50/100 and a capped count."""

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
