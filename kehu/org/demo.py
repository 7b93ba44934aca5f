"""The demo company's organisation: a department tree and about twenty people covering every role."""

import random

from faker import Faker
from pypinyin import lazy_pinyin

from kehu.org.models import Department, Role, User

COMPANY = "云帆智能科技"

# (key, name, parent key)
DEPARTMENTS = [
    ("root", COMPANY, None),
    ("gm", "总经办", "root"),
    ("sales", "销售中心", "root"),
    ("north", "华北销售部", "sales"),
    ("east", "华东销售部", "sales"),
    ("ops", "销售管理部", "root"),
    ("warehouse", "仓储物流部", "root"),
    ("service", "售后服务部", "root"),
]

# (department key, role codes, job title, superior's index in this list, heads the department)
PEOPLE = [
    ("gm", ["sales_director"], "总经理", None, True),
    ("gm", ["system_admin"], "IT 主管", 0, False),
    ("sales", ["sales_director"], "销售总监", 0, True),
    ("north", ["sales_manager"], "华北销售经理", 2, True),
    ("east", ["sales_manager"], "华东销售经理", 2, True),
    ("north", ["sales_rep"], "销售代表", 3, False),
    ("north", ["sales_rep"], "销售代表", 3, False),
    ("north", ["sales_rep"], "高级销售代表", 3, False),
    ("north", ["sales_rep"], "销售代表", 3, False),
    ("east", ["sales_rep"], "销售代表", 4, False),
    ("east", ["sales_rep"], "高级销售代表", 4, False),
    ("east", ["sales_rep"], "销售代表", 4, False),
    ("east", ["sales_rep"], "销售代表", 4, False),
    ("east", ["sales_rep"], "销售代表", 4, False),
    ("ops", ["sales_ops"], "销售运营经理", 0, True),
    ("ops", ["sales_ops"], "销售运营专员", 14, False),
    ("warehouse", ["warehouse_keeper"], "仓储主管", 0, True),
    ("warehouse", ["warehouse_keeper"], "库管员", 16, False),
    ("service", ["after_sales"], "售后主管", 0, True),
    ("service", ["after_sales"], "售后工程师", 18, False),
]


def _username(name: str, taken: set[str]) -> str:
    base = "".join(lazy_pinyin(name)) or "user"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    taken.add(candidate)
    return candidate


def load(context: dict) -> None:
    fake = Faker("zh_CN")
    fake.seed_instance(context["seed"])
    rng = random.Random(context["seed"])
    departments: dict[str, Department] = {}
    for key, name, parent_key in DEPARTMENTS:
        if parent_key is None:
            departments[key] = Department.objects.add_root({"name": name, "code": key.upper()})
        else:
            parent = Department.objects.get(pk=departments[parent_key].pk)
            departments[key] = Department.objects.add_child(parent, {"name": name, "code": key.upper()})
    roles = {r.code: r for r in Role.objects.all()}
    taken = {"admin"}
    users: list[User] = []
    for index, (dept_key, role_codes, title, superior_index, is_head) in enumerate(PEOPLE):
        name = fake.name()
        username = "admin" if index == 1 else _username(name, taken)
        user = User(
            username=username,
            name=name,
            phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            email=f"{username}@yunfan.example.cn",
            title=title,
            department=departments[dept_key],
            superior=users[superior_index] if superior_index is not None else None,
            date_joined=fake.date_time_between("-5y", "-30d", tzinfo=None).astimezone(),
        )
        user.set_password(context["password"])
        user.save()
        user.roles.set([roles[c] for c in role_codes])
        if is_head:
            Department.objects.filter(pk=departments[dept_key].pk).update(head=user)
        users.append(user)
    Department.objects.filter(pk=departments["root"].pk).update(head=users[0])  # the general manager
    context["users"] = users
    context["departments"] = departments
