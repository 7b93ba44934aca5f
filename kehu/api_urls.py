"""The REST API's routes: each app contributes its viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from kehu.approvals import api as approvals_api
from kehu.core.api_views import DictionaryItemViewSet, DictionaryViewSet
from kehu.core.security import api_docs_urls
from kehu.customers import import_views
from kehu.customers.activity_api import FollowUpViewSet, VisitViewSet
from kehu.customers.api import ContactViewSet, CustomerViewSet
from kehu.customers.pool_api import PoolViewSet
from kehu.notify.api import MessageViewSet
from kehu.org import api as org_api


class Router(DefaultRouter):
    """Record ids in API paths are numbers: `/api/approvals/abc/` is a 404 from the router, never a 500 (viewsets
    looked up by another field, such as dictionaries by code, keep their own pattern)."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if not getattr(viewset, "lookup_value_regex", None) and getattr(viewset, "lookup_field", "pk") in ("pk", "id"):
            viewset.lookup_value_regex = "[0-9]+"
        return super().get_lookup_regex(viewset, lookup_prefix)


router = Router()
router.register("departments", org_api.DepartmentViewSet, basename="department")
router.register("users", org_api.UserViewSet, basename="user")
router.register("roles", org_api.RoleViewSet, basename="role")
router.register("dictionaries", DictionaryViewSet, basename="dictionary")
router.register("dictionary-items", DictionaryItemViewSet, basename="dictionary-item")
router.register("messages", MessageViewSet, basename="message")
router.register("customers", CustomerViewSet, basename="customer")
router.register("contacts", ContactViewSet, basename="contact")
router.register("pool", PoolViewSet, basename="pool")
router.register("followups", FollowUpViewSet, basename="followup")
router.register("visits", VisitViewSet, basename="visit")
router.register("approvals", approvals_api.InstanceViewSet, basename="approval")
router.register("approval-tasks", approvals_api.TaskViewSet, basename="approval-task")
router.register("approval-flows", approvals_api.FlowViewSet, basename="approval-flow")
router.register("approval-delegations", approvals_api.DelegationViewSet, basename="approval-delegation")

app_name = "api"
urlpatterns = [
    path("me/", org_api.me, name="me"),
    path("authorise/", org_api.authorise, name="authorise"),
    path("token/", org_api.TokenView.as_view(), name="token"),
    *api_docs_urls(),
    # before the router: "customers/import/" would otherwise be read as a customer id
    path("customers/import/", import_views.import_api, name="customer-import"),
    path("customers/export/", import_views.export_api, name="customer-export"),
    path("", include(router.urls)),
]
