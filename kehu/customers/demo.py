"""The demo company's customers: about 160 companies with contacts, two years of follow-ups, visits, shares
and a public pool, spread over the sales reps so every list, scope and page has something real to show."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_noop as N_
from faker import Faker

from kehu.core.models import DictionaryItem
from kehu.core.text import Translatable
from kehu.customers import pool, services
from kehu.customers.models import Contact, Customer, CustomerEvent, CustomerShare, FollowUp, PoolEvent, Visit
from kehu.customers.text import CREDIT_ALPHABET, credit_check_char, normalize_name

CITIES = {
    "北京": ("north", 39.9042, 116.4074),
    "天津": ("north", 39.3434, 117.3616),
    "石家庄": ("north", 38.0428, 114.5149),
    "上海": ("east", 31.2304, 121.4737),
    "杭州": ("east", 30.2741, 120.1551),
    "苏州": ("east", 31.2989, 120.5853),
    "南京": ("east", 32.0603, 118.7969),
    "宁波": ("east", 29.8683, 121.5440),
    "合肥": ("east", 31.8206, 117.2272),
    "广州": ("south", 23.1291, 113.2644),
    "深圳": ("south", 22.5431, 114.0579),
    "武汉": ("central", 30.5928, 114.3055),
    "成都": ("southwest", 30.5728, 104.0668),
    "西安": ("northwest", 34.3416, 108.9398),
}
STEMS = [
    "致远",
    "华信",
    "恒通",
    "瑞丰",
    "博远",
    "中科",
    "天诚",
    "宏达",
    "金桥",
    "远航",
    "卓越",
    "新锐",
    "鼎盛",
    "汇智",
    "海纳",
    "正泰",
    "东方",
    "联创",
    "精工",
    "晨光",
    "云帆",
    "启明",
    "同创",
    "明德",
    "安泰",
    "嘉禾",
    "永泰",
    "华盛",
]
TRADES = {
    "it": ["信息技术", "软件", "数据科技", "网络科技"],
    "manufacturing": ["精密机械", "智能装备", "电子", "汽车零部件"],
    "energy": ["新能源", "电力设备", "能源科技"],
    "healthcare": ["医疗器械", "生物医药"],
    "construction": ["建设工程", "建材"],
    "logistics": ["物流", "供应链管理"],
    "education": ["教育科技"],
    "retail": ["商贸", "贸易"],
    "finance": ["融资租赁"],
}
SUFFIXES = ["有限公司", "有限公司", "股份有限公司", "有限责任公司"]
TITLES = [
    ("总经理", "decision_maker"),
    ("副总经理", "decision_maker"),
    ("采购经理", "purchasing"),
    ("采购专员", "purchasing"),
    ("技术总监", "technical"),
    ("IT 主管", "technical"),
    ("设备部经理", "user"),
    ("财务经理", "influencer"),
    ("行政主管", "other"),
]
FOLLOWUPS = [
    ("call", "电话沟通了今年的采购计划，对方预计下季度启动招标。", "发送产品方案和报价单", 5),
    ("visit", "上门拜访，参观了生产车间，了解到现有设备已使用八年，有更新需求。", "安排技术交流会", 10),
    ("meeting", "技术交流会：演示了系统功能，对方技术总监关注数据接口和售后响应时间。", "提交接口说明文档", 7),
    ("wechat", "微信跟进报价反馈，对方认为价格偏高，希望给出阶梯折扣。", "内部申请特价", 3),
    ("email", "邮件发送了合同草案，等待对方法务审核。", "跟进合同审核进度", 4),
    ("call", "回访使用情况，客户对交付速度满意，提出增加两个分支机构的需求。", "准备扩容方案", 14),
]


def _credit_code(rng) -> str:
    first = (
        "91"
        + "".join(rng.choice("0123456789") for _ in range(6))
        + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
    )
    return first + credit_check_char(first)


def load(context: dict) -> None:
    rng = random.Random(context["seed"] + 3)
    fake = Faker("zh_CN")
    fake.seed_instance(context["seed"] + 3)
    users = context["users"]
    reps = [u for u in users if u.roles.filter(code="sales_rep").exists()]
    managers = [u for u in users if u.roles.filter(code="sales_manager").exists()]
    items = {(i.dictionary.code, i.code): i for i in DictionaryItem.objects.select_related("dictionary")}
    levels = [items[("customer_level", c)] for c in ("a", "b", "b", "c", "c", "c")]
    sources = [i for (d, _c), i in items.items() if d == "customer_source"]
    now = timezone.now()
    names: set[str] = set()
    customers = []
    for n in range(160):
        made = _customer_data(rng, fake, items, levels, sources, names)
        if made is None:
            continue
        data, contacts = made
        owner = rng.choice(reps if n % 8 else managers)
        customer = services.create_customer(owner, data, contacts)
        created = now - timedelta(days=rng.randint(20, 720))
        Customer.objects.filter(pk=customer.pk).update(
            created_at=created, owned_since=created, last_activity_at=created
        )
        customers.append((customer, owner, created))
    _created_first(customers)
    _followups_and_visits(customers, rng, now)
    _shares_and_pool(customers, reps, rng, now)
    # What the nightly pool run would have done by now: idle customers return, owners are warned.
    pool.auto_return(now)
    pool.warn_upcoming_returns(now)
    context["customers"] = [c for c, _o, _d in customers]
    _approvals(context, rng, fake, items, levels, sources, names)


def _customer_data(rng, fake, items, levels, sources, names):
    """A made-up company and its contacts (None when the name was taken already)."""
    city = rng.choice(list(CITIES))
    region_code, lat, lng = CITIES[city]
    industry = rng.choice(list(TRADES))
    name = f"{city}{rng.choice(STEMS)}{rng.choice(TRADES[industry])}{rng.choice(SUFFIXES)}"
    if normalize_name(name) in names:
        return None
    names.add(normalize_name(name))
    contacts = []
    for _ in range(rng.randint(1, 3)):
        title, role = rng.choice(TITLES)
        contacts.append(
            {
                "name": fake.name(),
                "title": title,
                "decision_role": role,
                "mobile": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                "email": f"{fake.user_name()}@example.cn",
                "wechat": fake.user_name(),
            }
        )
    data = {
        "name": name,
        "credit_code": _credit_code(rng) if rng.random() < 0.7 else "",
        "industry": items[("industry", industry)],
        "level": rng.choice(levels),
        "source": rng.choice(sources),
        "region": items[("region", region_code)],
        "address": f"{city}市{fake.street_name()}{rng.randint(1, 999)}号",
        "latitude": Decimal(f"{lat + rng.uniform(-0.08, 0.08):.6f}"),
        "longitude": Decimal(f"{lng + rng.uniform(-0.08, 0.08):.6f}"),
        "tags": "、".join(
            rng.sample(["老客户", "政企", "重点跟进", "价格敏感", "有二期需求", "集团客户"], rng.randint(0, 2))
        ),
    }
    return data, contacts


def _created_first(customers):
    """The demo back-dates its customers: what the services stamped "now" when creating them (the "created" entry
    of the timeline, the first history row) moves to the creation date, before everything done with them."""
    for customer, _owner, created in customers:
        CustomerEvent.objects.filter(customer=customer, kind=CustomerEvent.Kind.CREATED).update(at=created)
        first = customer.history.order_by("history_date", "history_id").first()
        if first is not None:
            type(first).objects.filter(pk=first.pk).update(history_date=created)


def _followups_and_visits(customers, rng, now):
    followups = []
    for customer, owner, created in customers:
        age = (now - created).days
        days = sorted(rng.sample(range(1, max(2, age)), min(rng.randint(0, 8), age - 1)))
        if rng.random() < 0.85:  # most customers are worked on: a follow-up in the last three weeks
            days = sorted({*days, rng.randint(1, min(21, age - 1))})
        contacts = list(customer.contacts.all())
        for i, days_ago in enumerate(reversed(days)):
            kind, content, step, step_days = rng.choice(FOLLOWUPS)
            happened = now - timedelta(days=days_ago, hours=rng.randint(0, 8))
            last = i == len(days) - 1
            due = (happened + timedelta(days=step_days)).date()
            followups.append(
                FollowUp(
                    customer=customer,
                    author=owner,
                    kind=kind,
                    content=content,
                    contact=rng.choice(contacts),
                    happened_at=happened,
                    next_step=step,
                    next_step_due=due,
                    next_step_done_at=None if last else happened + timedelta(days=step_days),
                )
            )
    FollowUp.objects.bulk_create(followups)
    for customer, _owner, _created in customers:
        last = FollowUp.objects.filter(customer=customer).order_by("-happened_at").first()
        if last:
            Customer.objects.filter(pk=customer.pk).update(
                last_followup_at=last.happened_at, last_activity_at=last.happened_at
            )
    for customer, owner, _created in rng.sample(customers, 24):
        planned = now + timedelta(days=rng.randint(-10, 10), hours=rng.randint(-4, 4))
        status = Visit.Status.PLANNED if planned > now else Visit.Status.DONE
        visit = Visit.objects.create(
            customer=customer,
            visitor=owner,
            contact=customer.contacts.first(),
            purpose=rng.choice(["产品演示", "商务洽谈", "合同签订", "售后回访", "需求调研"]),
            planned_at=planned,
            status=status,
        )
        if status == Visit.Status.DONE:
            followup = FollowUp.objects.create(
                customer=customer,
                author=owner,
                kind=FollowUp.Kind.VISIT,
                content="拜访总结：与客户确认了需求范围和预算，约定下周提交方案。",
                happened_at=planned + timedelta(hours=1),
            )
            Visit.objects.filter(pk=visit.pk).update(
                checked_in_at=planned,
                checkin_latitude=customer.latitude,
                checkin_longitude=customer.longitude,
                checkin_accuracy_m=rng.randint(8, 60),
                checkin_distance_m=rng.randint(20, 400),
                summary=followup.content,
                followup=followup,
            )


def _shares_and_pool(customers, reps, rng, now):
    for customer, owner, created in rng.sample(customers, 12):
        colleague = rng.choice([r for r in reps if r != owner])
        CustomerShare.objects.create(
            customer=customer,
            user=colleague,
            can_edit=rng.random() < 0.4,
            shared_by=owner,
            shared_at=now - timedelta(days=rng.randint(1, min(60, (now - created).days - 1))),
        )
    for customer, owner, created in rng.sample(customers, 18):
        released = now - timedelta(days=rng.randint(1, min(40, (now - created).days - 1)))
        Customer.objects.filter(pk=customer.pk).update(
            owner=None,
            owner_department=None,
            previous_owner=owner,
            released_at=released,
            reclaim_blocked_until=released + timedelta(days=30),
        )
        CustomerShare.objects.filter(customer=customer).delete()
        PoolEvent.objects.create(
            customer=customer,
            kind=PoolEvent.Kind.RETURNED,
            owner=owner,
            at=released,
            reason=Translatable(N_("No follow-up for %(days)d days"), days=60),
        )


__all__ = ["load", "Contact"]


def _approvals(context, rng, fake, items, levels, sources, names):
    """Ops require approval for new customers (department head; A-level ones also the sales director) and for
    transfers; a week of submissions is under way: some approved, one rejected, one returned, several waiting."""
    from kehu.approvals import services as approvals
    from kehu.approvals.models import FlowTask
    from kehu.org.models import Department, User

    users = context["users"]
    heads = {key: Department.objects.get(pk=d.pk).head for key, d in context["departments"].items()}
    director, north_manager, east_manager, ops = heads["sales"], heads["north"], heads["east"], heads["ops"]
    ops_clerk = User.objects.filter(department=ops.department).exclude(pk=ops.pk).first()
    reps = [u for u in users if u.roles.filter(code="sales_rep").exists()]
    create_flow = {
        "start": "n1",
        "nodes": {
            "n1": {
                "type": "approval",
                "name": "部门主管审批",
                "approvers": {"kind": "department_head"},
                "mode": "any",
                "next": "b1",
                "timeout_hours": 24,
                "timeout_action": "remind",
                "editable_fields": ["level", "industry", "source", "region"],
                "if_no_approver": "ops",
            },
            "b1": {
                "type": "branch",
                "name": "按客户等级",
                "branches": [
                    {
                        "name": "A 级客户",
                        "condition": {"all": [{"field": "level", "op": "eq", "value": "a"}]},
                        "next": "n2",
                    }
                ],
                "default": "c1",
            },
            "n2": {
                "type": "approval",
                "name": "销售总监审批",
                "approvers": {"kind": "users", "users": [director.pk]},
                "mode": "any",
                "next": "c1",
                "timeout_hours": 48,
                "timeout_action": "escalate",
                "if_no_approver": "ops",
            },
            "c1": {
                "type": "cc",
                "name": "抄送销售运营",
                "approvers": {"kind": "users", "users": [ops.pk]},
                "next": "end",
            },
        },
    }
    approvals.publish(ops, approvals.save_draft(ops, services.CREATE_DOC, "新客户审批", create_flow))
    transfer_flow = {
        "start": "n1",
        "nodes": {
            "n1": {
                "type": "approval",
                "name": "销售运营审核",
                "approvers": {"kind": "users", "users": [ops.pk, ops_clerk.pk]},
                "mode": "any",
                "next": "r1",
            },
            "r1": {
                "type": "review",
                "name": "新负责人知悉",
                "approvers": {"kind": "field", "field": "to_user"},
                "next": "end",
            },
        },
    }
    approvals.publish(ops, approvals.save_draft(ops, services.TRANSFER_DOC, "客户转移审批", transfer_flow))

    def task(user, instance):
        return FlowTask.objects.get(instance=instance, assignee=user, state=FlowTask.State.OPEN, kind="approval")

    submitted = []
    for n in range(9):
        made = _customer_data(rng, fake, items, levels, sources, names)
        if made is None:
            continue
        data, contacts = made
        data["level"] = items[("customer_level", "a" if n % 3 == 0 else "b")]
        owner = reps[n % len(reps)]
        customer = services.create_customer(owner, data, contacts)
        submitted.append((customer, owner))
    from kehu.approvals.models import FlowInstance

    def instance_of(customer):
        return FlowInstance.objects.get(doc_type=services.CREATE_DOC, object_id=customer.pk)

    def head_of(owner):
        return north_manager if owner.department_id == north_manager.department_id else east_manager

    # 0: A-level, approved by the head (level confirmed), then by the director → active.
    customer, owner = submitted[0]
    approvals.approve(head_of(owner), task(head_of(owner), instance_of(customer)).pk, "客户资质已核实")
    approvals.approve(director, task(director, instance_of(customer)).pk, "同意，重点跟进")
    # 1: B-level, the head corrects the industry and approves → active.
    customer, owner = submitted[1]
    industry = next(i for (d, c), i in items.items() if d == "industry" and i.pk != customer.industry_id)
    approvals.approve(
        head_of(owner), task(head_of(owner), instance_of(customer)).pk, "行业改一下", {"industry": industry.code}
    )
    # 2: rejected (duplicate of a group company already followed by someone else).
    customer, owner = submitted[2]
    approvals.reject(
        head_of(owner), task(head_of(owner), instance_of(customer)).pk, "与集团总部客户重复，请在总部客户下跟进"
    )
    # 3: A-level, the director returns it to the rep for more information.
    customer, owner = submitted[3]
    approvals.approve(head_of(owner), task(head_of(owner), instance_of(customer)).pk, "")
    approvals.return_(
        director, task(director, instance_of(customer)).pk, "请补充统一社会信用代码和决策人联系方式", "submitter"
    )
    # 4: the head asks a senior rep to check first (加签).
    customer, owner = submitted[4]
    senior = next(u for u in reps if u.department_id == owner.department_id and u.pk != owner.pk)
    approvals.add_signer(
        head_of(owner), task(head_of(owner), instance_of(customer)).pk, senior, "before", "请先核实一下"
    )
    # The rest wait for their department heads (to-dos on the workbench).

    # A transfer waiting for ops, and one carried out.
    north_reps = [u for u in reps if u.department_id == north_manager.department_id]
    books = [c for c in context["customers"] if c.owner_id == north_reps[0].pk][:3]
    if books:
        services.transfer_customers(north_manager, [c.pk for c in books[:2]], north_reps[1], "客户所在区域调整")
    if len(books) > 2:
        summary = services.transfer_customers(north_manager, [books[2].pk], north_reps[2], "按行业重新分配")
        approvals.approve(ops, task(ops, FlowInstance.objects.get(pk=summary.request_instance_id)).pk, "同意转移")
    # The east manager is on leave next week: the north manager signs for them.
    today = timezone.localdate()
    approvals.set_delegation(
        east_manager, east_manager, north_manager, today + timedelta(days=7), today + timedelta(days=11), [], "年假"
    )
