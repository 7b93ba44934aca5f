from django.urls import path

from kehu.sales.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.targets_page, name="page"),
    path("entries/", views.target_list, name="list"),
    path("edit/", views.edit_targets, name="edit"),
    path("copy/", views.copy_last_year, name="copy"),
    path("import/", views.import_page, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("forecast/", views.forecast_page, name="forecast"),
]
