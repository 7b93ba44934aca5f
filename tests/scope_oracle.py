"""An independent, deliberately naive statement of the data-scope rules, used as the leak test's oracle.

It walks the department tree parent by parent in Python and reads each role grant one by one, so it shares
no code with `kehu.org.scope` (which resolves subtrees through path prefixes in SQL). Each scoped model
needs an entry in `ORACLES` (who may see a record) and in `BUILDERS` (records spread over the test
organisation); the leak test fails for a registered model without them.
"""

from django.utils import timezone

from kehu.customers.models import Customer, CustomerShare
from kehu.notify.models import Message
from kehu.notify.services import send_message
from kehu.org.models import Department
from tests.scoped_app.models import Memo, MemoShare


def _ancestors_or_self(department_id) -> set[int]:
    chain = set()
    node = Department.objects.get(pk=department_id) if department_id else None
    while node is not None:
        chain.add(node.pk)
        node = Department.objects.get_parent(node)
    return chain


def owned_record_visible(person, obj, module: str, action: str = "view", shared: bool = False) -> bool:
    if not person.is_active:
        return False
    if person.is_superuser:
        return True
    grants = [grant for role in person.roles.all() for grant in role.grants.all() if grant.module == module]
    if not any("view" in grant.actions for grant in grants):
        return False
    if shared:
        return True
    owner_chain = _ancestors_or_self(obj.owner_department_id)
    for grant in grants:
        if action not in grant.actions:
            continue
        if grant.scope == "all" or (obj.owner_id is not None and obj.owner_id == person.pk):
            return True
        if grant.scope == "department" and obj.owner_department_id == person.department_id:
            return True
        if grant.scope == "department_tree" and person.department_id in owner_chain:
            return True
        if grant.scope == "chosen" and owner_chain & {d.pk for d in grant.departments.all()}:
            return True
    return False


def memo_visible(person, memo, action="view") -> bool:
    shares = MemoShare.objects.filter(memo=memo)
    if action != "view":
        shares = shares.filter(can_edit=True)
    shared = shares.filter(user=person).exists() or (
        person.department_id is not None and shares.filter(department_id=person.department_id).exists()
    )
    return owned_record_visible(person, memo, "memos", action, shared=shared)


def customer_visible(person, customer, action="view") -> bool:
    if customer.status == Customer.Status.MERGED and action != "view":
        return False
    shares = [
        s
        for s in CustomerShare.objects.filter(customer=customer)
        if (s.until is None or s.until > timezone.now()) and (action == "view" or s.can_edit)
    ]
    shared = any(
        s.user_id == person.pk or (s.department_id and s.department_id == person.department_id) for s in shares
    )
    return owned_record_visible(person, customer, "customers", action, shared=shared)


def build_memos(org):
    memos = [
        Memo.objects.create(owner=person, owner_department=person.department, title=f"MEMO-{person.username}-{n}")
        for person in org.people()
        for n in range(2)
    ]
    MemoShare.objects.create(memo=memos[-1], user=org.rep)
    return memos


def build_messages(org):
    for person in org.people():
        send_message([person], f"MSG-{person.username}", "body")
    return list(Message.objects.all())


def build_customers(org):
    customers = []
    for n, person in enumerate(org.people()):
        customers.append(
            Customer.objects.create(
                owner=person,
                owner_department=person.department,
                number=f"CU-T-{n:04d}",
                name=f"测试客户{n}",
                name_normalized=f"测试客户{n}",
            )
        )
    customers.append(Customer.objects.create(number="CU-T-POOL", name="公海客户", name_normalized="公海客户"))
    CustomerShare.objects.create(customer=customers[5], user=org.rep)  # rep_east's customer, read-only
    CustomerShare.objects.create(customer=customers[4], department=org.north, can_edit=True)  # rep_bj's
    CustomerShare.objects.create(
        customer=customers[1], user=org.rep, until=timezone.now() - timezone.timedelta(days=1)
    )  # the director's, expired
    return customers


ORACLES = {
    Memo: memo_visible,
    Message: lambda person, message, action="view": message.recipient_id == person.pk,
    Customer: customer_visible,
}
BUILDERS = {Memo: build_memos, Message: build_messages, Customer: build_customers}


def build_contacts(org):
    from kehu.customers.models import Contact

    customers = build_customers(org) if not Customer.objects.exists() else list(Customer.objects.all())
    return [Contact.objects.create(customer=c, name=f"联系人{c.pk}") for c in customers]


def contact_visible(person, contact, action="view") -> bool:
    return customer_visible(person, contact.customer, action)


from kehu.customers.models import Contact  # noqa: E402

ORACLES[Contact] = contact_visible
BUILDERS[Contact] = build_contacts


def _activity_customers(org):
    return build_customers(org) if not Customer.objects.exists() else list(Customer.objects.order_by("pk"))


def _outsider():
    """Follow-ups and visits of the leak test are written by someone outside `org.people()`, so that no walked
    action (delete, check-in) changes which records exist while the walk goes on."""
    from kehu.org.models import User
    from tests.factories import UserFactory

    return User.objects.filter(username="activity_author").first() or UserFactory(
        username="activity_author", name="外勤"
    )


def build_followups(org):
    """One follow-up a customer, its next step (due today: on the workbench) handed to someone else in turn, so that
    many next-step owners cannot see the customer: the workbench and the next-steps page must hide those."""
    from kehu.customers.models import FollowUp

    author = _outsider()
    people = org.people()
    return [
        FollowUp.objects.create(
            customer=c,
            author=author,
            content=f"FU-{n:04d}",
            next_step=f"NS-{n:04d}",
            next_step_owner=people[(n + 3) % len(people)],
            next_step_due=timezone.localdate(),
        )
        for n, c in enumerate(_activity_customers(org))
    ]


def build_visits(org):
    from kehu.customers.models import Visit

    visitor = _outsider()
    when = timezone.now() + timezone.timedelta(days=1)
    return [
        Visit.objects.create(customer=c, visitor=visitor, purpose=f"VP-{n:04d}", planned_at=when)
        for n, c in enumerate(_activity_customers(org))
    ]


def activity_visible(person, obj, action="view") -> bool:
    """A follow-up or a visit is visible exactly when its customer is."""
    return customer_visible(person, obj.customer, action)


from kehu.customers.models import FollowUp, Visit  # noqa: E402

ORACLES[FollowUp] = activity_visible
ORACLES[Visit] = activity_visible
BUILDERS[FollowUp] = build_followups
BUILDERS[Visit] = build_visits


# --- permissions and the named alternative rules of action routes ------------------------------------------------
def module_perm(person, module: str, action: str) -> bool:
    """Whether any of the person's roles grants `action` on `module` (read grant by grant)."""
    if not person.is_active:
        return False
    if person.is_superuser:
        return True
    return any(
        grant.module == module and action in grant.actions for role in person.roles.all() for grant in role.grants.all()
    )


def pool_visible(person, customer, action="view") -> bool:
    """The public pool: a customer without an owner, open to everyone who may view customers."""
    return (
        customer.owner_id is None
        and customer.status == Customer.Status.ACTIVE
        and module_perm(person, "customers", "view")
    )


def release_allowed(person, customer, action="change") -> bool:
    """Putting an owned customer into the pool needs the role's change scope; an editable share is not enough."""
    return customer.owner_id is not None and owned_record_visible(person, customer, "customers", "change")


ORACLES[(Customer, "pool")] = pool_visible
ORACLES[(Customer, "release")] = release_allowed


# --- approvals: not owned records; the submitter, the task holders (and whom they act for) and ops see one -------
def build_approvals(org):
    """One expense in approval per person, its reviewer (the approver) two places further in the list."""
    from kehu.approvals import services as approvals
    from kehu.approvals.models import FlowInstance
    from tests.approvals.helpers import approval, expense, flow, publish

    if FlowInstance.objects.exists():
        return list(FlowInstance.objects.order_by("pk"))
    publish(org.admin, flow({"n1": approval("审核", {"kind": "field", "field": "reviewer"})}))
    people = org.people()
    return [
        approvals.submit(person, "tests.expense", expense(person, title=f"AP-{n:04d}", reviewer=people[(n + 2) % 10]))
        for n, person in enumerate(people)
    ]


def build_tasks(org):
    from kehu.approvals.models import FlowTask

    instances = build_approvals(org)
    return list(FlowTask.objects.filter(instance__in=instances).order_by("pk"))


def approval_visible(person, instance, action="view") -> bool:
    from kehu.approvals.models import FlowTask

    if not person.is_active:
        return False
    if instance.submitter_id == person.pk or module_perm(person, "approvals", "manage"):
        return True
    return any(person.pk in (t.assignee_id, t.on_behalf_of_id) for t in FlowTask.objects.filter(instance=instance))


def task_holder(person, task, action="view") -> bool:
    """A task is acted on by its holder only, while it is open."""
    return task.assignee_id == person.pk and task.state == "open" and person.is_active


from kehu.approvals.models import FlowInstance, FlowTask  # noqa: E402

ORACLES[FlowInstance] = approval_visible
ORACLES[(FlowInstance, "submitter")] = lambda person, instance, action="view": instance.submitter_id == person.pk
ORACLES[(FlowTask, "holder")] = task_holder
BUILDERS[FlowInstance] = build_approvals
BUILDERS[FlowTask] = build_tasks


# --- sales targets and the case library ---------------------------------------------------------------------------
def target_visible(person, target, action="view") -> bool:
    """A target is seen as one of its person's own records would be (filed under the department it was set for); a
    department's target by the scopes that include that department."""
    if not module_perm(person, "targets", action):
        return False

    class Subject:
        owner_id = target.user_id
        owner_department_id = target.department_id

    return owned_record_visible(person, Subject, "targets", action)


def build_targets(org):
    from kehu.sales.targets.models import Target

    year = timezone.localdate().year
    rows = [
        Target(metric="sales.won_amount", year=year, month=1 + n % 12, user=p, department=p.department, amount=1000 + n)
        for n, p in enumerate(org.people())
        if p.department_id
    ]
    rows += [
        Target(metric="sales.won_amount", year=year, month=1, department=d, amount=5000 + n)
        for n, d in enumerate([org.root, org.sales, org.north, org.east, org.beijing, org.ops])
    ]
    for row in rows:
        row.save()
    return rows


def case_visible(person, case, action="view") -> bool:
    if not module_perm(person, "cases", "view"):
        return False
    if module_perm(person, "cases", "manage"):
        return True
    if action == "view":
        return case.status == "published" or case.author_id == person.pk
    return module_perm(person, "cases", action) and case.author_id == person.pk


def won_opportunities(org, prefix="CASE"):
    """One won opportunity a person of the organisation, on a customer of their own."""
    from kehu.sales.models import Opportunity, Stage

    stage = Stage.objects.order_by("position").first() or Stage.objects.create(name="签约", position=1, probability=90)
    today = timezone.localdate()
    found = []
    for n, person in enumerate(p for p in org.people() if p.department_id):
        customer = Customer.objects.create(
            owner=person,
            owner_department=person.department,
            number=f"CU-{prefix}-{n:03d}",
            name=f"{prefix}客户{n}",
            name_normalized=f"{prefix}客户{n}",
        )
        found.append(
            Opportunity.objects.create(
                number=f"OP-{prefix}-{n:03d}",
                customer=customer,
                name=f"{prefix}商机{n}",
                amount=100000 + n,
                expected_close_date=today,
                stage=stage,
                status=Opportunity.Status.WON,
                won_amount=100000 + n,
                closed_on=today,
                owner=person,
                owner_department=person.department,
            )
        )
    return found


def build_cases(org):
    from kehu.sales.cases.models import Case

    cases = []
    for n, opportunity in enumerate(won_opportunities(org)):
        published = n % 2 == 0
        cases.append(
            Case.objects.create(
                opportunity=opportunity,
                title=f"CASE-{opportunity.owner.username}",
                problem="问题",
                solution="方案",
                amount=opportunity.won_amount,
                author=opportunity.owner,
                status=Case.Status.PUBLISHED if published else Case.Status.DRAFT,
                published_at=timezone.now() if published else None,
            )
        )
    return cases


from kehu.sales.cases.models import Case  # noqa: E402
from kehu.sales.targets.models import Target  # noqa: E402

ORACLES[Target] = target_visible
ORACLES[Case] = case_visible
BUILDERS[Target] = build_targets
BUILDERS[Case] = build_cases
# Messages last: the other builders send some (an approval tells its approver), and the message routes must know
# every message there is.
BUILDERS[Message] = BUILDERS.pop(Message)


# --- opportunities (kehu.sales): owned like customers, shared with team members (团队成员) -------------------------
def build_opportunities(org):
    """Two opportunities a person (on their own customer), in a stage without required fields, plus team members:
    rep on rep_east's first opportunity (read-only), dept_viewer on rep_bj's (may edit)."""
    from datetime import timedelta

    from kehu.sales.models import Opportunity, OpportunityMember, Stage, StageHistory

    customers = _activity_customers(org)
    open_stage = Stage.objects.create(name="测试阶段", position=5, probability=10)
    Stage.objects.create(name="测试阶段二", position=6, probability=20)
    close = timezone.localdate() + timedelta(days=30)
    rows = []
    for n, customer in enumerate(c for c in customers if c.owner_id is not None):
        for k in range(2):
            opportunity = Opportunity.objects.create(
                number=f"OP-T-{n:04d}-{k}",
                customer=customer,
                name=f"测试商机{n}-{k}",
                amount="10000.00",
                expected_close_date=close,
                stage=open_stage,
                owner=customer.owner,
                owner_department=customer.owner_department,
            )
            StageHistory.objects.create(opportunity=opportunity, stage=open_stage)
            rows.append(opportunity)
    by_owner = {o.owner_id: o for o in reversed(rows)}
    OpportunityMember.objects.create(opportunity=by_owner[org.rep_east.pk], user=org.rep)
    OpportunityMember.objects.create(opportunity=by_owner[org.rep_bj.pk], user=org.dept_viewer, can_edit=True)
    return rows


def opportunity_visible(person, opportunity, action="view") -> bool:
    from kehu.sales.models import OpportunityMember

    members = OpportunityMember.objects.filter(opportunity=opportunity, user=person)
    if action != "view":
        members = members.filter(can_edit=True)
    return owned_record_visible(person, opportunity, "opportunities", action, shared=members.exists())


def build_opportunity_followups(org):
    from kehu.customers.models import FollowUp
    from kehu.sales.models import Opportunity, OpportunityFollowUp

    opportunities = build_opportunities(org) if not Opportunity.objects.exists() else list(Opportunity.objects.all())
    author = _outsider()
    return [
        OpportunityFollowUp.objects.create(
            opportunity=o, followup=FollowUp.objects.create(customer=o.customer, author=author, content=f"OF-{o.pk}")
        )
        for o in opportunities
    ]


def opportunity_followup_visible(person, entry, action="view") -> bool:
    return opportunity_visible(person, entry.opportunity, action)


from kehu.sales.models import Opportunity, OpportunityFollowUp  # noqa: E402

ORACLES[Opportunity] = opportunity_visible
BUILDERS[Opportunity] = build_opportunities
ORACLES[OpportunityFollowUp] = opportunity_followup_visible
BUILDERS[OpportunityFollowUp] = build_opportunity_followups


# --- products and stock: the catalogue is unscoped; stock follows its warehouse (owner, department, keepers) ------
def warehouse_visible(person, warehouse, action="view") -> bool:
    """A warehouse's owner scope as any owned record, and its keepers for every action their roles grant."""
    keeper = warehouse.keepers.filter(pk=person.pk).exists() and module_perm(person, "products", action)
    return owned_record_visible(person, warehouse, "products", action, shared=keeper)


def through_warehouse(person, obj, action="view") -> bool:
    return warehouse_visible(person, obj.warehouse, action)


def build_warehouses(org):
    from kehu.products.models import Warehouse

    if Warehouse.objects.exists():
        return list(Warehouse.objects.order_by("pk"))
    people = org.people()
    warehouses = [
        Warehouse.objects.create(
            code=f"WH-T-{n:02d}",
            name=f"测试仓{n}",
            owner=person,
            owner_department=person.department,
            is_default=n == 0,
        )
        for n, person in enumerate(people)
    ]
    warehouses[5].keepers.add(org.rep)  # rep_east's warehouse, kept by the north rep too
    warehouses[3].keepers.add(org.dept_viewer)  # the rep's warehouse, kept by the north assistant (stock work)
    return warehouses


def _test_product(n):
    from kehu.products.models import Category, Product

    category = Category.objects.first() or Category.objects.add_root({"name": "测试分类"})
    return Product.objects.get_or_create(
        sku_key=f"P-T-{n:02d}",
        defaults={"sku": f"P-T-{n:02d}", "name": f"测试产品{n}", "category": category, "list_price": 10},
    )[0]


def build_stock(org):
    from kehu.products import ledger
    from kehu.products.models import Stock

    if not Stock.objects.exists():
        for n, warehouse in enumerate(build_warehouses(org)):
            ledger.post_movement(product=_test_product(n), warehouse=warehouse, quantity="5", kind="stock_in")
    return list(Stock.objects.order_by("pk"))


def build_moves(org):
    from kehu.products.models import StockMove

    build_stock(org)
    return list(StockMove.objects.order_by("pk"))


def build_stock_ins(org):
    from kehu.products.models import StockIn, StockInLine

    if not StockIn.objects.exists():
        for n, warehouse in enumerate(build_warehouses(org)):
            stock_in = StockIn.objects.create(
                number=f"RK-T-{n:02d}", warehouse=warehouse, created_by=warehouse.owner, supplier=f"供应商{n}"
            )
            StockInLine.objects.create(stock_in=stock_in, product=_test_product(n), quantity=2)
        from kehu.products.documents import post_stock_in

        for stock_in in StockIn.objects.filter(number__in=["RK-T-00", "RK-T-04", "RK-T-06"]):
            StockIn.objects.filter(pk=stock_in.pk).update(status="approved")
            post_stock_in(stock_in, None)  # approved: its goods are in, so cancelling can reverse them
    return list(StockIn.objects.order_by("pk"))


def build_stocktakes(org):
    from kehu.products.models import Stocktake, StocktakeLine

    if not Stocktake.objects.exists():
        for n, warehouse in enumerate(build_warehouses(org)):
            take = Stocktake.objects.create(number=f"PD-T-{n:02d}", warehouse=warehouse, created_by=warehouse.owner)
            StocktakeLine.objects.create(stocktake=take, product=_test_product(n), counted=1)
    return list(Stocktake.objects.order_by("pk"))


from kehu.products.models import Stock, StockIn, StockMove, Stocktake, Warehouse  # noqa: E402

ORACLES[Warehouse] = warehouse_visible
ORACLES[Stock] = through_warehouse
ORACLES[StockMove] = through_warehouse
ORACLES[StockIn] = through_warehouse
ORACLES[Stocktake] = through_warehouse
BUILDERS[Warehouse] = build_warehouses
BUILDERS[Stock] = build_stock
BUILDERS[StockMove] = build_moves
BUILDERS[StockIn] = build_stock_ins
BUILDERS[Stocktake] = build_stocktakes
BUILDERS[Message] = BUILDERS.pop(Message)  # messages stay last (a low-stock posting may send some)
