"""Data scope: what the scoped record query costs on a large data set, compared with the unscoped one.

The benchmarked user is a regional manager whose memos grant is "own department and below": his region has
provinces and teams under it and holds about 15% of the records at full scale.
"""

from django.db import connection
from django.db.models import Q

from bench.memos.models import Memo, MemoShare
from bench.registry import Case, benchmark
from kehu.org.scope import effective_scope

PAGE = 50


def _scoped_page(user):
    return Memo.objects.visible_to(user).order_by("-id")[:PAGE]


def _unscoped_page():
    return Memo.objects.order_by("-id")[:PAGE]


def _check(data, manager) -> list[str]:
    """Fail loudly unless the manager has the scope this benchmark claims to measure and the page is right."""
    scope = effective_scope(manager, "memos")
    if scope.everything or set(scope.department_ids) != set(data.manager_department_ids):
        raise AssertionError(f"the bench manager's scope is not his region and below: {scope}")
    page = list(_scoped_page(manager))
    shares = MemoShare.objects.filter(Q(user=manager) | Q(department_id=manager.department_id))
    shared = set(shares.values_list("memo_id", flat=True))
    allowed = set(data.manager_department_ids)
    wrong = [
        m.pk for m in page if m.owner_department_id not in allowed and m.owner_id != manager.pk and m.pk not in shared
    ]
    if len(page) != PAGE or wrong or [m.pk for m in page] != sorted((m.pk for m in page), reverse=True):
        raise AssertionError(f"the scoped page is wrong: {len(page)} rows, out of scope: {wrong}")
    visible = Memo.objects.visible_to(manager).count()
    share = f"{visible:,} of {data.rows:,} memos ({visible / data.rows:.1%})"
    return [f"manager {manager.username} sees {share} in {len(scope.department_ids)} departments"]


@benchmark("org.scope_list_manager", goal=1.5, baseline=f"unscoped Memo.objects.order_by('-id')[:{PAGE}]")
def scope_list_manager(data):
    """A list page for the manager: the newest 50 he may see, his scope computed afresh as in every request."""
    notes = _check(data, data.fresh_manager())
    return Case(
        setup=data.fresh_manager,
        run=lambda user: list(_scoped_page(user)),
        baseline=lambda user: list(_unscoped_page()),
        explain=lambda: _scoped_page(data.fresh_manager()),
        notes=notes,
    )


@benchmark("org.scope_count_manager", baseline="unscoped Memo.objects.count()")
def scope_count_manager(data):
    """The total the manager's list shows (informational: counting 15% of the table vs all of it)."""
    return Case(
        setup=data.fresh_manager,
        run=lambda user: Memo.objects.visible_to(user).count(),
        baseline=lambda user: Memo.objects.count(),
    )


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@benchmark("org.scope_list_manager_sql", baseline="the unscoped page's SQL, through the driver")
def scope_list_manager_sql(data):
    """The database's part of org.scope_list_manager (informational): both pages' compiled SQL through the driver.

    No ORM and no scope computation: this ratio moves only with the query plan, so it tells a plan that
    degrades with the data apart from per-request overhead in Python.
    """
    scoped = _scoped_page(data.fresh_manager()).query.sql_with_params()
    unscoped = _unscoped_page().query.sql_with_params()
    return Case(run=lambda _: _fetch(*scoped), baseline=lambda _: _fetch(*unscoped))
