from django.apps import AppConfig


class ScopedAppConfig(AppConfig):
    """A small owned model with pages and API routes, used to prove the data-scope machinery end to end.

    Installed only by the test settings and the benchmarks; the product's own owned models (customers,
    opportunities, orders, ...) register with the same calls.
    """

    name = "tests.scoped_app"
    label = "scoped_app"

    def ready(self):
        from kehu.core import modules
        from kehu.core.leakcheck import scoped
        from tests.scoped_app import approvals, resources  # noqa: F401  (tests.expense; the memo lists)
        from tests.scoped_app.models import Memo

        modules.register(modules.Module("memos", "Memos", ("view", "add", "change", "delete"), scoped=True))
        scoped("scoped_app:memo_detail", Memo, "detail")
