"""Customers, contacts and follow-ups on top of the cached data set of `bench.dataset` (its people and departments).

Scale 1: 1,000,000 customers, 2,000,000 contacts, 5,000,000 follow-ups. Built once per database and scale and
reused while the "customers" marker row in `bench_meta` (generator version, seed, counts, the base data set it
was built on) and the row counts still match; bump VERSION whenever the generated data changes.

- Names: a city (most of them), a stem (Faker zh_CN `company()` stems), a seeded two-character word that keeps
  the normalised names unique, a trade and a legal form (北京致远华信科技有限公司). name_normalized comes from the
  product's `normalize_name`; pinyin and initials from `name_pinyin` / `name_initials` run once per name part
  and joined (pypinyin costs ~150 µs a name); a sample is checked against the product functions.
- Owners are spread uniformly over all people (as the memos are), 5% sit in the public pool (no owner).
- Follow-ups are generated in time order with a heavy-tailed number per customer (some have none, a few have
  hundreds), written by the customer's owner mostly; last_followup_at / last_activity_at agree with them.
- Loading: the secondary indexes of the loaded tables are dropped and rebuilt afterwards (a sorted build instead
  of millions of random inserts), foreign-key checks are off during the load only (SQLite `foreign_keys`,
  PostgreSQL `session_replication_role`), PostgreSQL loads through COPY, SQLite through `executemany` in big
  transactions with `synchronous=OFF`; every table is analysed afterwards.
"""

import random
import time
from array import array
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from django.core.management.color import no_style
from django.db import connection, transaction

from bench import dataset
from kehu.core.models import DictionaryItem
from kehu.customers import name_index, text
from kehu.customers.models import Contact, Customer, CustomerEvent, CustomerShare, FollowUp, PoolEvent, Visit
from kehu.org.models import User

VERSION = 1  # bump whenever the generated data changes: cached customer data is then rebuilt
SEED = 20240617
MARKER_KEY = "customers"
BASE = {"customers": 1_000_000, "contacts": 2_000_000, "followups": 5_000_000}
MINIMUM = {"customers": 200, "contacts": 400, "followups": 1_000}
BATCH = 20_000
POOL_SHARE = 0.05  # customers without an owner (公海)
END = datetime(2025, 11, 1, tzinfo=UTC)  # fixed, so that the same seed gives the same data on every day
SPAN = 2 * 365 * 86400  # last activity spreads over the two years before END
DETAIL_CUSTOMERS = 5  # customers in the manager's scope with about DETAIL_FOLLOWUPS follow-ups, for the page
DETAIL_FOLLOWUPS = 50
SEARCH_TARGET = 150  # the initials searched match about this many customers in the manager's scope at scale 1

CITIES = [
    *("北京", "上海", "天津", "重庆", "广州", "深圳", "杭州", "南京", "苏州", "成都", "武汉", "西安", "长沙"),
    *("郑州", "济南", "青岛", "厦门", "福州", "合肥", "昆明", "沈阳", "大连", "哈尔滨", "长春", "石家庄"),
    *("太原", "南昌", "南宁", "贵阳", "兰州", "宁波", "无锡", "东莞", "佛山", "珠海", "温州", "烟台", "常州"),
]
WORD_CHARACTERS = "华信达通泰恒瑞博创新联宏远安盛嘉德隆源鑫中天海科明星辰宇光正和兴汇金诚智云腾飞睿思"
TRADES = [
    *("科技", "信息技术", "网络", "软件", "电子", "机械", "贸易", "实业", "建设", "工程", "医疗器械"),
    *("物流", "食品", "化工", "新材料", "能源", "环保", "传媒", "咨询", "教育科技", "生物科技", "汽车零部件"),
]
LEGAL_FORMS = [("有限公司", 70), ("有限责任公司", 15), ("股份有限公司", 10), ("集团有限公司", 5)]
DISTRICTS = ["高新区", "经济开发区", "朝阳区", "浦东新区", "天河区", "南山区", "江北区", "工业园区", "滨海新区"]
ROADS = ["科技路", "人民路", "建设大道", "中山路", "解放路", "长江路", "创业路", "学院路", "工业大道"]
CREDIT_REGIONS = ["110105", "310115", "440300", "330106", "320102", "510107", "420106", "610131", "370102"]
TAGS = ["", "", "", "", "重点客户", "招投标", "老客户", "渠道", "年度大客户,重点客户", "政府项目"]
TITLES = ["总经理", "采购经理", "技术总监", "IT经理", "财务总监", "项目经理", "行政主管", "销售总监", "工程师"]
ROLES = [r.value for r in Contact.DecisionRole]
KINDS = [(FollowUp.Kind.CALL, 45), (FollowUp.Kind.WECHAT, 25), (FollowUp.Kind.VISIT, 12)]
KINDS += [(FollowUp.Kind.MEETING, 8), (FollowUp.Kind.EMAIL, 8), (FollowUp.Kind.OTHER, 2)]
CONTENTS = [
    "电话沟通了解采购计划，客户预计下季度启动选型",
    "微信发送产品资料和报价单，客户表示会内部讨论",
    "上门拜访，与{title}面谈，演示了新版本功能",
    "参加客户组织的技术交流会，介绍了成功案例",
    "跟进上次报价，客户希望价格再优惠5%",
    "客户反馈试用情况良好，准备提交采购申请",
    "邮件确认合同条款，法务部门正在审核",
    "回访售后服务满意度，客户提出两个改进建议",
    "客户负责人变动，重新建立联系并约定下次拜访",
    "招标文件已发布，准备投标材料",
]
NEXT_STEPS = ["发送正式报价", "安排技术交流", "约见决策人", "提交投标文件", "跟进合同审批", "上门演示"]


@dataclass(frozen=True)
class Counts:
    customers: int
    contacts: int
    followups: int
    shares: int

    @classmethod
    def for_scale(cls, scale: float) -> "Counts":
        n = {key: max(MINIMUM[key], round(base * scale)) for key, base in BASE.items()}
        return cls(n["customers"], n["contacts"], n["followups"], max(10, n["customers"] // 1000))


@dataclass
class CustomerData:
    counts: Counts
    manager_id: int
    detail_customer_ids: list[int]  # in the manager's scope, about DETAIL_FOLLOWUPS follow-ups each
    search_initials: str  # a 3-4 letter pinyin-initials prefix matching a realistic number of rows
    search_matches_in_scope: int
    build_seconds: float | None = None  # None when the cached customer data was reused
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.counts.customers


# --- helpers ------------------------------------------------------------------------------------------------


def _log(message: str) -> None:
    dataset._log(f"customers: {message}")


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return list(values), list(weights)


class _Timestamps:
    """Datetimes as the driver takes them in bulk: aware datetimes for COPY, Django's text form for SQLite."""

    def __init__(self):
        self.adapt = connection.ops.adapt_datetimefield_value
        self.start = END - timedelta(seconds=SPAN)

    def __call__(self, seconds):
        if seconds is None:
            return None
        return self.adapt(self.start + timedelta(seconds=int(seconds)))


def _insert(model, attnames: list[str], rows) -> None:
    """Bulk-insert tuples (in `attnames` order): COPY on PostgreSQL, executemany on SQLite.

    Columns the generator does not fill (added by someone since) get their model default, so a new nullable
    or defaulted column does not break the load; a column without a default does.
    """
    given = set(attnames)
    extra = [f for f in model._meta.concrete_fields if f.attname not in given]
    defaults = []
    for f in extra:
        if not f.has_default() and not f.null:
            raise RuntimeError(f"bench generator does not fill {model.__name__}.{f.attname} (no default): update it")
        value = f.get_default() if f.has_default() else None
        defaults.append(f.get_db_prep_save(value, connection))
    if extra:
        _log(f"{model.__name__}: filled with defaults: {', '.join(f.attname for f in extra)}")
        tail = tuple(defaults)
        rows = (row + tail for row in rows)
    fields = [model._meta.get_field(name) for name in attnames] + extra
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['?'] * len(fields))})"
            raw = cursor.cursor
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == BATCH:
                    raw.executemany(sql, batch)
                    batch = []
            if batch:
                raw.executemany(sql, batch)


# --- indexes and constraints during the load ---------------------------------------------------------------


def _secondary_indexes(tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes that can be dropped and rebuilt (not primary keys/constraints)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """SELECT i.indexname, i.indexdef FROM pg_indexes i
                   WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                     WHERE c.conindid = (quote_ident(i.indexname))::regclass)""",
                [tables],
            )
        else:
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master"
                f" WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
                tables,
            )
        return list(cursor.fetchall())


def _drop_indexes(indexes) -> None:
    with connection.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")


def _create_indexes(indexes) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '512MB'")
        for _name, sql in indexes:
            cursor.execute(sql)


class _Loading:
    """Foreign-key checks off and (SQLite) no fsync while loading; both back to normal afterwards."""

    def __enter__(self):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = replica")  # no FK triggers (superuser only)
            else:
                cursor.execute("PRAGMA foreign_keys = OFF")
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA cache_size = -524288")  # 512 MB while loading

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")
            else:
                cursor.execute("PRAGMA foreign_keys = ON")
                cursor.execute("PRAGMA synchronous = NORMAL")


# --- the plan ------------------------------------------------------------------------------------------------


def _name_parts(rng: random.Random, n: int):
    """n distinct (city, stem, word, trade) tuples: distinct normalised names."""
    from faker.providers.company.zh_CN import Provider

    stems = sorted(set(Provider.company_prefixes))
    words = [a + b for a in WORD_CHARACTERS for b in WORD_CHARACTERS if a != b]
    seen = set()
    parts = []
    while len(parts) < n:
        city = rng.choice(CITIES) if rng.random() < 0.8 else ""
        key = (city, rng.choice(stems), rng.choice(words), rng.choice(TRADES))
        if key not in seen:
            seen.add(key)
            parts.append(key)
    return parts


class _Pinyin:
    """Pinyin and initials of a name from its parts, each part converted once by the product's functions."""

    def __init__(self):
        self.full: dict[str, str] = {}
        self.initials: dict[str, str] = {}

    def __call__(self, parts) -> tuple[str, str]:
        full, initials = [], []
        for part in parts:
            if part not in self.full:
                self.full[part] = text.name_pinyin(part)
                self.initials[part] = text.name_initials(part)
            full.append(self.full[part])
            initials.append(self.initials[part])
        return "".join(full)[:400], "".join(initials)[:100]


def _credit_code(pk: int, rng: random.Random) -> str:
    alphabet = text.CREDIT_ALPHABET
    value = (pk * 7_919_201 + 1_234_567) % 31**9  # injective for pk < 31**9: unique codes
    body = ""
    for _ in range(9):
        value, digit = divmod(value, 31)
        body = alphabet[digit] + body
    first17 = "91" + rng.choice(CREDIT_REGIONS) + body
    return first17 + text.credit_check_char(first17)


@dataclass
class _Plan:
    """What is decided before rows are written (parallel arrays indexed by customer pk - 1)."""

    owner: array  # user pk, 0 = in the pool
    first_followup: array  # seconds from the window start, -1 = none
    last_followup: array
    followups: array  # count per customer
    contacts_from: array  # first contact pk of the customer
    contacts: array  # number of contacts


def _followup_stream(counts: Counts, weights_seed: int):
    """(customer index, seconds) for every follow-up, in time order; the same sequence every time it is called."""
    rng = random.Random(weights_seed)
    weights = [rng.expovariate(1.0) ** 2 for _ in range(counts.customers)]  # heavy-tailed: some many, some none
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    choose = random.Random(weights_seed + 1)
    mean_gap = SPAN / counts.followups
    t = 0.0
    produced = 0
    while produced < counts.followups:
        size = min(BATCH, counts.followups - produced)
        customers = choose.choices(range(counts.customers), cum_weights=cumulative, k=size)
        for c in customers:
            t += choose.expovariate(1.0) * mean_gap
            yield c, min(t, SPAN - 1)
        produced += size


# --- building --------------------------------------------------------------------------------------------------


def _clear() -> None:
    """Remove earlier customer data (and anything hanging off customers), keeping pool rules and limits."""
    models = [FollowUp, Visit, PoolEvent, CustomerEvent, CustomerShare, Contact, Customer]
    extra = {
        rel.related_model
        for model in (Customer, Contact, FollowUp)
        for rel in model._meta.related_objects
        if rel.related_model not in models
    }
    history = [Customer.history.model, Contact.history.model]
    tables = [m._meta.db_table for m in [*extra, *models, *history]]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(connection.ops.quote_name(t) for t in tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


def _dictionary(code: str) -> list[int]:
    return list(
        DictionaryItem.objects.filter(dictionary__code=code, is_active=True)
        .order_by("sort_order", "pk")
        .values_list("pk", flat=True)
    )


def build(data, counts: Counts) -> dict:
    started = time.perf_counter()
    rng = random.Random(SEED)
    _log(f"building: {counts.customers:,} customers, {counts.contacts:,} contacts, {counts.followups:,} follow-ups")
    users = list(User.objects.order_by("pk").values_list("pk", "department_id"))
    department_of = dict(users)
    user_ids = [pk for pk, _d in users]
    manager_departments = set(data.manager_department_ids)
    industries, levels = _dictionary("industry"), _dictionary("customer_level")
    sources, regions = _dictionary("customer_source"), _dictionary("region")
    if not (industries and levels and sources and regions):
        raise RuntimeError("the customer dictionaries are missing: run the migrations")
    n = counts.customers
    # owners first: the follow-ups' authors depend on them
    owner = array("q", (0 if rng.random() < POOL_SHARE else rng.choice(user_ids) for _ in range(n)))
    plan = _Plan(
        owner=owner,
        first_followup=array("d", [-1.0]) * n,
        last_followup=array("d", [-1.0]) * n,
        followups=array("l", [0]) * n,
        contacts_from=array("q", [0]) * n,
        contacts=array("l", [0]) * n,
    )
    for c, t in _followup_stream(counts, SEED + 2):
        if plan.first_followup[c] < 0:
            plan.first_followup[c] = t
        plan.last_followup[c] = t
        plan.followups[c] += 1
    # contacts: everybody has one, the rest go at random (a few customers have many)
    for c in range(n):
        plan.contacts[c] = 1 if c < counts.contacts else 0
    for c in rng.choices(range(n), k=max(0, counts.contacts - n)):
        plan.contacts[c] += 1
    next_pk = 1
    for c in range(n):
        plan.contacts_from[c] = next_pk
        next_pk += plan.contacts[c]
    _log(f"planned in {time.perf_counter() - started:.1f}s")

    with _Loading():
        name_index.uninstall(connection)  # rebuilt once after the load, not row by row through its triggers
        _clear()
        tables = [m._meta.db_table for m in (Customer, Contact, FollowUp, CustomerShare)]
        indexes = _secondary_indexes(tables)
        _drop_indexes(indexes)
        step = time.perf_counter()
        with transaction.atomic():
            search = _load_customers(
                counts, plan, rng, department_of, manager_departments, industries, levels, user_ids
            )
            _log(f"customers loaded in {time.perf_counter() - step:.1f}s")
        step = time.perf_counter()
        with transaction.atomic():
            _load_contacts(counts, plan, rng)
            _log(f"contacts loaded in {time.perf_counter() - step:.1f}s")
        step = time.perf_counter()
        with transaction.atomic():
            _load_followups(counts, plan, rng, user_ids)
            _load_shares(counts, plan, rng, user_ids, data)
            _log(f"follow-ups and shares loaded in {time.perf_counter() - step:.1f}s")
        step = time.perf_counter()
        _create_indexes(indexes)
        name_index.install(connection)
        _log(f"{len(indexes)} indexes and the name index built in {time.perf_counter() - step:.1f}s")
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Customer, Contact, FollowUp, CustomerShare]):
            cursor.execute(sql)
    detail_ids = _detail_customers(plan, department_of, manager_departments)
    _decorate_detail_customers(detail_ids, plan)
    step = time.perf_counter()
    _analyze([*tables, Customer.history.model._meta.db_table, Visit._meta.db_table])
    _log(f"analysed in {time.perf_counter() - step:.1f}s")
    initials, matches = search
    meta = {
        "version": VERSION,
        "seed": SEED,
        "counts": asdict(counts),
        "base": _base_identity(),
        "manager_id": data.manager_id,
        "detail_customer_ids": detail_ids,
        "search_initials": initials,
        "search_matches_in_scope": matches,
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    _write_marker(meta)
    _log(f"built in {meta['build_seconds']:.1f}s")
    return meta


def _load_customers(counts, plan, rng, department_of, manager_departments, industries, levels, user_ids):
    """Customers; returns the initials prefix to search for and how many customers in scope it matches."""
    sources_and_regions = (_dictionary("customer_source"), _dictionary("region"))
    n = counts.customers
    parts = _name_parts(rng, n)
    pinyin = _Pinyin()
    legal_forms, legal_weights = _weighted(LEGAL_FORMS)
    level_weights = [15, 35, 50][: len(levels)] + [10] * max(0, len(levels) - 3)
    stamp = _Timestamps()
    prefixes: dict[str, int] = {}  # 3- and 4-letter initials prefixes of customers in the manager's scope
    checked = mismatched = 0

    def rows():
        nonlocal checked, mismatched
        sources, regions = sources_and_regions
        legal = rng.choices(legal_forms, legal_weights, k=n)
        level = rng.choices(levels, level_weights, k=n)
        for i in range(n):
            pk = i + 1
            city, stem, word, trade = parts[i]
            name = f"{city}{stem}{word}{trade}{legal[i]}"
            full, initials = pinyin((city, stem, word, trade, legal[i]))
            if i % 997 == 0:  # the joined pinyin is what the product computes for the whole name
                checked += 1
                mismatched += (full, initials) != (text.name_pinyin(name)[:400], text.name_initials(name)[:100])
            owner = plan.owner[i] or None
            department = department_of[owner] if owner else None
            if department in manager_departments:
                for size in (3, 4):
                    if len(initials) >= size:
                        prefixes[initials[:size]] = prefixes.get(initials[:size], 0) + 1
            first = plan.first_followup[i]
            last = plan.last_followup[i]
            created = rng.uniform(0, first) if first >= 0 else rng.uniform(0, SPAN * 0.9)
            last_activity = max(last, rng.uniform(created, SPAN))
            status = Customer.Status.ACTIVE
            merged_into = None
            if owner:
                roll = rng.random()
                if roll < 0.005:
                    status = Customer.Status.DRAFT
                elif roll < 0.01:
                    status = Customer.Status.PENDING
                elif roll < 0.015 and pk > 1:
                    status, merged_into = Customer.Status.MERGED, rng.randrange(1, pk)
            released = None if owner else rng.uniform(created, SPAN)
            previous = None if owner else rng.choice(user_ids)
            yield (
                pk,
                1,  # version
                stamp(last_activity),  # updated_at
                owner,  # updated_by
                owner,
                department,
                f"KH{pk:08d}",
                name,
                text.normalize_name(name),
                full,
                initials,
                _credit_code(pk, rng) if rng.random() < 0.8 and status != Customer.Status.MERGED else "",
                rng.choice(industries),
                level[i],
                rng.choice(sources),
                rng.choice(regions),
                f"{city or rng.choice(CITIES)}市{rng.choice(DISTRICTS)}{rng.choice(ROADS)}{rng.randrange(1, 999)}号",
                f"https://www.{initials[:12]}{pk}.com.cn" if rng.random() < 0.3 else "",
                rng.choice(TAGS),
                "",  # notes
                status,
                owner,  # created_by
                stamp(created),
                stamp(last_activity),
                stamp(last if last >= 0 else None),
                stamp(created) if owner else None,  # owned_since
                stamp(released),
                previous,
                stamp(released + 30 * 86400) if released is not None else None,
                merged_into,
            )

    attnames = ["id", "version", "updated_at", "updated_by_id", "owner_id", "owner_department_id", "number", "name"]
    attnames += ["name_normalized", "name_pinyin", "name_initials", "credit_code", "industry_id", "level_id"]
    attnames += ["source_id", "region_id", "address", "website", "tags", "notes", "status", "created_by_id"]
    attnames += ["created_at", "last_activity_at", "last_followup_at", "owned_since", "released_at"]
    attnames += ["previous_owner_id", "reclaim_blocked_until", "merged_into_id"]
    _insert(Customer, attnames, rows())
    if mismatched:
        _log(f"joined pinyin differs from the product's for {mismatched} of {checked} sampled names")
    # the prefix whose number of matches in scope is closest to the target (scaled), 4 letters preferred on ties
    target = max(20, round(SEARCH_TARGET * n / BASE["customers"]))
    initials = min(sorted(prefixes), key=lambda p: (abs(prefixes[p] - target), -len(p)))
    return initials, prefixes[initials]


def _load_contacts(counts, plan, rng):
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    names = [fake.name() for _ in range(5000)]
    stamp = _Timestamps()
    # unique mobile numbers: an affine permutation of 0..10**9-1 behind the prefixes 13x..19x
    prefixes = ["13", "15", "18", "17", "19", "16", "14"]

    def rows():
        pk = 0
        for c in range(counts.customers):
            for k in range(plan.contacts[c]):
                pk += 1
                mobile = f"{prefixes[pk % len(prefixes)]}{(pk * 387_420_489 + 7_654_321) % 10**9:09d}"
                name = rng.choice(names)
                at = stamp(rng.uniform(0, SPAN))
                yield (
                    pk,
                    1,
                    at,
                    plan.owner[c] or None,
                    c + 1,
                    name,
                    rng.choice(TITLES),
                    mobile,
                    f"{mobile}@example.cn" if rng.random() < 0.4 else "",
                    f"wx_{mobile[-8:]}" if rng.random() < 0.5 else "",
                    rng.choice(ROLES),
                    k == 0,
                    "",
                )

    attnames = ["id", "version", "updated_at", "updated_by_id", "customer_id", "name", "title", "mobile", "email"]
    attnames += ["wechat", "decision_role", "is_primary", "notes"]
    _insert(Contact, attnames, rows())


def _load_followups(counts, plan, rng, user_ids):
    kinds, kind_weights = _weighted(KINDS)
    stamp = _Timestamps()
    adapt_date = connection.ops.adapt_datefield_value
    start_day = (END - timedelta(seconds=SPAN)).date()

    def rows():
        pk = 0
        for c, t in _followup_stream(counts, SEED + 2):
            pk += 1
            owner = plan.owner[c]
            author = owner if owner and rng.random() < 0.9 else rng.choice(user_ids)
            contact = plan.contacts_from[c] + rng.randrange(plan.contacts[c]) if plan.contacts[c] else None
            if contact is not None and rng.random() < 0.3:
                contact = None
            at = stamp(t)
            has_next = rng.random() < 0.35
            due = start_day + timedelta(days=int(t // 86400) + rng.randrange(1, 30)) if has_next else None
            done = (
                stamp(min(SPAN - 1, t + rng.uniform(86400, 40 * 86400))) if has_next and t < SPAN - 40 * 86400 else None
            )
            yield (
                pk,
                c + 1,
                contact,
                author,
                rng.choices(kinds, kind_weights)[0],
                rng.choice(CONTENTS).format(title=rng.choice(TITLES)),
                rng.choice(NEXT_STEPS) if has_next else "",
                adapt_date(due) if due else None,
                done,
                at,
                at,
            )

    attnames = ["id", "customer_id", "contact_id", "author_id", "kind", "content", "next_step", "next_step_due"]
    attnames += ["next_step_done_at", "happened_at", "created_at"]
    _insert(FollowUp, attnames, rows())


def _load_shares(counts, plan, rng, user_ids, data):
    """A customer in a thousand is shared, with a colleague (70%) or a department; some with the manager."""
    stamp = _Timestamps()
    departments = list(User.objects.exclude(department=None).values_list("department_id", flat=True).distinct())

    def rows():
        for pk in range(1, counts.shares + 1):
            c = rng.randrange(counts.customers)
            user = data.manager_id if pk % 50 == 0 else rng.choice(user_ids)
            if rng.random() < 0.7 or pk % 50 == 0:
                target = (user, None)
            else:
                target = (None, rng.choice(departments))
            until = stamp(SPAN + rng.uniform(-90, 180) * 86400) if rng.random() < 0.3 else None
            yield (pk, c + 1, *target, rng.random() < 0.3, until, plan.owner[c] or None, stamp(rng.uniform(0, SPAN)))

    attnames = ["id", "customer_id", "user_id", "department_id", "can_edit", "until", "shared_by_id", "shared_at"]
    _insert(CustomerShare, attnames, rows())


def _detail_customers(plan, department_of, manager_departments) -> list[int]:
    """Active customers in the manager's scope with the number of follow-ups closest to DETAIL_FOLLOWUPS."""
    candidates = [
        c
        for c in range(len(plan.owner))
        if plan.owner[c] and department_of[plan.owner[c]] in manager_departments and plan.contacts[c] >= 2
    ]
    candidates.sort(key=lambda c: (abs(plan.followups[c] - DETAIL_FOLLOWUPS), c))
    chosen = [c + 1 for c in candidates[: DETAIL_CUSTOMERS * 3]]
    active = set(Customer.objects.filter(pk__in=chosen, status=Customer.Status.ACTIVE).values_list("pk", flat=True))
    return [pk for pk in chosen if pk in active][:DETAIL_CUSTOMERS]


def _decorate_detail_customers(ids: list[int], plan) -> None:
    """What a real customer page shows besides follow-ups: a history with edits, events, visits, pool events."""
    for customer in Customer.objects.filter(pk__in=ids):
        owner = customer.owner
        customer.tags = "重点客户"
        customer.save()
        customer.website = "https://www.example.com.cn"
        customer.save()
        base = customer.last_activity_at or END
        CustomerEvent.objects.create(customer=customer, kind=CustomerEvent.Kind.CREATED, actor=owner, at=base)
        CustomerEvent.objects.create(
            customer=customer, kind=CustomerEvent.Kind.TRANSFERRED, actor=owner, text="区域调整", at=base
        )
        PoolEvent.objects.create(customer=customer, kind=PoolEvent.Kind.CLAIMED, actor=owner, owner=owner, at=base)
        for days in (3, 10, 30):
            Visit.objects.create(
                customer=customer,
                visitor=owner,
                purpose="产品演示",
                planned_at=base - timedelta(days=days),
                status=Visit.Status.DONE,
                checked_in_at=base - timedelta(days=days),
                summary="客户对方案满意",
            )


def _analyze(tables: list[str]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            cursor.execute("PRAGMA optimize")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- the marker ------------------------------------------------------------------------------------------------


def _base_identity() -> dict:
    """What identifies the base data set this customer data was built on (a rebuilt base means rebuild this)."""
    base = dataset._read_marker() or {}
    return {key: base.get(key) for key in ("version", "seed", "scale", "counts", "build_seconds")}


def _write_marker(meta: dict) -> None:
    dataset.write_marker(MARKER_KEY, meta)


def _read_marker() -> dict | None:
    return dataset.read_marker(MARKER_KEY)


def _cached(data, counts: Counts) -> tuple[dict | None, str]:
    try:
        meta = _read_marker()
    except Exception:  # noqa: BLE001 - unreadable: rebuild
        return None, "no marker"
    if not meta:
        return None, "no marker"
    if meta.get("version") != VERSION or meta.get("seed") != SEED:
        return None, "generator changed"
    if meta.get("counts") != asdict(counts) or meta.get("base") != _base_identity():
        return None, "counts or base data set changed"
    if meta.get("manager_id") != data.manager_id:
        return None, "manager changed"
    # the generated rows are intact (other benchmarks may add rows above them, e.g. an import)
    actual = (
        Customer.objects.filter(pk__lte=counts.customers).count(),
        Contact.objects.filter(pk__lte=counts.contacts).count(),
        FollowUp.objects.filter(pk__lte=counts.followups).count(),
    )
    if actual != (counts.customers, counts.contacts, counts.followups):
        return None, f"rows missing: {actual}"
    return meta, ""


_prepared: dict[tuple, CustomerData] = {}


def prepare(data, rebuild: bool = False) -> CustomerData:
    """The customer data for this process's database and scale, built when missing or stale (once a process)."""
    key = (data.db, data.scale)
    if key in _prepared:
        return _prepared[key]
    counts = Counts.for_scale(data.scale)
    meta, why = (None, "rebuild asked") if rebuild else _cached(data, counts)
    built = meta is None
    if built:
        _log(f"building ({why})")
        meta = build(data, counts)
    else:
        _log(f"reusing the cached customer data (built in {meta['build_seconds']:.1f}s)")
    result = CustomerData(
        counts=counts,
        manager_id=meta["manager_id"],
        detail_customer_ids=meta["detail_customer_ids"],
        search_initials=meta["search_initials"],
        search_matches_in_scope=meta["search_matches_in_scope"],
        build_seconds=meta["build_seconds"] if built else None,
    )
    extra = Customer.objects.filter(pk__gt=counts.customers).count()
    if extra:
        result.notes.append(f"{extra:,} customers beyond the generated ones are in the table (left by another run)")
    _prepared[key] = result
    return result
