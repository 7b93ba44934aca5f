from django.apps import AppConfig


class BenchMemosConfig(AppConfig):
    """The benchmarks' own owned record (a memo with shares), installed only by `bench.settings`.

    The data-scope benchmark measures `visible_to` on a million of these without depending on any product
    module's fields or on the test suite's models.
    """

    name = "bench.memos"
    label = "bench_memos"

    def ready(self):
        from kehu.core import modules

        modules.register(modules.Module("memos", "Memos", ("view", "add", "change", "delete"), scoped=True))
