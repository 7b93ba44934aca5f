"""List pages count at most 10,000 rows and say "more than" beyond."""

from kehu.core import listing
from kehu.core.listing import CappedPaginator
from kehu.org.models import User


def test_counts_are_capped(org, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    paginator = CappedPaginator(User.objects.order_by("pk"), 3)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (5, True, 2)
    monkeypatch.setattr(listing, "COUNT_CAP", 50)
    paginator = CappedPaginator(User.objects.order_by("pk"), 3)
    assert (paginator.count, paginator.capped) == (10, False)
