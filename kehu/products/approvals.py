"""The approvable documents of stock (see docs "approvals-admin"): what they do in approval is their models'
(`StockIn`, `Stocktake`: `ApprovableDocument` hooks) — approved, a stock-in posts one ledger row per line and a
stocktake posts its differences; rejected, returned or withdrawn, it is a draft its keeper can change and resubmit.
"""

from django.utils.translation import gettext_lazy as _

from kehu.approvals.registry import Field, register
from kehu.products.documents import STOCK_IN_DOC, STOCKTAKE_DOC
from kehu.products.models import StockIn, Stocktake

register(
    STOCK_IN_DOC,
    _("Stock-in"),
    StockIn,
    description=_("Goods received into a warehouse; stock rises once approved."),
    order=40,
    fields=(
        Field("number", _("Number"), "text", condition=False),
        Field("warehouse", _("Warehouse"), "text"),
        Field("supplier", _("Supplier"), "text"),
        Field("line_count", _("Number of lines"), "number"),
        Field("total_quantity", _("Total quantity"), "number"),
        Field("lines_text", _("Lines"), "text", condition=False, multiline=True),
        Field("created_by", _("Created by"), "user"),
    ),
)

register(
    STOCKTAKE_DOC,
    _("Stocktake"),
    Stocktake,
    description=_("A count of a warehouse; the differences are posted as adjustments once approved."),
    order=41,
    fields=(
        Field("number", _("Number"), "text", condition=False),
        Field("warehouse", _("Warehouse"), "text"),
        Field("line_count", _("Number of lines"), "number"),
        Field("difference_count", _("Lines with a difference"), "number"),
        Field("lines_text", _("Lines"), "text", condition=False, multiline=True),
        Field("created_by", _("Created by"), "user"),
    ),
)
