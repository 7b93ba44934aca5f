# Customer lists (pages and API) are declared in resources.py, which registers them here.
from kehu.core.leakcheck import scoped, unscoped
from kehu.customers.models import Customer

scoped("customers:detail", Customer, "detail")
scoped("customers:edit", Customer, "detail", action="change")
scoped("customers:submit", Customer, "detail", action="change", method="post")
scoped("api:customer-submit", Customer, "detail", api=True, action="change", method="post")
scoped("customers:share", Customer, "detail", action="change")
scoped("api:customer-share", Customer, "detail", api=True, action="change", method="post")
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

# Follow-ups and visits (activity_views.py, activity_api.py): visible exactly when their customer is.
from kehu.customers.models import FollowUp, Visit  # noqa: E402

scoped("customers:followup_add", Customer, "detail", action="change")
scoped("customers:visit_plan", Customer, "detail", action="change")
scoped("customers:followup_edit", FollowUp, "detail")  # read-only for all but the author within 24 hours
scoped("customers:followup_delete", FollowUp, "detail", method="post")
scoped("customers:followup_complete", FollowUp, "detail", method="post")
scoped("customers:visit_detail", Visit, "detail")
scoped("customers:visit_check_in", Visit, "detail", method="post")
scoped("customers:visit_summary", Visit, "detail", method="post")
scoped("customers:visit_cancel", Visit, "detail", method="post")
scoped("customers:visit_review", Visit, "detail", method="post")
scoped("api:followup-complete", FollowUp, "detail", api=True, method="post")
scoped("api:visit-check-in", Visit, "detail", api=True, method="post")
scoped("api:visit-summary", Visit, "detail", api=True, method="post")
scoped("api:visit-review", Visit, "detail", api=True, method="post")
scoped("api:visit-cancel", Visit, "detail", api=True, method="post")
unscoped(
    "the check-in photo, served through get_visit_for_user (404 outside the scope; tests/customers/test_visits.py)",
    "customers:visit_photo",
)
# The public pool: customers without an owner are open to everyone with customers.view by design; these pages
# read only pool customers (tests/customers/test_pool_visibility.py proves an owned customer never shows).
scoped("customers:pool_release", Customer, "detail", action="change", method="post")
unscoped(
    "the public pool: only customers without an owner, open to everyone with customers.view (test_pool_visibility)",
    "customers:pool_detail",
    "customers:pool_claim",
    "api:pool-claim",
)
unscoped(
    "pool actions and settings through services that check permission and scope (test_pool_views, test_pool_api)",
    "customers:pool_claim_many",
    "customers:pool_assign",
    "customers:pool_release_many",
    "customers:pool_preview",
    "customers:pool_settings",
    "api:pool-release",
    "api:pool-assign",
    "api:pool-preview",
)
unscoped(
    "Excel import/export: an import creates customers owned by the importer through imports.check_importer; an "
    "export contains exactly customers_for(user, scope) (tests/customers/test_export.py); a job answers 404 to "
    "anyone but its creator",
    "customers:import",
    "customers:import_template",
    "customers:export",
    "customers:import_job",
    "customers:import_job_progress",
    "customers:import_job_run",
    "customers:import_job_errors",
    "customers:export_download",
    "api:customer-import",
    "api:customer-export",
)
