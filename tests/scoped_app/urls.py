"""The product's URLs plus the test-only memo pages and API (see ScopedAppConfig)."""

from django.urls import include, path

from kehu import api_urls
from kehu.urls import handler400  # noqa: F401  (the product's error handlers)
from kehu.urls import urlpatterns as product_urlpatterns
from tests.scoped_app import views

api_urls.router.register("memos", views.MemoViewSet, basename="memo")
api_urls.urlpatterns[-1] = path("", include(api_urls.router.urls))

memo_patterns = (
    [path("", views.memo_list, name="memo_list"), path("<int:pk>/", views.memo_detail, name="memo_detail")],
    "scoped_app",
)
urlpatterns = [path("memos/", include(memo_patterns)), *product_urlpatterns]
