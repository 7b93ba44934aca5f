"""The REST API's routes: each app contributes its viewsets here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from kehu.core.api_views import DictionaryItemViewSet, DictionaryViewSet
from kehu.customers.api import ContactViewSet, CustomerViewSet
from kehu.notify.api import MessageViewSet
from kehu.org import api as org_api

router = DefaultRouter()
router.register("departments", org_api.DepartmentViewSet, basename="department")
router.register("users", org_api.UserViewSet, basename="user")
router.register("roles", org_api.RoleViewSet, basename="role")
router.register("dictionaries", DictionaryViewSet, basename="dictionary")
router.register("dictionary-items", DictionaryItemViewSet, basename="dictionary-item")
router.register("messages", MessageViewSet, basename="message")
router.register("customers", CustomerViewSet, basename="customer")
router.register("contacts", ContactViewSet, basename="contact")

app_name = "api"
urlpatterns = [
    path("me/", org_api.me, name="me"),
    path("authorise/", org_api.authorise, name="authorise"),
    path("token/", obtain_auth_token, name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
