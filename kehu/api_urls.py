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
from kehu.products import api as products_api
from kehu.products import import_views as product_import_views
from kehu.sales import api as sales_api
from kehu.sales.cases.api import CaseViewSet
from kehu.sales.targets import api as targets_api


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
router.register("opportunities", sales_api.OpportunityViewSet, basename="opportunity")
router.register("stages", sales_api.StageViewSet, basename="stage")
router.register("opportunity-followups", sales_api.FollowUpReviewViewSet, basename="opportunity-followup")
router.register("products", products_api.ProductViewSet, basename="product")
router.register("price-lists", products_api.PriceListViewSet, basename="price-list")
router.register("warehouses", products_api.WarehouseViewSet, basename="warehouse")
router.register("stock", products_api.StockViewSet, basename="stock")
router.register("stock-moves", products_api.StockMoveViewSet, basename="stock-move")
router.register("stock-ins", products_api.StockInViewSet, basename="stock-in")
router.register("stocktakes", products_api.StocktakeViewSet, basename="stocktake")
router.register("approvals", approvals_api.InstanceViewSet, basename="approval")
router.register("approval-tasks", approvals_api.TaskViewSet, basename="approval-task")
router.register("approval-flows", approvals_api.FlowViewSet, basename="approval-flow")
router.register("targets", targets_api.TargetViewSet, basename="target")
router.register("cases", CaseViewSet, basename="case")
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
    path("opportunities/import/", sales_api.import_api, name="opportunity-import"),
    path("opportunities/export/", sales_api.export_api, name="opportunity-export"),
    path("targets/achievement/", targets_api.achievement, name="target-achievement"),
    path("targets/import/", targets_api.import_targets, name="target-import"),
    path("forecast/", targets_api.forecast, name="forecast"),
    path("products/import/", product_import_views.import_api, name="product-import"),
    path("products/export/", product_import_views.export_api, name="product-export"),
    path("", include(router.urls)),
]
