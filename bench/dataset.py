"""The large, seeded data set: a company of 500 people in 50 departments and a million owned records.

Built once per database and scale (bulk inserts: `executemany` on SQLite, `COPY` on PostgreSQL), analysed
like a real deployment, and reused while its marker row (generator version, seed, counts) and its row
counts still match. Same seed, same scale → the same departments, people, owners and ids on every database.

The tree is HQ → functional departments, and HQ → regions → provinces → teams (four levels). Every
department has a head; most people sit in teams. Records are spread at random over all people (so record
ids, i.e. creation order, are not correlated with owners), each filed under its owner's department.
"""

import json
import random
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from bench import targets
from bench.memos.models import Memo, MemoShare
from kehu.org.models import Department, Role, RoleGrant, User

VERSION = 2  # bump whenever the generated data changes: cached data sets are then rebuilt
SEED = 20240601
BASE = {"departments": 50, "users": 500, "memos": 1_000_000}
MINIMUM = {"departments": 8, "users": 20, "memos": 100}
BATCH = 10_000
META_TABLE = "bench_meta"
FIRST_RECORD_AT = datetime(2023, 1, 1, tzinfo=UTC)
RECORD_SPAN = timedelta(days=3 * 365)
MANAGER_TARGET_SHARE = 0.15  # the benchmarked manager's region holds about this share of the records

FUNCTIONS = ["总经办", "销售管理部", "财务部", "售后服务部", "人力资源部", "市场部", "采购部", "信息技术部"]
REGIONS = ["华北大区", "华东大区", "华南大区", "华中大区", "西南大区", "西北大区", "东北大区", "港澳台大区"]
PROVINCES = [
    *("北京", "上海", "广东", "湖北", "四川", "陕西", "辽宁", "香港", "天津", "江苏", "福建", "湖南"),
    *("重庆", "甘肃", "吉林", "河北", "浙江", "广西", "河南", "云南", "宁夏", "黑龙江", "山西", "安徽"),
]
ORDINALS = "一二三四五六七八九十"
TOPICS = ["拜访记录", "电话沟通", "报价跟进", "合同评审", "需求调研", "售后回访", "招标信息", "竞品动态", "回款提醒"]
# people per department besides the head, by kind (weights for a seeded random draw)
STAFF_WEIGHT = {"hq": 2, "function": 4, "region": 2, "province": 3, "team": 10}
MEMO_ACTIONS = ["view", "add", "change"]


@dataclass(frozen=True)
class Counts:
    departments: int
    users: int
    memos: int
    shares: int

    @classmethod
    def for_scale(cls, scale: float) -> "Counts":
        n = {key: max(MINIMUM[key], round(base * scale)) for key, base in BASE.items()}
        return cls(n["departments"], n["users"], n["memos"], max(1, n["memos"] // 1000))


@dataclass
class DataSet:
    db: str  # "sqlite" or "postgresql"
    scale: float
    counts: Counts
    manager_id: int  # a regional manager: memos viewable "department and below", in a region with sub-departments
    manager_department_ids: list[int]  # the manager's department and those below it
    build_seconds: float | None = None  # None when the cached data set was reused

    @property
    def rows(self) -> int:
        return self.counts.memos

    def fresh_manager(self) -> User:
        """A new user object, as a request gets one: the scope cached on the user object is computed again."""
        return User.objects.get(pk=self.manager_id)


# --- the plan: departments and people, decided before anything is written ------------------------------


@dataclass
class DepartmentPlan:
    name: str
    kind: str
    parent: int | None  # index in the plan
    pk: int | None = None


def _numbered(names: list[str], count: int, fallback: str) -> list[str]:
    return [names[i] if i < len(names) else fallback.format(i + 1) for i in range(count)]


def plan_departments(count: int) -> list[DepartmentPlan]:
    functions = max(1, round(count * 0.08))
    regions = max(2, round(count * 0.12))
    provinces = max(regions, round(count * 0.24))
    teams = count - 1 - functions - regions - provinces
    plan = [DepartmentPlan("总公司", "hq", None)]
    plan += [DepartmentPlan(name, "function", 0) for name in _numbered(FUNCTIONS, functions, "职能部门{}")]
    region_at = len(plan)
    plan += [DepartmentPlan(name, "region", 0) for name in _numbered(REGIONS, regions, "第{}大区")]
    province_at = len(plan)
    for i, name in enumerate(_numbered(PROVINCES, provinces, "第{}省区")):
        plan.append(DepartmentPlan(f"{name}省区" if len(name) < 4 else name, "province", region_at + i % regions))
    teams_per_province = [0] * provinces
    for i in range(teams):
        province = i % provinces
        teams_per_province[province] += 1
        number = teams_per_province[province]
        province_name = plan[province_at + province].name.removesuffix("省区")
        ordinal = ORDINALS[number - 1] if number <= len(ORDINALS) else str(number)
        plan.append(DepartmentPlan(f"{province_name}{ordinal}组", "team", province_at + province))
    assert len(plan) == count
    return plan


def _subtree(plan: list[DepartmentPlan], root: int) -> list[int]:
    below = [root]
    for index, department in enumerate(plan):  # parents always come before their children
        if department.parent in below:
            below.append(index)
    return below


@dataclass
class PersonPlan:
    department: int
    head: bool
    username: str = ""
    pk: int | None = None


def plan_people(plan: list[DepartmentPlan], count: int, rng: random.Random) -> list[PersonPlan]:
    people = [PersonPlan(department=index, head=True) for index in range(len(plan))]
    weights = [STAFF_WEIGHT[d.kind] for d in plan]
    people += [
        PersonPlan(department=i, head=False) for i in rng.choices(range(len(plan)), weights, k=count - len(plan))
    ]
    people.sort(key=lambda p: (p.department, not p.head))
    for number, person in enumerate(people, start=1):
        person.username = f"u{number:05d}"
    return people


def choose_manager_region(plan: list[DepartmentPlan], people: list[PersonPlan]) -> int:
    """The region whose subtree holds the share of people closest to MANAGER_TARGET_SHARE."""
    per_department = [0] * len(plan)
    for person in people:
        per_department[person.department] += 1
    regions = [i for i, d in enumerate(plan) if d.kind == "region"]

    def distance(region):
        share = sum(per_department[i] for i in _subtree(plan, region)) / len(people)
        return abs(share - MANAGER_TARGET_SHARE), region

    return min(regions, key=distance)


# --- writing ---------------------------------------------------------------------------------------------


def _log(message: str) -> None:
    print(f"  [{connection.vendor}] {message}", flush=True)


def _create_departments(plan: list[DepartmentPlan]) -> None:
    for index, department in enumerate(plan):
        data = {"name": department.name, "code": f"D{index + 1:03d}"}
        if department.parent is None:
            department.pk = Department.objects.add_root(data).pk
        else:
            parent = Department.objects.get(pk=plan[department.parent].pk)  # fresh: treebeard updates numchild
            department.pk = Department.objects.add_child(parent, data).pk


def _create_roles() -> dict[str, Role]:
    roles = {role.code: role for role in Role.objects.all()}
    for scope in ("self", "department", "department_tree", "all"):
        code = f"bench_memos_{scope}"
        role = Role.objects.create(code=code, name_zh=f"备忘-{scope}", name_en=f"Memos: {scope}")
        RoleGrant.objects.create(role=role, module="memos", actions=MEMO_ACTIONS, scope=scope)
        roles[code] = role
    return roles


def _roles_of(person: PersonPlan, plan: list[DepartmentPlan]) -> list[str]:
    kind = plan[person.department].kind
    if kind == "hq":
        return ["sales_director", "bench_memos_all"] if person.head else ["sales_ops", "bench_memos_all"]
    if kind == "function":
        return ["sales_ops", "bench_memos_department_tree"] if person.head else ["sales_ops", "bench_memos_self"]
    if person.head and kind in ("region", "province"):
        return ["sales_manager", "bench_memos_department_tree"]
    if person.head:
        return ["sales_manager", "bench_memos_department"]
    return ["sales_rep", "bench_memos_self"]


def _create_people(plan: list[DepartmentPlan], people: list[PersonPlan], rng: random.Random) -> None:
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    password = make_password("bench-pass-123")
    joined = datetime(2020, 1, 1, tzinfo=UTC)
    users = [
        User(
            username=person.username,
            name=fake.name(),
            email=f"{person.username}@bench.example.cn",
            phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            password=password,
            department_id=plan[person.department].pk,
            title="负责人" if person.head else "销售代表",
            date_joined=joined,
        )
        for person in people
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    ids = dict(User.objects.values_list("username", "pk"))
    heads = {}
    for person in people:
        person.pk = ids[person.username]
        if person.head:
            heads[person.department] = person.pk
    for index, department in enumerate(plan):
        Department.objects.filter(pk=department.pk).update(head_id=heads[index])
    for person in people:
        department = plan[person.department]
        superior = heads.get(department.parent) if person.head else heads[person.department]
        if superior:
            User.objects.filter(pk=person.pk).update(superior_id=superior)
    roles = {code: role.pk for code, role in _create_roles().items()}
    through = User.roles.through
    through.objects.bulk_create(
        [through(user_id=person.pk, role_id=roles[code]) for person in people for code in _roles_of(person, plan)],
        batch_size=BATCH,
    )


def _insert(model, attnames: list[str], rows) -> None:
    """Bulk-insert tuples (in `attnames` order) through the driver: COPY on PostgreSQL, executemany elsewhere."""
    fields = [model._meta.get_field(name) for name in attnames]
    missing = {f.attname for f in model._meta.concrete_fields} - set(attnames)
    if missing:
        raise RuntimeError(f"bench generator does not fill {model.__name__}.{', '.join(sorted(missing))}: update it")
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)


def _memo_rows(counts: Counts, people: list[PersonPlan], plan: list[DepartmentPlan], rng: random.Random):
    adapt = connection.ops.adapt_datetimefield_value
    owners = [(p.pk, plan[p.department].pk) for p in people]
    step = RECORD_SPAN / counts.memos
    topics = TOPICS
    for start in range(0, counts.memos, BATCH):
        size = min(BATCH, counts.memos - start)
        chosen = rng.choices(owners, k=size)
        topic = rng.choices(range(len(topics)), k=size)
        for offset in range(size):
            pk = start + offset + 1
            owner, department = chosen[offset]
            at = adapt(FIRST_RECORD_AT + step * pk)
            yield (pk, 1, at, owner, f"{topics[topic[offset]]} #{pk}", at, owner, department)


def _share_rows(counts: Counts, people: list[PersonPlan], plan: list[DepartmentPlan], rng: random.Random):
    for pk in range(1, counts.shares + 1):
        memo = rng.randrange(1, counts.memos + 1)
        if rng.random() < 0.7:
            yield (pk, memo, rng.choice(people).pk, None, rng.random() < 0.3)
        else:
            yield (pk, memo, None, rng.choice(plan).pk, False)


def _analyze() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a load: statistics + visibility map
        else:
            cursor.execute("PRAGMA optimize")
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _write_marker(meta: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {META_TABLE} (key varchar(40) PRIMARY KEY, value text NOT NULL)")
        cursor.execute(f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s)", ["dataset", json.dumps(meta)])


def _read_marker() -> dict | None:
    return read_marker("dataset")


def read_marker(key: str) -> dict | None:
    """The marker row `key` of `bench_meta` (what a cached part of the data set was built from), if any."""
    if META_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {META_TABLE} WHERE key = %s", [key])
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def write_marker(key: str, meta: dict) -> None:
    """Replace the marker row `key` (the table exists once the base data set is built)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {META_TABLE} WHERE key = %s", [key])
        cursor.execute(f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s)", [key, json.dumps(meta)])


def _reset_database(scale: float) -> None:
    """An empty bench database with the current schema."""
    connection.close()
    if connection.vendor == "postgresql":
        server = targets.PostgresServer(targets.server_url())
        name = targets.postgresql_name(scale)
        server.drop(name)
        server.create(name)
    else:
        path = targets.sqlite_path(scale)
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    call_command("migrate", verbosity=0, interactive=False)


def build(scale: float, counts: Counts) -> dict:
    rng = random.Random(SEED)
    plan = plan_departments(counts.departments)
    people = plan_people(plan, counts.users, rng)
    region = choose_manager_region(plan, people)
    started = time.perf_counter()
    _log(f"building: {counts.departments} departments, {counts.users} users, {counts.memos:,} memos")
    _reset_database(scale)
    _log(f"schema migrated in {time.perf_counter() - started:.1f}s")
    with transaction.atomic():
        _create_departments(plan)
        _create_people(plan, people, rng)
    _log(f"departments and people in {time.perf_counter() - started:.1f}s")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB while loading: index pages stay in memory
    step = time.perf_counter()
    memo_fields = ["id", "version", "updated_at", "updated_by_id", "title", "created_at", "owner_id"]
    _insert(Memo, [*memo_fields, "owner_department_id"], _memo_rows(counts, people, plan, rng))
    _insert(
        MemoShare, ["id", "memo_id", "user_id", "department_id", "can_edit"], _share_rows(counts, people, plan, rng)
    )
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Memo, MemoShare, User, Department]):
            cursor.execute(sql)
    _log(f"memos loaded in {time.perf_counter() - step:.1f}s")
    step = time.perf_counter()
    _analyze()
    _log(f"analysed in {time.perf_counter() - step:.1f}s")
    manager = next(p for p in people if p.department == region and p.head)
    meta = {
        "version": VERSION,
        "seed": SEED,
        "scale": scale,
        "counts": asdict(counts),
        "manager_id": manager.pk,
        "manager_department_ids": [plan[i].pk for i in _subtree(plan, region)],
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    _write_marker(meta)
    connection.close()  # benchmarks start on a fresh connection with the default pragmas
    _log(f"data set built in {meta['build_seconds']:.1f}s")
    return meta


def _cached(scale: float, counts: Counts) -> dict | None:
    try:
        meta = _read_marker()
    except Exception:  # noqa: BLE001 - an unreadable database is rebuilt
        return None
    if not meta or meta.get("version") != VERSION or meta.get("seed") != SEED or meta.get("counts") != asdict(counts):
        return None
    actual = (Department.objects.count(), User.objects.count(), Memo.objects.count(), MemoShare.objects.count())
    if actual != (counts.departments, counts.users, counts.memos, counts.shares):
        return None
    return meta


def prepare(rebuild: bool = False) -> DataSet:
    """The data set for this process's database and scale: reused when cached and intact, else built."""
    scale = targets.scale()
    counts = Counts.for_scale(scale)
    if connection.vendor == "postgresql":
        targets.PostgresServer(targets.server_url()).ensure(targets.postgresql_name(scale))
    meta = None
    if not rebuild:
        call_command("migrate", verbosity=0, interactive=False)  # a cached data set follows schema changes
        meta = _cached(scale, counts)
        if meta:
            _log(f"reusing the cached data set ({counts.memos:,} memos, built in {meta['build_seconds']:.1f}s)")
    built = meta is None
    if built:
        meta = build(scale, counts)
    return DataSet(
        db=targets.POSTGRESQL if connection.vendor == "postgresql" else targets.SQLITE,
        scale=scale,
        counts=counts,
        manager_id=meta["manager_id"],
        manager_department_ids=meta["manager_department_ids"],
        build_seconds=meta["build_seconds"] if built else None,
    )
