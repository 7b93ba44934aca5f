from django.urls import path

from kehu.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, {"scope": "mine"}, name="mine"),
    path("shared/", views.customer_list, {"scope": "shared"}, name="shared"),
    path("manage/", views.customer_list, {"scope": "all"}, name="manage"),
    path("new/", views.customer_create, name="create"),
    path("check-duplicates/", views.check_duplicates, name="check_duplicates"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/contacts/new/", views.contact_edit, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/contacts/<int:contact_pk>/delete/", views.contact_delete, name="contact_delete"),
    path("<int:pk>/share/", views.customer_share, name="share"),
    path("<int:pk>/shares/<int:share_pk>/end/", views.share_end, name="share_end"),
    path("transfer/", views.customer_transfer, name="transfer"),
    path("handover/", views.handover, name="handover"),
    path("merge/", views.merge, name="merge"),
]
