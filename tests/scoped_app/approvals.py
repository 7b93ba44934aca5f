"""The test app's approvable documents, declared the way a product module declares one (the models are
`ApprovableDocument`s, tests/scoped_app/models.py)."""

from kehu.approvals.registry import Field, register
from tests.scoped_app.models import Expense, Purchase

CATEGORIES = [("travel", "差旅"), ("gift", "礼品"), ("event", "会务")]

register(
    "tests.expense",
    "Expense",
    Expense,
    fields=(
        Field("title", "Title", "text"),
        Field("amount", "Amount", "number", editable=True),
        Field("discount_rate", "Discount rate", "number"),
        Field("category", "Category", "choice", lambda: CATEGORIES, editable=True),
        Field("urgent", "Urgent", "bool"),
        Field("reviewer", "Reviewer", "user"),
        Field("owner", "Owner", "user"),
    ),
)

# A new document type is this declaration and `ApprovableDocument` among its model's bases: nothing else.
register(
    "tests.purchase",
    "Purchase request",
    Purchase,
    fields=(Field("title", "Title", "text"), Field("amount", "Amount", "number", editable=True)),
)
