"""Excel export of an opportunity list: exactly the rows of `OPPORTUNITIES.listing` (tab permission, filters,
sort), the import template's columns first (so a file can be edited and imported again), then the rest."""

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.xlsx import Book
from kehu.sales.imports import COLUMNS
from kehu.sales.resources import OPPORTUNITIES
from kehu.sales.services import require

MAX_ROWS = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_queryset(user, params: QueryDict | dict | None = None, scope: str = "mine"):
    require(user, "export")
    params = QueryDict(mutable=True) if params is None else params.copy()
    params[OPPORTUNITIES.tab_param] = scope
    _tab, queryset, _filters, _sort = OPPORTUNITIES.listing(user, params)
    return queryset.select_related("source", "loss_reason", "won_by_competitor")


def _headers() -> list[str]:
    return [
        *[c.zh for c in COLUMNS],
        "商机编号",
        "状态",
        "审批",
        "负责人",
        "赢单金额",
        "成交日期",
        "输单原因",
        "创建时间",
    ]


def _row(o) -> list:
    return [
        o.customer.number,
        o.name,
        o.amount,
        o.expected_close_date,
        o.stage.name,
        o.source.label if o.source_id else "",
        o.next_step,
        o.description,
        o.number,
        o.get_status_display(),
        o.get_approval_status_display(),
        o.owner.display_name,
        o.won_amount,
        o.closed_on,
        o.loss_reason.label if o.loss_reason_id else "",
        timezone.localtime(o.created_at).strftime("%Y-%m-%d %H:%M"),
    ]


def write_export(queryset, target) -> int:
    book = Book(write_only=True)  # formula-safe cells, typed values only where Kehu typed them (kehu.core.xlsx)
    sheet = book.sheet(_("Opportunities")[:31])
    sheet.header(_headers())
    count = 0
    for opportunity in queryset[:MAX_ROWS].iterator(chunk_size=2000):
        sheet.append(_row(opportunity))
        count += 1
    book.save(target)
    return count


def export_file_name() -> str:
    return f"opportunities-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
