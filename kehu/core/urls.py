from django.urls import path

from kehu.core import views

app_name = "core"
urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("me/", views.me, name="me"),
    path("settings/menus/", views.menu_list, name="menus"),
    path("settings/menus/<slug:key>/", views.menu_edit, name="menu_edit"),
    path("settings/dictionaries/", views.dictionary_list, name="dictionaries"),
    path("settings/dictionaries/<slug:code>/new/", views.dictionary_item_edit, name="dictionary_item_add"),
    path("settings/dictionaries/<slug:code>/<int:pk>/", views.dictionary_item_edit, name="dictionary_item_edit"),
]
