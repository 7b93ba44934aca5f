from django.urls import path

from kehu.customers import activity_views, pool_views, views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list_mine, name="mine"),
    path("shared/", views.customer_list_shared, name="shared"),
    path("manage/", views.customer_list_all, name="manage"),
    path("new/", views.customer_create, name="create"),
    path("check-duplicates/", views.check_duplicates, name="check_duplicates"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/submit/", views.customer_submit, name="submit"),
    path("<int:pk>/contacts/new/", views.contact_edit, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/contacts/<int:contact_pk>/delete/", views.contact_delete, name="contact_delete"),
    path("<int:pk>/share/", views.customer_share, name="share"),
    path("<int:pk>/shares/<int:share_pk>/end/", views.share_end, name="share_end"),
    path("transfer/", views.customer_transfer, name="transfer"),
    path("handover/", views.handover, name="handover"),
    path("merge/", views.merge, name="merge"),
    # follow-ups and visits (activity_views.py)
    path("<int:pk>/followups/new/", activity_views.followup_create, name="followup_add"),
    path("<int:pk>/visits/new/", activity_views.visit_plan, name="visit_plan"),
    path("followups/", activity_views.followup_list, name="followups"),
    path("followups/next-steps/", activity_views.next_steps, name="next_steps"),
    path("followups/<int:pk>/", activity_views.followup_edit, name="followup_edit"),
    path("followups/<int:pk>/delete/", activity_views.followup_delete, name="followup_delete"),
    path("followups/<int:pk>/complete/", activity_views.followup_complete, name="followup_complete"),
    path("visits/", activity_views.visit_list, name="visits"),
    path("visits/<int:pk>/", activity_views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/check-in/", activity_views.visit_check_in, name="visit_check_in"),
    path("visits/<int:pk>/summary/", activity_views.visit_summary, name="visit_summary"),
    path("visits/<int:pk>/cancel/", activity_views.visit_cancel, name="visit_cancel"),
    path("visits/<int:pk>/review/", activity_views.visit_review, name="visit_review"),
    path("visits/<int:pk>/photo/", activity_views.visit_photo, name="visit_photo"),
    # The public pool (公海)
    path("pool/", pool_views.pool_list, name="pool"),
    path("pool/<int:pk>/", pool_views.pool_detail, name="pool_detail"),
    path("pool/<int:pk>/claim/", pool_views.pool_claim, name="pool_claim"),
    path("pool/claim/", pool_views.pool_claim_many, name="pool_claim_many"),
    path("pool/assign/", pool_views.pool_assign, name="pool_assign"),
    path("pool/release/", pool_views.release_many, name="pool_release_many"),
    path("pool/preview/", pool_views.pool_preview, name="pool_preview"),
    path("pool/settings/", pool_views.pool_settings, name="pool_settings"),
    path("<int:pk>/release/", pool_views.customer_release, name="pool_release"),
]

# Excel import and export (import_views.py)
from kehu.customers import import_views  # noqa: E402

urlpatterns += [
    path("import/", import_views.import_upload, name="import"),
    path("import/template/", import_views.import_template, name="import_template"),
    path("export/", import_views.export_list, name="export"),
    path("jobs/<int:pk>/", import_views.import_job, name="import_job"),
    path("jobs/<int:pk>/progress/", import_views.import_job_progress, name="import_job_progress"),
    path("jobs/<int:pk>/run/", import_views.import_job_run, name="import_job_run"),
    path("jobs/<int:pk>/errors/", import_views.import_job_errors, name="import_job_errors"),
    path("jobs/<int:pk>/download/", import_views.export_download, name="export_download"),
]
