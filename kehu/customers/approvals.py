"""The customers' approvable documents (see docs "approvals-admin"); what they do in approval is their models'
(`Customer`, `TransferRequest`: `ApprovableDocument` hooks):

- customers.create — a new customer waits in approval (pending, locked); approved, it becomes active with the
  fields the approvers corrected; rejected, returned or withdrawn, it is a draft its owner can edit and resubmit.
- customers.transfer — a transfer or leaver handover waits for approval when ops published a flow for it;
  approved, the move is carried out as the requester.
"""

from django.utils.translation import gettext_lazy as _

from kehu.approvals.registry import Field, register
from kehu.core.models import DictionaryItem
from kehu.customers.models import Customer, TransferRequest
from kehu.customers.services import CREATE_DOC, TRANSFER_DOC


def _dictionary(code):
    def choices():
        items = DictionaryItem.objects.filter(dictionary__code=code, is_active=True).order_by("sort_order", "pk")
        return [(item.code, item.label) for item in items]

    return choices


register(
    CREATE_DOC,
    _("New customer"),
    Customer,
    description=_("A customer recorded by a rep becomes active once approved."),
    order=10,
    fields=(
        Field("name", _("Company name"), "text", editable=True),
        Field("credit_code", _("Unified social credit code"), "text", editable=True),
        Field("industry", _("Industry"), "choice", _dictionary("industry"), editable=True),
        Field("level", _("Customer level"), "choice", _dictionary("customer_level"), editable=True),
        Field("source", _("Customer source"), "choice", _dictionary("customer_source"), editable=True),
        Field("region", _("Region"), "choice", _dictionary("region"), editable=True),
        Field("address", _("Address"), "text", editable=True),
        Field("website", _("Website"), "text", editable=True, condition=False),
        Field("tags", _("Tags"), "text", editable=True),
        Field("notes", _("Notes"), "text", editable=True, condition=False, multiline=True),
        Field("owner", _("Owner"), "user"),
        Field("contact", _("Primary contact"), "text", condition=False),
        Field("contact_count", _("Number of contacts"), "number"),
    ),
)

register(
    TRANSFER_DOC,
    _("Customer transfer / handover"),
    TransferRequest,
    description=_("Transfers and leaver handovers are carried out once approved."),
    order=20,
    fields=(
        Field("kind", _("Kind"), "choice", lambda: TransferRequest.Kind.choices),
        Field("customer_count", _("Number of customers"), "number"),
        Field("customers", _("Customers"), "text", condition=False, multiline=True),
        Field("from_owners", _("Current owners"), "text", condition=False),
        Field("leaver", _("Person leaving"), "user"),
        Field("to_user", _("New owner"), "user"),
        Field("to_department", _("New owner's department"), "text"),
        Field("reason", _("Reason"), "text", condition=False),
    ),
)
