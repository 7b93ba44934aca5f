"""Data scope: what the scoped record query costs on a large data set, compared with the unscoped one."""

from django.db.models import Q

from bench.registry import Case, benchmark
from kehu.org.scope import effective_scope
from tests.scoped_app.models import Memo, MemoShare

PAGE = 50


def _check_scope(data, manager) -> list[str]:
    """Fail loudly if the benchmarked manager does not have the scope the benchmark claims to measure."""
    scope = effective_scope(manager, "memos")
    if scope.everything or set(scope.department_ids) != set(data.manager_department_ids):
        raise AssertionError(f"the bench manager's scope is not his region and below: {scope}")
    visible = Memo.objects.visible_to(manager).count()
    share = visible / data.rows
    return [f"manager {manager.username} sees {visible:,} of {data.rows:,} memos ({share:.1%}) in {len(scope.department_ids)} departments"]


@benchmark(
    "org.scope_list_manager",
    goal=1.5,
    baseline=f"unscoped Memo.objects.order_by('-id')[:{PAGE}]",
)
def scope_list_manager(data):
    """A list page of a regional manager ("department and below"): newest 50, scope computed per request."""
    manager = data.fresh_manager()
    notes = _check_scope(data, manager)
    page = list(Memo.objects.visible_to(manager).order_by("-id")[:PAGE])
    shared = set(MemoShare.objects.filter(Q(user=manager) | Q(department_id=manager.department_id)).values_list("memo_id", flat=True))
    allowed = set(data.manager_department_ids)
    wrong = [m.pk for m in page if m.owner_department_id not in allowed and m.owner_id != manager.pk and m.pk not in shared]
    if len(page) != PAGE or wrong or page != sorted(page, key=lambda m: -m.pk):
        raise AssertionError(f"the scoped page is wrong: {len(page)} rows, out of scope: {wrong}")
    return Case(
        setup=data.fresh_manager,
        run=lambda user: list(Memo.objects.visible_to(user).order_by("-id")[:PAGE]),
        baseline=lambda user: list(Memo.objects.order_by("-id")[:PAGE]),
        explain=lambda: Memo.objects.visible_to(data.fresh_manager()).order_by("-id")[:PAGE],
        notes=notes,
    )


@benchmark("org.scope_count_manager", baseline="unscoped Memo.objects.count()")
def scope_count_manager(data):
    """The total a list page shows for the same manager (informational: counting 15% of a table vs all of it)."""
    return Case(
        setup=data.fresh_manager,
        run=lambda user: Memo.objects.visible_to(user).count(),
        baseline=lambda user: Memo.objects.count(),
        explain=lambda: Memo.objects.visible_to(data.fresh_manager()),
    )
