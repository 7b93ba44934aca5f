"""The customer lists walk an index in every offered sort, on both databases: no sort of the scope, on page 1 or
page 50 (issue 9 "Sort orders are index-walkable"; issue 8 "Missing indexes").

The querysets are built here the way a list builds them — `Customer.objects.visible_to(user)` narrowed to the
live customers, the relations joined, ordered `(field, pk)` in one direction — not taken from the list code, so
they state the rule the list code has to follow.

PostgreSQL: these are the real plans (no planner switches), with statistics (`ANALYZE`) over 20,000 customers,
the size from which the planner prefers walking an index for a page to sorting the table; SQLite's plans read
the same statistics.
"""

import random
from types import SimpleNamespace

import pytest
from django.utils import timezone

from kehu.customers.models import Customer, CustomerShare, FollowUp, PoolEvent, Visit
from tests.factories import DepartmentTree
from tests.support.plan_data import load_customers, loaded_once
from tests.support.plans import analyze, assert_walks, explain

pytestmark = pytest.mark.django_db

PAGE = 20
SORTS = {  # the list's sort keys (kehu.customers.queries.SORTS) → the index of the whole table it walks
    "last_activity_at": "customer_activity_idx",
    "name_pinyin": "customer_pinyin_idx",
    "created_at": "customer_created_idx",
}
MINE = {  # the same for one owner's list ("mine")
    "last_activity_at": "customer_owner_activity_idx",
    "name_pinyin": "customer_owner_pinyin_idx",
    "created_at": "customer_owner_created_idx",
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with loaded_once(django_db_blocker):
        org = DepartmentTree.build()
        loaded = load_customers(org)
        outside = Customer.objects.filter(owner_department=org.east).values_list("pk", flat=True)[:40]
        CustomerShare.objects.bulk_create(CustomerShare(customer_id=pk, user=org.manager) for pk in outside)
        pooled = Customer.objects.filter(owner__isnull=True).values_list("pk", "released_at")
        kinds = [PoolEvent.Kind.CLAIMED, PoolEvent.Kind.RELEASED, PoolEvent.Kind.WARNED, PoolEvent.Kind.RETURNED]
        PoolEvent.objects.bulk_create(
            (
                PoolEvent(customer_id=pk, kind=kinds[n % 4], at=released - timezone.timedelta(days=30 * n))
                for pk, released in pooled
                for n in range(10)
            ),
            batch_size=5_000,
        )
        load_activities(loaded)
        analyze()
        yield SimpleNamespace(org=org, **loaded)


def load_activities(loaded):
    """A follow-up and a visit on every customer, by its rep, spread over two years."""
    rng = random.Random(10)
    now = timezone.now()
    reps = loaded["reps"]
    followups, visits = [], []
    for pk in loaded["customer_ids"]:
        when = now - timezone.timedelta(days=rng.uniform(0, 730))
        due = (when + timezone.timedelta(days=rng.randint(1, 30))).date() if rng.random() < 0.7 else None
        followups.append(
            FollowUp(customer_id=pk, author=rng.choice(reps), content="电话沟通", happened_at=when, next_step_due=due)
        )
        visits.append(
            Visit(
                customer_id=pk,
                visitor=rng.choice(reps),
                purpose="拜访",
                planned_at=when,
                status=Visit.Status.DONE,
                checked_in_at=when + timezone.timedelta(minutes=rng.randint(0, 120)),
            )
        )
    FollowUp.objects.bulk_create(followups, batch_size=5_000)
    Visit.objects.bulk_create(visits, batch_size=5_000)


def live(user):
    """A customer list's rows as the list builds them: in the user's scope, not merged, not in the pool."""
    return Customer.objects.exclude(status=Customer.Status.MERGED).exclude(owner__isnull=True).visible_to(user)


def ordered(queryset, field: str, descending: bool = True):
    return queryset.order_by(f"-{field}", "-pk") if descending else queryset.order_by(field, "pk")


def page(queryset, number: int):
    start = (number - 1) * PAGE
    return queryset[start : start + PAGE]


def test_the_default_sort_walks_the_activity_index_in_a_managers_scope(world):
    """The manager's list (north and below, his own, shared with him) by last activity: the activity index
    walked backwards, the scope tested on each row; no temp B-tree / Sort over the ~7,000 rows in scope."""
    queryset = live(world.org.manager).order_by("-last_activity_at", "-pk")
    for number in (1, 50):
        assert_walks(page(queryset, number), "customer_activity_idx")


def test_a_tie_breaker_in_the_other_direction_cannot_walk_it(world):
    """The shape issue 9 measured (`-last_activity_at, pk`) sorts: the rule the lists follow is not optional."""
    plan = explain(page(live(world.org.manager).order_by("-last_activity_at", "pk"), 1))
    assert plan.sorts, plan


@pytest.mark.parametrize("descending", [True, False], ids=["descending", "ascending"])
@pytest.mark.parametrize("field", list(SORTS))
@pytest.mark.parametrize("who", ["manager", "everyone_viewer"])
def test_every_sort_walks_an_index_of_the_whole_table(world, who, field, descending):
    """A manager's scope and the "all" list of someone who sees everything, in every sort and both directions,
    on page 1 and page 50."""
    index = SORTS[field]
    queryset = ordered(live(getattr(world.org, who)), field, descending)
    for number in (1, 50):
        assert_walks(page(queryset, number), index)


@pytest.mark.parametrize("descending", [True, False], ids=["descending", "ascending"])
@pytest.mark.parametrize("field", list(MINE))
def test_my_customers_walk_an_owner_index_in_every_sort(world, field, descending):
    """A rep's own customers ("mine": `owner = me`), in every sort: the owner's slice of a composite index."""
    queryset = ordered(live(world.org.rep).filter(owner=world.org.rep), field, descending)
    assert_walks(page(queryset, 1), MINE[field])


@pytest.mark.parametrize("descending", [True, False], ids=["descending", "ascending"])
@pytest.mark.parametrize("who", ["manager", "everyone_viewer", "rep"])
def test_the_number_sort_reads_a_number_index_in_order(world, who, descending):
    """By customer number. The number is unique, so its index gives the order and `number, id` adds nothing:
    SQLite walks it (or the owner's composite) with no sort; PostgreSQL, not knowing that, adds an Incremental
    Sort presorted on the number — groups of one row each, never a sort of the scope. The rep's ~670 customers:
    shape only on PostgreSQL (it rightly sorts so few rows; the owner's composite index matches the order)."""
    user = getattr(world.org, who)
    rows = live(user).filter(owner=user) if who == "rep" else live(user)
    queryset = ordered(rows, "number", descending)
    numbers = {number_index(), "customer_owner_number_idx"}
    for number in (1, 10) if who == "rep" else (1, 50):  # the rep owns about 30 pages
        plan = explain(page(queryset, number), shape_only=who == "rep")
        assert plan.indexes & numbers, plan
        incremental = [n for n in plan.nodes if n["Node Type"] == "Incremental Sort"]
        assert all(n["Presorted Key"] == [n["Sort Key"][0].removesuffix(" DESC")] for n in incremental), plan
        assert len(plan.sorts) == len(incremental), plan
        if plan.vendor == "sqlite":
            assert not plan.sorts, plan


def number_index():
    """The unique index of the customer number (its name is the database's own)."""
    from django.db import connection

    table = Customer._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA index_list({table})")
            for _seq, name, unique, _origin, _partial in cursor.fetchall():
                cursor.execute(f"PRAGMA index_info({name})")
                if unique and [row[2] for row in cursor.fetchall()] == ["number"]:
                    return name
            raise AssertionError("no unique index on the customer number")
        constraints = connection.introspection.get_constraints(cursor, table)
    (name,) = [n for n, c in constraints.items() if c["unique"] and c["columns"] == ["number"]]
    return name


def test_the_pool_walks_its_partial_index(world):
    """The pool (no owner, newest release first) reads the partial index on `released_at` of the customers
    without an owner, never the owned ones. Pages 1 and 10: the pool here is 2,000 customers, so page 50 would
    be half of it, where reading it all and sorting is the better plan."""
    pool = Customer.objects.filter(owner__isnull=True, status=Customer.Status.ACTIVE)
    for number in (1, 10):
        assert_walks(page(pool.order_by("-released_at", "-pk"), number), "customer_pool_released_idx")


def test_new_customers_filtered_by_creation_date_use_the_creation_index(world):
    """The "new this week" view (`created_at >= monday`) reads the creation index as a range. PostgreSQL may
    fetch the week's rows through a bitmap of that index and sort them (a real plan, chosen when its statistics say
    the week is small), so there the test asks that the index serves the range, not that it is walked; the shape
    (the index delivering the order) is proven with sorts off."""
    week = timezone.now() - timezone.timedelta(days=7)
    recent = live(world.org.everyone_viewer).filter(created_at__gte=week).order_by("-created_at", "-pk")
    plan = explain(page(recent, 1))
    assert "customer_created_idx" in plan.indexes, plan
    assert not plan.full_scans(Customer._meta.db_table), plan
    assert_walks(page(recent, 1), "customer_created_idx", shape_only=True)


def test_a_customers_pool_history_walks_its_index(world):
    """The pool's log of one customer, latest first (the timeline, the pool list's "why it is here"): the
    `(customer, at, id)` index walked backwards. SQLite: the real plan. PostgreSQL: shape only (sequential scans
    and sorts off) — one customer has ten events here, which it rightly fetches and sorts; the test proves the
    index delivers the order for a customer with a long history."""
    pk = Customer.objects.filter(owner__isnull=True).order_by("pk").values_list("pk", flat=True)[17]
    history = PoolEvent.objects.filter(customer_id=pk).order_by("-at", "-pk")
    assert_walks(history[:100], "pool_event_customer_idx", shape_only=True)
    why = history.filter(kind__in=[PoolEvent.Kind.RELEASED, PoolEvent.Kind.RETURNED]).values("reason")[:1]
    assert_walks(why, "pool_event_customer_idx", shape_only=True)


def test_follow_ups_walk_their_indexes_in_both_sorts(world):
    """The follow-up list (FOLLOWUP_SORTS: when, due) over every follow-up, as for someone who sees everything.

    Only the unscoped rows: `FollowUp.objects.visible_to()` filters `customer IN (visible customers)`, and with
    that subquery SQLite drives the plan from the customer list (even an unrestricted one) and PostgreSQL hash
    joins a manager's scope, both then sorting every follow-up in scope. That is the queryset's shape, not a
    missing index (the report to the integrator says what to change); these indexes serve the fixed shape."""
    followups = FollowUp.objects.all()
    for number in (1, 50):
        assert_walks(page(followups.order_by("-happened_at", "-pk"), number), "followup_happened_idx")
    assert_walks(page(followups.order_by("next_step_due", "pk"), 1), "followup_due_idx")


def test_a_customers_follow_ups_walk_the_customer_index(world):
    """One customer's follow-ups, latest first (the timeline). Shape only on PostgreSQL, as for the pool's log:
    one follow-up a customer here."""
    pk = world.customer_ids[99]
    latest = FollowUp.objects.filter(customer_id=pk).order_by("-happened_at", "-pk")[:100]
    assert_walks(latest, "followup_customer_idx", shape_only=True)


def test_visits_walk_their_indexes(world):
    """All visits by planned time and check-in time (unscoped, for the reason the follow-up test gives), and one
    visitor's done box ("done": `visitor = me, status = done`, latest check-in first)."""
    visits = Visit.objects.all()
    for number in (1, 50):
        assert_walks(page(visits.order_by("-planned_at", "-pk"), number), "visit_planned_idx")
    assert_walks(page(visits.order_by("-checked_in_at", "-pk"), 1), "visit_checked_in_idx")
    done = visits.filter(visitor=world.reps[5], status=Visit.Status.DONE).order_by("-checked_in_at", "-pk")
    assert_walks(page(done, 1), "visit_visitor_done_idx")


# --- the child lists in a manager's scope (follow-ups, visits, contacts): a broad scope walks the list's index -----


def test_a_managers_follow_ups_walk_the_happened_index(world):
    """The manager's follow-ups (north and below: a broad scope, kehu.org.scope.is_broad), latest first, pages 1
    and 50: the follow-up index walked, each row's customer tested through its primary key (a correlated EXISTS),
    no list of every customer in scope built first and no sort of the follow-ups in scope.

    These child lists hold 20,000 rows here, a third of them in the manager's scope: PostgreSQL's real plan walks
    for page 1; for page 50 (3,000 rows to read, 1,000 of them skipped) it rightly hashes the whole small table
    and sorts, so page 50 is proven by shape there (sorts and sequential scans off). On the bench data set
    (100,000 customers and up) the real plan walks for page 50 too (docs/en/deployment.md), and the page after a
    cursor is a range of the index on both databases (test_the_page_after_a_cursor_is_a_range_of_the_same_index)."""
    followups = FollowUp.objects.visible_to(world.org.manager).order_by("-happened_at", "-pk")
    for number in (1, 50):
        plan = assert_walks(page(followups, number), "followup_happened_idx", shape_only=number > 1)
        assert not plan.full_scans(Customer._meta.db_table), plan


def test_a_managers_visits_walk_the_planned_index(world):
    visits = Visit.objects.visible_to(world.org.manager).order_by("-planned_at", "-pk")
    for number in (1, 50):
        assert_walks(page(visits, number), "visit_planned_idx", shape_only=number > 1)


def test_a_managers_contacts_walk_the_primary_key_newest_first(world):
    """The contacts API's default order (`-created`: the primary key): the table walked backwards in key order,
    no temp B-tree over the contacts in scope (issue 9: "is_primary DESC, id through a temp B-tree over 200k")."""
    from kehu.customers.models import Contact

    contacts = Contact.objects.visible_to(world.org.manager).order_by("-pk")
    for number in (1, 50):
        plan = explain(page(contacts, number), shape_only=number > 1)
        assert not plan.sorts, plan
        assert not plan.full_scans(Customer._meta.db_table), plan


def test_the_page_after_a_cursor_is_a_range_of_the_same_index(world):
    """Page 2 reached by the next link (kehu.core.listing): `(last_activity_at, id) < cursor` — the activity index
    walked from the cursor on, no OFFSET and no sort."""
    from kehu.core import resources

    resource = resources.get("customers.customer")
    _tab, rows, _filters, sort = resource.listing(world.org.manager, {"scope": "all"})
    first = resource.paginator(world.org.manager, rows, "all", sort, {}, PAGE).page(1)
    cursor = resource.paginator(world.org.manager, rows, "all", sort, {}, PAGE).cursor_after(first)
    seeking = resource.paginator(world.org.manager, rows, "all", sort, {"after": cursor}, PAGE)
    plan = assert_walks(seeking._seek(2)[:PAGE], "customer_activity_idx")
    assert "OFFSET" not in plan.sql.upper(), plan


def test_my_next_steps_start_from_my_open_steps(world):
    """ "My next steps" of the manager: his open steps (written and not handed on, or handed to him) through the two
    partial indexes, then their customers by primary key — never a walk of every author or of the follow-ups in
    his scope. The few open steps found are sorted (soonest due first, undated last: no index gives that order)."""
    from kehu.customers.queries import open_next_steps_for

    plan = explain(open_next_steps_for(world.org.manager)[:PAGE])
    assert plan.indexes & {"followup_open_written_idx", "followup_open_handed_idx"}, plan
    # (not `full_scans`: SQLite names the subqueries' tables by Django's shared aliases, U0 being the shares here)
    scans = [
        s for s in plan.steps if s.strip().startswith(("SCAN customers_followup", "Seq Scan on customers_followup"))
    ]
    assert not scans, plan
