"""Approvals: the to-do inbox of a manager among 10,000 open tasks (500 people) and 200,000 finished approvals
(issue 4, "Benchmarks"): the inbox page and one approve action, each as a ratio to the raw SQL of the inbox query
(the page's list and count statements replayed through the driver). Goal: ratio ≤ 2, both under 50 ms.

The approve action is POSTed through the test client like the browser's form (the task's step is passed and the
next step's task and message are created, then the page redirects); each repetition runs inside a transaction
that is rolled back, so every repetition approves the same task and the data set stays as built (the rollback
replaces the commit: no fsync is timed).
"""

from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse

from bench import approvals_dataset
from bench.customers import _capture, _client, _raw
from bench.registry import Case, benchmark
from kehu.approvals import queries
from kehu.approvals.models import FlowTask
from kehu.org.models import User

GOAL = 2.0
PAGE_MS = 30.0  # issue 9: a list page under 30 ms server time
ACTION_MS = 50.0  # issue 4: one approve action under 50 ms
RAW = "the inbox query's SQL (list + count) through the driver"


class _RolledBack(Exception):
    pass


def _inbox_statements(data):
    """The inbox query as the page runs it: the page of 20 tasks and the count."""

    user = data.fresh_manager()

    def inbox():
        tasks = queries.todo_tasks(user)
        list(tasks[:20])
        tasks.count()

    return _capture(inbox)


def _prepare(data):
    approvals = approvals_dataset.prepare(data)
    notes = [
        f"{approvals.counts.running:,} open tasks over the people, {approvals.counts.finished:,} finished approvals",
        f"the manager holds {queries.todo_tasks(data.fresh_manager()).count()} open tasks",
    ]
    if approvals.build_seconds is not None:
        notes.append(f"approval data generated in {approvals.build_seconds:.1f}s")
    return approvals, notes


@benchmark("approvals.inbox_page", goal=GOAL, baseline=RAW)
def inbox_page(data):
    """The to-do page (/approvals/, 20 rows) through the test client."""
    _approvals, notes = _prepare(data)
    client = _client(data)
    url = reverse("approvals:todo")

    def get(_):
        response = client.get(url)
        if response.status_code != 200 or b'class="approval-row"' not in response.content:
            raise AssertionError(f"GET {url}: {response.status_code}")
        return response

    statements = _capture(lambda: get(None))
    return Case(run=get, baseline=_raw(_inbox_statements(data)), notes=notes, ms_goal=PAGE_MS, queries=len(statements))


@benchmark("approvals.approve_action", goal=GOAL, baseline=RAW)
def approve_action(data):
    """Approving one task of the manager's inbox: POST /approvals/tasks/<id>/act/ (rolled back each time)."""
    _approvals, notes = _prepare(data)
    client = _client(data)
    task = queries.todo_tasks(data.fresh_manager()).order_by("created_at").first()
    url = reverse("approvals:act", kwargs={"pk": task.pk})

    def approve(_):
        try:
            with transaction.atomic():
                response = client.post(url, {"action": "approve", "comment": "同意", "layout": "pc"})
                if response.status_code != 302 or not FlowTask.objects.filter(pk=task.pk, state="done").exists():
                    raise AssertionError(f"POST {url}: {response.status_code}")
                raise _RolledBack
        except _RolledBack:
            pass
        return None

    approve(None)
    if FlowTask.objects.get(pk=task.pk).state != "open":
        raise AssertionError("the approve action was not rolled back")
    notes.append(f"on {connection.vendor}: each approval is rolled back, not committed")
    return Case(run=approve, baseline=_raw(_inbox_statements(data)), notes=notes, ms_goal=ACTION_MS)


@benchmark("approvals.inbox_query", goal=GOAL, baseline=RAW, ms_goal=PAGE_MS)
def inbox_query(data):
    """The inbox query alone through the ORM (20 tasks with their approvals and submitters, and the count)."""
    _approvals, notes = _prepare(data)

    def run(user):
        tasks = queries.todo_tasks(user)
        rows = list(tasks[:20])
        return rows, tasks.count()

    rows, total = run(data.fresh_manager())
    if len(rows) != min(20, total) or any(t.assignee_id != data.manager_id or t.state != "open" for t in rows):
        raise AssertionError("the inbox shows tasks that are not the manager's open ones")
    return Case(
        run=run,
        baseline=_raw(_inbox_statements(data)),
        setup=data.fresh_manager,
        explain=lambda: queries.todo_tasks(data.fresh_manager())[:20],
        notes=notes,
    )


@benchmark(
    "approvals.done_box",
    goal=GOAL,
    baseline="the done box's SQL (page 1, page 10) through the driver",
    ms_goal=PAGE_MS,
)
def done_box(data):
    """The done box (已办) of the person who handled the most tasks, latest first: page 1 and page 10 of 20 (the
    done index, walked)."""
    _approvals, notes = _prepare(data)
    handled = FlowTask.objects.filter(state=FlowTask.State.DONE).values("assignee").annotate(n=Count("id"))
    busiest = handled.order_by("-n", "assignee").first()

    def approver():
        return User.objects.get(pk=busiest["assignee"])  # a fresh user object: no cached scope

    done = busiest["n"]
    deep = (min(10, max(1, done // 20)) - 1) * 20
    notes.append(f"the busiest approver handled {done:,} tasks; pages 1 and {deep // 20 + 1}")

    def run(user):
        tasks = queries.done_tasks(user)
        return list(tasks[:20]), list(tasks[deep : deep + 20])

    rows, _deep_rows = run(approver())
    if not rows or any(t.assignee_id != busiest["assignee"] or t.state != "done" for t in rows):
        raise AssertionError("the done box shows tasks that are not the approver's handled ones")
    statements = _capture(lambda: run(approver()))
    return Case(
        queries=len(statements),
        run=run,
        baseline=_raw(statements),
        setup=approver,
        explain=lambda: queries.done_tasks(approver())[deep : deep + 20],
        notes=notes,
    )
