"""Excel export of the customer list: the rows of `customers_for(user, scope)` narrowed by the same
`CustomerFilter` (and sort) as the list page, with each customer's primary contact.

The columns are the import template's (so an exported file can be edited and imported elsewhere), then the
customer number, owner, status and dates. The workbook is written row by row (`kehu.core.xlsx.Book`, write-only),
reading the customers in chunks, so memory stays flat whatever the row count.
"""

from collections.abc import Callable

from django.db.models import OuterRef, Subquery
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core import filejobs
from kehu.core.xlsx import Book
from kehu.customers.imports import COLUMNS
from kehu.customers.models import Contact, Customer
from kehu.customers.resources import CUSTOMERS
from kehu.customers.services import require

BACKGROUND_ROWS = 5000  # larger exports are written by a background task with a progress bar
CHUNK = 2000
CONTACT_FIELDS = ("name", "title", "mobile", "email")


def export_queryset(user, params: QueryDict | dict | None = None, scope: str = "mine"):
    """The customers an export of the list `scope` with the filters `params` contains: exactly the rows of
    that list (`CUSTOMERS.listing`: the same tab permission, filters and sort). Needs customers.export."""
    require(user, "export")
    params = QueryDict(mutable=True) if params is None else params.copy()
    params[CUSTOMERS.tab_param] = scope  # an unknown list is the default one, as on the page
    _tab, queryset, _filters, _sort = CUSTOMERS.listing(user, params)
    queryset = queryset.select_related("source")
    primary = Contact.objects.filter(customer=OuterRef("pk")).order_by("-is_primary", "id")
    return queryset.annotate(**{f"contact_{name}": Subquery(primary.values(name)[:1]) for name in CONTACT_FIELDS})


def _headers() -> list[str]:
    return [
        *[c.zh for c in COLUMNS],
        "客户编号",
        "负责人",
        "状态",
        "创建时间",
        "最近活动",
    ]


def _label(item) -> str:
    return item.label if item is not None else ""


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _row(customer: Customer) -> list:
    return [
        customer.name,
        customer.credit_code,
        _label(customer.industry),
        _label(customer.level),
        _label(customer.source),
        _label(customer.region),
        customer.address,
        customer.website,
        customer.tags,
        customer.notes,
        *[getattr(customer, f"contact_{name}") or "" for name in CONTACT_FIELDS],
        customer.number,
        customer.owner.display_name if customer.owner_id else "",
        customer.get_status_display(),
        _when(customer.created_at),
        _when(customer.last_activity_at),
    ]


def write_export(queryset, target, progress: Callable[[int], None] | None = None) -> int:
    """Write the customers of `queryset` as a workbook to `target` (a path or a binary file); the row count."""
    book = Book(write_only=True)
    sheet = book.sheet(_("Customers"))
    sheet.header(_headers())
    count = 0
    for customer in queryset.iterator(chunk_size=CHUNK):
        sheet.append(_row(customer))
        count += 1
        if progress and count % CHUNK == 0:
            progress(count)
    book.save(target)
    return count


def export_file_name() -> str:
    return f"customers-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def export_job(job, path: str, progress: Callable[[int], None]) -> int:
    """A background export job's file (`filejobs.process_export`): the list as the job's creator saw it."""
    queryset = export_queryset(job.created_by, QueryDict(job.params.get("query", "")), job.params.get("scope", "all"))
    return write_export(queryset, path, progress=progress)


filejobs.register_exporter("customers", export_job)
