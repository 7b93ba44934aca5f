from django.urls import path

from kehu.sales.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/publish/", views.case_publish, name="publish"),
    path("<int:pk>/withdraw/", views.case_withdraw, name="withdraw"),
    path("<int:pk>/attachments/", views.case_attach, name="attach"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_id>/delete/", views.attachment_delete, name="attachment_delete"),
]
