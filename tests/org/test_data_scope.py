"""visible_to: each scope kind, the union of several roles, sharing, and narrowing for "change"."""

import pytest

from kehu.org import services
from kehu.org.scope import effective_scope
from tests.factories import UserFactory, make_role
from tests.scoped_app.models import Memo, MemoShare


def memo(owner, title):
    return Memo.objects.create(owner=owner, owner_department=owner.department, title=title)


@pytest.fixture
def memos(org):
    return {
        "rep": memo(org.rep, "rep"),
        "rep_bj": memo(org.rep_bj, "rep_bj"),
        "rep_east": memo(org.rep_east, "rep_east"),
        "manager": memo(org.manager, "manager"),
        "director": memo(org.director, "director"),
        "ops": memo(org.chosen_viewer, "ops"),
    }


def titles(user, action="view"):
    return set(Memo.objects.visible_to(user, action).values_list("title", flat=True))


def test_self_scope_sees_only_own_records(org, memos):
    assert titles(org.rep) == {"rep"}
    assert titles(org.rep_east) == {"rep_east"}


def test_own_department_scope_excludes_sub_departments(org, memos):
    assert titles(org.dept_viewer) == {"rep", "manager"}


def test_department_and_below_follows_the_tree(org, memos):
    assert titles(org.manager) == {"rep", "rep_bj", "manager"}
    assert titles(org.director) == {"rep", "rep_bj", "rep_east", "manager", "director"}


def test_chosen_departments_include_their_sub_departments_and_own_records(org, memos):
    assert titles(org.chosen_viewer) == {"rep_east", "ops"}


def test_all_scope_and_no_role(org, memos):
    assert titles(org.everyone_viewer) == set(memos)
    assert titles(org.nobody) == set()
    assert titles(org.admin) == set()  # administrators administer; they do not see sales data by default


def test_several_roles_union_their_scopes(org, memos):
    east_role = make_role("t_east", {"memos": (("view",), "chosen", [org.east])})
    org.rep.roles.add(east_role)
    assert titles(org.rep) == {"rep", "rep_east"}


def test_change_is_narrower_than_view_when_a_role_only_views(org, memos):
    assert titles(org.chosen_viewer, "change") == set()
    assert titles(org.manager, "change") == {"rep", "rep_bj", "manager"}


def test_shared_records_are_visible_and_editable_only_when_shared_for_edit(org, memos):
    MemoShare.objects.create(memo=memos["rep_east"], user=org.rep)
    MemoShare.objects.create(memo=memos["director"], department=org.north, can_edit=True)
    assert titles(org.rep) == {"rep", "rep_east", "director"}
    assert titles(org.rep, "change") == {"rep", "director"}
    assert titles(org.rep_bj) == {"rep_bj"}  # beijing is below north, but shares go to the department itself


def test_moving_a_department_moves_the_managers_scope(org, memos):
    assert "rep_bj" in titles(org.manager)
    services.move_department(org.admin, org.beijing, org.east)
    manager = type(org.manager).objects.get(pk=org.manager.pk)  # a new request: fresh scope cache
    assert titles(manager) == {"rep", "manager"}


def test_user_who_left_sees_nothing(org, memos):
    services.mark_user_left(org.admin, org.rep)
    org.rep.refresh_from_db()
    assert titles(org.rep) == set()


def test_scope_is_cached_across_requests_until_the_organisation_changes(org, memos, django_assert_num_queries):
    from kehu.org.scope import _process_cache

    _process_cache.clear()
    user = type(org.manager).objects.get(pk=org.manager.pk)
    with django_assert_num_queries(4):  # scope version, grants, subtree root paths, subtree ids
        effective_scope(user, "memos", "view")
    with django_assert_num_queries(0):  # the same request
        effective_scope(user, "memos", "view")
    next_request = type(org.manager).objects.get(pk=org.manager.pk)
    with django_assert_num_queries(2):  # the scope version and the list itself
        assert titles(next_request) == {"rep", "rep_bj", "manager"}
    services.create_department(org.admin, name="天津组", parent=org.north)
    tianjin = type(org.north).objects.get(name="天津组")
    rep_tj = UserFactory(username="rep_tj", department=tianjin, roles=list(org.rep.roles.all()))
    memo(rep_tj, "rep_tj")
    after_change = type(org.manager).objects.get(pk=org.manager.pk)
    assert titles(after_change) == {"rep", "rep_bj", "manager", "rep_tj"}


def test_revoking_a_role_takes_effect_on_the_next_request(org, memos):
    rep = type(org.rep).objects.get(pk=org.rep.pk)
    assert titles(rep) == {"rep"}
    org.rep.roles.clear()
    assert titles(type(org.rep).objects.get(pk=org.rep.pk)) == set()


def test_changing_a_grant_takes_effect_on_the_next_request(org, memos):
    from kehu.org.models import RoleGrant

    assert titles(type(org.manager).objects.get(pk=org.manager.pk)) == {"rep", "rep_bj", "manager"}
    grants = RoleGrant.objects.filter(role__code="t_tree", module="memos")
    grants.update(scope="department")  # no signal: not through a service
    grant = grants.get()
    grant.save()  # a save sends the signal
    assert titles(type(org.manager).objects.get(pk=org.manager.pk)) == {"rep", "manager"}


def test_superuser_sees_everything(org, memos):
    root = UserFactory(username="root", is_superuser=True, department=org.root)
    assert titles(root) == set(memos)


def test_rows_reached_through_their_customer_add_no_condition_for_an_unrestricted_scope(org):
    """Follow-ups, visits and contacts of someone who sees every customer are read without joining the customers
    (their list then walks its own sort index); anyone else's go through the customers they may see."""
    from kehu.customers.models import Contact, Customer, FollowUp, Visit

    for model in (FollowUp, Visit, Contact):
        everything = model.objects.visible_to(org.everyone_viewer)
        assert not everything.query.where, model
        scoped = str(model.objects.visible_to(org.rep).query)
        assert Customer._meta.db_table in scoped, model
        assert not model.objects.visible_to(org.nobody).exists()
        assert model.objects.visible_to(org.nobody).query.is_empty(), model
