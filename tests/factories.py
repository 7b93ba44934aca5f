"""Factories for tests: users, departments, roles and a ready-made organisation."""

from dataclasses import dataclass

import factory

from kehu.org.models import Department, Role, RoleGrant, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.roles.set(extracted)
        if create:
            self.save()


def make_role(code: str, grants: dict) -> Role:
    """grants: {module: (actions, scope, [chosen departments])}"""
    role = Role.objects.create(code=code, name_zh=code, name_en=code)
    for module, spec in grants.items():
        actions, scope, *rest = spec
        grant = RoleGrant.objects.create(role=role, module=module, actions=list(actions), scope=scope)
        if rest:
            grant.departments.set(rest[0])
    return role


def add_department(name: str, parent: Department | None = None) -> Department:
    if parent is None:
        return Department.objects.add_root({"name": name})
    return Department.objects.add_child(Department.objects.get(pk=parent.pk), {"name": name})


@dataclass
class DepartmentTree:
    root: Department
    sales: Department
    north: Department
    east: Department
    beijing: Department
    ops: Department
    admin: User  # system administrator + sales ops
    director: User  # sales: department and below (sales)
    manager: User  # north: department and below (north, beijing)
    rep: User  # north, self only
    rep_bj: User  # beijing, self only
    rep_east: User  # east, self only
    dept_viewer: User  # north: own department only
    chosen_viewer: User  # ops, chosen departments: east
    everyone_viewer: User  # all
    nobody: User  # no roles at all

    @classmethod
    def build(cls):
        root = add_department("总公司")
        sales = add_department("销售中心", root)
        north = add_department("华北销售部", sales)
        east = add_department("华东销售部", sales)
        beijing = add_department("北京组", north)
        ops = add_department("销售管理部", root)
        memo = ("view", "add", "change")
        customer = ("view", "add", "change", "export")
        opportunity = ("view", "add", "change", "export")
        case = ("view", "add", "change")
        rep_role = make_role(
            "t_rep",
            {
                "memos": (memo, "self"),
                "customers": (customer, "self"),
                "opportunities": (opportunity, "self"),
                "targets": (("view",), "self"),
                "cases": (case, "self"),
            },
        )
        dept_role = make_role(
            "t_dept",
            {
                "memos": (memo, "department"),
                "customers": (customer, "department"),
                "opportunities": (opportunity, "department"),
                "targets": (("view",), "department"),
                "cases": (("view",), "self"),
            },
        )
        tree_role = make_role(
            "t_tree",
            {
                "memos": (memo, "department_tree"),
                "customers": ((*customer, "transfer"), "department_tree"),
                "opportunities": ((*opportunity, "transfer", "reopen"), "department_tree"),
                "targets": (("view", "change"), "department_tree"),
                "cases": (case, "self"),
            },
        )
        chosen_role = make_role(
            "t_chosen",
            {
                "memos": (("view",), "chosen", [east]),
                "customers": (("view",), "chosen", [east]),
                "opportunities": (("view",), "chosen", [east]),
                "targets": (("view",), "chosen", [east]),
            },
        )
        all_role = make_role(
            "t_all",
            {
                "memos": (("view",), "all"),
                "customers": (("view",), "all"),
                "opportunities": (("view",), "all"),
                "targets": (("view",), "all"),
                "cases": (("view", "add", "change", "manage"), "all"),
            },
        )
        # Products: the catalogue for every role that views it; stock by warehouse scope (kehu/products).
        for role, actions, scope in (
            (rep_role, ("view",), "self"),
            (dept_role, ("view", "stock"), "department"),
            (tree_role, ("view", "stock", "export"), "department_tree"),
            (all_role, ("view", "costs"), "all"),
        ):
            RoleGrant.objects.create(role=role, module="products", actions=list(actions), scope=scope)
        RoleGrant.objects.create(role=chosen_role, module="products", actions=["view"], scope="chosen").departments.set(
            [east]
        )
        admin_roles = list(Role.objects.filter(code__in=["system_admin", "sales_ops"]))
        return cls(
            root=root,
            sales=sales,
            north=north,
            east=east,
            beijing=beijing,
            ops=ops,
            admin=UserFactory(username="admin", name="管理员", department=root, roles=admin_roles),
            director=UserFactory(username="director", name="总监", department=sales, roles=[tree_role]),
            manager=UserFactory(username="manager", name="华北经理", department=north, roles=[tree_role]),
            rep=UserFactory(username="rep", name="华北销售", department=north, roles=[rep_role]),
            rep_bj=UserFactory(username="rep_bj", name="北京销售", department=beijing, roles=[rep_role]),
            rep_east=UserFactory(username="rep_east", name="华东销售", department=east, roles=[rep_role]),
            dept_viewer=UserFactory(username="dept_viewer", name="华北助理", department=north, roles=[dept_role]),
            chosen_viewer=UserFactory(username="chosen", name="运营", department=ops, roles=[chosen_role]),
            everyone_viewer=UserFactory(username="all", name="全员", department=ops, roles=[all_role]),
            nobody=UserFactory(username="nobody", name="无角色", department=ops),
        )

    def people(self) -> list[User]:
        return [
            self.admin,
            self.director,
            self.manager,
            self.rep,
            self.rep_bj,
            self.rep_east,
            self.dept_viewer,
            self.chosen_viewer,
            self.everyone_viewer,
            self.nobody,
        ]


def log_in(client, username: str, password: str) -> bool:
    """Log in through the login page, as a person would (django-axes needs the request)."""
    response = client.post("/login/", {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session
