from django.urls import include, path
from django.views.generic import TemplateView

from kehu.core import views as core_views
from kehu.org import views as org_views

urlpatterns = [
    path("login/", org_views.LoginView.as_view(), name="login"),
    path("logout/", org_views.auth_views.LogoutView.as_view(), name="logout"),
    path("password/", org_views.PasswordChangeView.as_view(), name="password_change"),
    path("language/", core_views.set_language, name="set_language"),
    path(
        "manifest.webmanifest",
        TemplateView.as_view(template_name="manifest.webmanifest", content_type="application/manifest+json"),
        name="manifest",
    ),
    path("api/", include("kehu.api_urls")),
    path("org/", include("kehu.org.urls")),
    path("messages/", include("kehu.notify.urls")),
    path("customers/", include("kehu.customers.urls")),
    path("opportunities/", include("kehu.sales.urls")),
    path("products/", include("kehu.products.urls")),
    path("approvals/", include("kehu.approvals.urls")),
    path("targets/", include("kehu.sales.targets.urls")),
    path("cases/", include("kehu.sales.cases.urls")),
    path("", include("kehu.core.urls")),
]

handler400 = "kehu.core.limits.bad_request"  # too many fields or too large: a message, never a bare "Bad Request"
handler403 = "kehu.core.views.permission_denied"
handler404 = "kehu.core.views.page_not_found"
handler500 = "kehu.core.views.server_error"
