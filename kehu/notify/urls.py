from django.urls import path

from kehu.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.message_detail, name="message_detail"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("unread-badge/", views.unread_badge, name="unread_badge"),
]
