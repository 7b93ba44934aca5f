from django.urls import path

from kehu.sales import import_views, views

app_name = "sales"
urlpatterns = [
    path("", views.opportunity_list_mine, name="mine"),
    path("manage/", views.opportunity_list_all, name="manage"),
    path("kanban/", views.kanban, name="kanban"),
    path("new/", views.opportunity_create, name="create"),
    path("transfer/", views.opportunity_transfer, name="transfer"),
    path("import/", import_views.import_upload, name="import"),
    path("import/template/", import_views.import_template, name="import_template"),
    path("export/", import_views.export_list, name="export"),
    path("stages/", views.stage_list, name="stages"),
    path("stages/new/", views.stage_edit, name="stage_add"),
    path("stages/<int:pk>/", views.stage_edit, name="stage_edit"),
    path("followups/<int:pk>/review/", views.followup_review, name="followup_review"),
    path("<int:pk>/", views.opportunity_detail, name="detail"),
    path("<int:pk>/edit/", views.opportunity_edit, name="edit"),
    path("<int:pk>/submit/", views.opportunity_submit, name="submit"),
    path("<int:pk>/followups/new/", views.followup_add, name="followup_add"),
    path("<int:pk>/win/", views.opportunity_win, name="win"),
    path("<int:pk>/lose/", views.opportunity_lose, name="lose"),
    path("<int:pk>/reopen/", views.opportunity_reopen, name="reopen"),
]
