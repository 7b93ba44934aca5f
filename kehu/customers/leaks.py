from kehu.core.leakcheck import scoped, unscoped
from kehu.customers.models import Contact, Customer

scoped("customers:mine", Customer, "list", marker=lambda c: c.number, complete=False)
scoped("customers:shared", Customer, "list", marker=lambda c: c.number, complete=False)
# Customer lists leave out the public pool (it has its own page), so they show a subset of the scope.
scoped("customers:manage", Customer, "list", marker=lambda c: c.number, complete=False)
scoped("customers:detail", Customer, "detail")
scoped("customers:edit", Customer, "detail", action="change")
scoped("customers:share", Customer, "detail", action="change")
scoped("api:customer-list", Customer, "list", api=True, complete=False)
scoped("api:customer-detail", Customer, "detail", api=True)
scoped("api:customer-share", Customer, "detail", api=True, action="change", method="post")
scoped("api:contact-list", Contact, "list", api=True)
scoped("api:contact-detail", Contact, "detail", api=True)
unscoped(
    "forms and actions that act on customers through services that check permission and scope (404 outside it)",
    "customers:create",
    "customers:check_duplicates",
    "customers:contact_add",
    "customers:contact_edit",
    "customers:contact_delete",
    "customers:share_end",
    "customers:transfer",
    "customers:handover",
    "customers:merge",
    "api:customer-transfer",
    "api:customer-handover",
    "api:customer-merge",
    "api:customer-duplicates",
)
