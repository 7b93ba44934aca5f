from django.urls import path

from kehu.org import views

app_name = "org"
urlpatterns = [
    path("departments/", views.department_list, name="departments"),
    path("departments/new/", views.department_edit, name="department_add"),
    path("departments/<int:pk>/", views.department_edit, name="department_edit"),
    path("departments/<int:pk>/move/", views.department_move, name="department_move"),
    path("departments/<int:pk>/close/", views.department_close, name="department_close"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_edit, name="user_add"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/status/", views.user_status, name="user_status"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("roles/", views.role_list, name="roles"),
    path("roles/new/", views.role_edit, name="role_add"),
    path("roles/<int:pk>/", views.role_edit, name="role_edit"),
    path("roles/<int:pk>/delete/", views.role_delete, name="role_delete"),
    path("authorise/", views.authorise, name="authorise"),
]
