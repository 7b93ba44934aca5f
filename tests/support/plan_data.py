"""Enough rows, spread the way production spreads them, for the planner to choose the plan it will choose there.

The plan tests load these once per module (`loaded_once`), inside a transaction that is rolled back at the end
of the module, run `plans.analyze()`, and explain their querysets against them.
"""

import random
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kehu.customers import text
from kehu.customers.models import Contact, Customer
from tests.factories import UserFactory

CUSTOMERS = 20_000  # the PostgreSQL planner walks an index for a page only once the table is this large
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
SYLLABLES = "致远华为长安恒通科技信达盛鑫宏伟新兴东方明珠云海天成瑞丰金源润泽德隆安泰嘉禾博雅鼎立中和"
PLACES = ["北京", "上海", "深圳", "重庆", "杭州", "成都", "武汉", "南京", "西安", "苏州"]
FORMS = ["有限公司", "股份有限公司", "科技有限公司", "集团", "商贸有限公司"]


def chinese_company_name(rng: random.Random) -> str:
    stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
    return f"{rng.choice(PLACES)}{stem}{rng.choice(FORMS)}"


def chinese_person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 2)))


@contextmanager
def loaded_once(django_db_blocker):
    """A transaction around a module's data, rolled back when the module is done (no rows outlive it)."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield
            transaction.set_rollback(True)


def load_customers(org, count: int = CUSTOMERS, seed: int = 8) -> dict:
    """`count` customers: a tenth in the pool, the rest owned by 30 reps across the organisation's sales
    departments (the manager's subtree, north and Beijing, holds about a third), last activity spread over two
    years; and one contact each. Returns the people the tests act as."""
    rng = random.Random(seed)
    departments = [org.north, org.beijing, org.east, org.sales, org.east, org.sales]
    reps = [org.rep, org.rep_bj, org.rep_east] + [
        UserFactory(username=f"plan_rep{n}", name=f"代表{n}", department=departments[n % len(departments)])
        for n in range(27)
    ]
    now = timezone.now()
    customers = []
    for n in range(count):
        name = chinese_company_name(rng)
        owner = None if n % 10 == 0 else rng.choice(reps)
        created = now - timedelta(days=rng.uniform(30, 730))
        customers.append(
            Customer(
                number=f"CU-P{n:07d}",
                name=name,
                name_normalized=text.normalize_name(name),
                name_pinyin=text.name_pinyin(name),
                name_initials=text.name_initials(name),
                owner=owner,
                owner_department_id=owner.department_id if owner else None,
                status=Customer.Status.ACTIVE,
                created_at=created,
                last_activity_at=created + timedelta(days=rng.uniform(0, 30)),
                released_at=now - timedelta(days=rng.uniform(0, 365)) if owner is None else None,
            )
        )
    Customer.objects.bulk_create(customers, batch_size=2_000)
    ids = list(Customer.objects.filter(number__startswith="CU-P").values_list("pk", flat=True))
    Contact.objects.bulk_create(
        [Contact(customer_id=pk, name=chinese_person_name(rng), mobile=f"139{pk:08d}") for pk in ids],
        batch_size=2_000,
    )
    return {"reps": reps, "customer_ids": ids}
