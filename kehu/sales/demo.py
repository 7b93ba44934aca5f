"""The demo company's pipeline: about 600 opportunities created over the last year on the reps' customers, with
their stage history, follow-ups (some reviewed by managers), wins at realistic per-rep rates and losses with
reasons and competitors, so that the kanban, the lists and (for the targets module) the won figures open full.

Written in bulk (with history rows) rather than one service call each: the records are what the services would
have written — numbers, stage history, timeline events, rotting times."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from kehu.core.models import DictionaryItem
from kehu.core.numbering import reserve_numbers
from kehu.customers.models import Contact, Customer, FollowUp
from kehu.sales import stages as stage_rules
from kehu.sales.models import Opportunity, OpportunityEvent, OpportunityFollowUp, Stage, StageHistory

COUNT = 600
PRODUCTS = ["ERP 系统", "MES 制造执行", "WMS 仓储管理", "CRM 实施", "数据中台", "OA 协同", "BI 报表", "云服务器年包"]
SUBJECTS = ["升级项目", "一期建设", "二期扩容", "年度采购", "试点项目", "集团推广", "运维服务"]
LOSS_NOTES = {
    "price": ["对方报价低约 15%，客户最终选了低价方案。", "预算压缩，我方价格没有优势。"],
    "product": ["客户要求的定制功能我们短期内做不到。", "缺少移动端审批，被技术评审否决。"],
    "competitor": ["竞争对手与客户高层关系更紧密。", "对方是客户原有供应商，切换成本高。"],
    "budget": ["客户年度预算取消，项目冻结。"],
    "timing": ["项目延期到明年，先关闭。"],
    "no_decision": ["客户内部意见不统一，迟迟不决策。"],
    "other": ["客户被集团收购，采购改由总部统一。"],
}
FOLLOWUPS = [
    "电话沟通需求，客户关注上线周期和实施费用。",
    "上门演示系统，财务和生产部门都参加了。",
    "发送了报价单和实施方案，等待客户内部评审。",
    "与决策人见面，确认预算在年内落实。",
    "技术交流会，客户 IT 对接口方案提出了几点问题。",
    "商务谈判，客户希望付款方式改为 3-6-1。",
]


def _aware(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def load(context: dict) -> None:
    rng = random.Random(context["seed"] + 11)
    users = context["users"]
    sellers = [u for u in users if u.roles.filter(code__in=("sales_rep", "sales_manager")).exists()]
    by_owner: dict[int, list] = {}
    for customer in context.get("customers", []):
        if customer.owner_id and customer.status == "active":
            by_owner.setdefault(customer.owner_id, []).append(customer)
    sellers = [u for u in sellers if by_owner.get(u.pk)]
    # when each customer was created (the customers demo back-dates them in the database, not in `context`)
    born = {
        pk: timezone.localdate(at)
        for pk, at in Customer.objects.filter(pk__in=[c.pk for cs in by_owner.values() for c in cs]).values_list(
            "pk", "created_at"
        )
    }
    stages = list(Stage.objects.filter(is_active=True).order_by("position"))
    if not sellers or not stages:
        return
    items = {(i.dictionary.code, i.code): i for i in DictionaryItem.objects.select_related("dictionary")}
    sources = [i for (d, _c), i in items.items() if d == "opportunity_source"]
    reasons = [i for (d, _c), i in items.items() if d == "loss_reason"]
    rivals = [i for (d, c), i in items.items() if d == "competitor" and c != "other"]
    makers = {}
    for contact in Contact.objects.filter(customer__in=[c for cs in by_owner.values() for c in cs]).order_by("pk"):
        makers.setdefault(contact.customer_id, contact)
    # every rep wins at their own rate (a strong closer, an average one, a struggling newcomer ...)
    win_rate = {u.pk: rng.choice([0.18, 0.25, 0.3, 0.35, 0.42, 0.5]) for u in sellers}
    now = timezone.now()
    today = timezone.localdate()
    numbers = iter(reserve_numbers("OP", COUNT, when=now))
    plans = []
    for _n in range(COUNT):
        owner = rng.choice(sellers)
        customer = rng.choice(by_owner[owner.pk])
        created = today - timedelta(days=int(rng.triangular(0, 365, 60)))
        # never before the customer itself (its follow-ups are the customer's too)
        created = min(max(created, born[customer.pk] + timedelta(days=1)), today)
        amount = Decimal(int(rng.lognormvariate(12.2, 0.9)) // 100 * 100 + 5000)
        age = (today - created).days
        closed = age > 45 and rng.random() < min(0.9, age / 200)
        reached = rng.choices(range(len(stages)), weights=[max(30 - 5 * i, 5) for i in range(len(stages))])[0]
        if closed:
            won = rng.random() < win_rate[owner.pk]
            if won:
                reached = max(reached, len(stages) - 2)
        plans.append((owner, customer, created, amount, closed, closed and won, reached))
    opportunities, extra = [], []
    for owner, customer, created, amount, closed, won, reached in plans:
        maker = makers.get(customer.pk)
        path = stages[: reached + 1]
        if maker is None:  # without a decision maker the gates stop it before a stage that needs one
            allowed = [s for s in path if "decision_maker" not in s.required_fields]
            path = allowed or stages[:1]
        span = max((today - created).days, 1)
        if closed:  # a closed deal took its own cycle (three weeks to five months), not the time since it started
            span = min(span, rng.randint(21, 150))
        step = max(span // (len(path) + 1), 1)
        entered = [
            created + timedelta(days=min(i * step + rng.randint(0, max(step // 2, 0)), span)) for i in range(len(path))
        ]
        closed_on = None
        if closed:
            closed_on = min(entered[-1] + timedelta(days=rng.randint(3, 40)), today)
        last = entered[-1]
        stage = path[-1]
        expected = closed_on if closed else today + timedelta(days=rng.randint(7, 150))
        if not closed and rng.random() < 0.06:
            expected = today - timedelta(days=rng.randint(1, 20))  # slipped: flagged "close date passed"
        if not closed and rng.random() < 0.85:  # most open deals were worked on lately (a follow-up, a call)
            last = max(last, today - timedelta(days=rng.randint(0, 12)))
        last_activity = _aware(last, 10)
        opportunity = Opportunity(
            number=next(numbers),
            customer=customer,
            name=f"{rng.choice(PRODUCTS)}{rng.choice(SUBJECTS)}",
            amount=amount,
            expected_close_date=expected,
            stage=stage,
            status=("won" if won else "lost") if closed else "open",
            approval_status="active",
            source=rng.choice(sources) if sources else None,
            decision_maker=maker,
            owner=owner,
            owner_department_id=owner.department_id,
            created_by=owner,
            created_at=_aware(created, 9),
            stage_entered_at=_aware(entered[-1], 10),
            last_activity_at=last_activity,
            rots_at=None if closed else stage_rules.rots_at(stage, last_activity),
            updated_by=owner,
            updated_at=_aware(closed_on or last, 11),
            closed_on=closed_on,
            won_amount=(amount * Decimal(rng.choice(["0.9", "0.95", "1", "1"]))).quantize(Decimal("0.01"))
            if won
            else None,
        )
        if closed and not won:
            reason = rng.choice(reasons)
            opportunity.loss_reason = reason
            opportunity.won_by_competitor = rng.choice(rivals)
            opportunity.result_note = rng.choice(LOSS_NOTES.get(reason.code, LOSS_NOTES["other"]))
        elif won:
            opportunity.result_note = "合同已签，首付款到账后安排实施。"
        opportunity._history_user = owner
        opportunity._history_date = opportunity.created_at
        opportunities.append(opportunity)
        extra.append((path, entered, closed_on))
    bulk_create_with_history(opportunities, Opportunity, batch_size=500)
    saved = list(Opportunity.objects.filter(number__in=[o.number for o in opportunities]).order_by("pk"))
    by_number = {o.number: o for o in saved}
    history, events, links = [], [], []
    for made, (path, entered, closed_on) in zip(opportunities, extra, strict=True):
        opportunity = by_number[made.number]
        for i, stage in enumerate(path):
            left = entered[i + 1] if i + 1 < len(path) else closed_on
            history.append(
                StageHistory(
                    opportunity=opportunity,
                    stage=stage,
                    entered_at=_aware(entered[i], 10),
                    left_at=_aware(left, 10) if left else None,
                    entered_by=opportunity.owner,
                )
            )
            kind, text = (
                (OpportunityEvent.Kind.CREATED, stage.name)
                if i == 0
                else (
                    OpportunityEvent.Kind.STAGE,
                    f"{path[i - 1].name} → {stage.name}",
                )
            )
            events.append(
                OpportunityEvent(
                    opportunity=opportunity,
                    customer_id=opportunity.customer_id,
                    kind=kind,
                    actor=opportunity.owner,
                    text=text,
                    at=_aware(entered[i], 10),
                )
            )
        if opportunity.status == "won":
            events.append(
                OpportunityEvent(
                    opportunity=opportunity,
                    customer_id=opportunity.customer_id,
                    kind=OpportunityEvent.Kind.WON,
                    actor=opportunity.owner,
                    text=f"¥{opportunity.won_amount:,.2f}",
                    at=_aware(closed_on, 16),
                )
            )
        elif opportunity.status == "lost":
            events.append(
                OpportunityEvent(
                    opportunity=opportunity,
                    customer_id=opportunity.customer_id,
                    kind=OpportunityEvent.Kind.LOST,
                    actor=opportunity.owner,
                    text=f"{opportunity.loss_reason.label} · {opportunity.won_by_competitor.label}",
                    at=_aware(closed_on, 16),
                )
            )
        if len(path) >= 3 and rivals:
            links.append(
                Opportunity.competitors.through(opportunity_id=opportunity.pk, dictionaryitem_id=rng.choice(rivals).pk)
            )
    StageHistory.objects.bulk_create(history, batch_size=1000)
    OpportunityEvent.objects.bulk_create(events, batch_size=1000)
    Opportunity.competitors.through.objects.bulk_create(links, batch_size=1000)
    _followups(saved, users, rng, now)
    context["opportunities"] = saved


def _followups(opportunities, users, rng, now):
    """A follow-up on about a third of the open opportunities (the customer's follow-up too); managers reviewed
    some of them."""
    managers = [u for u in users if u.roles.filter(code="sales_manager").exists()]
    chosen = [o for o in opportunities if o.status == "open" and rng.random() < 0.35]
    followups = [
        FollowUp(
            customer_id=o.customer_id,
            author=o.owner,
            kind=rng.choice(["call", "visit", "meeting", "wechat"]),
            content=rng.choice(FOLLOWUPS),
            happened_at=o.last_activity_at,
        )
        for o in chosen
    ]
    FollowUp.objects.bulk_create(followups, batch_size=500)
    entries = []
    for opportunity, followup in zip(chosen, followups, strict=True):
        reviewer = next((m for m in managers if m.department_id == opportunity.owner.department_id), None)
        reviewed = reviewer is not None and reviewer.pk != opportunity.owner_id and rng.random() < 0.4
        entries.append(
            OpportunityFollowUp(
                opportunity=opportunity,
                followup=followup,
                reviewed_by=reviewer if reviewed else None,
                reviewed_at=followup.happened_at + timedelta(hours=20) if reviewed else None,
                review_comment=rng.choice(["跟进及时", "注意推动决策人尽快见面", ""]) if reviewed else "",
            )
        )
    OpportunityFollowUp.objects.bulk_create(entries, batch_size=500)
