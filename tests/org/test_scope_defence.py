"""Defence in depth of the data scope: the refusals behind `visible_to` that the main flows never hit (a user who
may view but not act on a model that cannot be shared, an inactive account), what forgetting a user's cached scope
drops, the scope-version row, and the small helpers every scoped read goes through."""

import pytest
from django.http import Http404
from django.utils.functional import SimpleLazyObject

from kehu.org import scope
from kehu.org.models import Department, ScopeVersion, User
from kehu.org.scope import EffectiveScope, OwnedModel, effective_scope, has_module_perm
from tests.scoped_app.models import Memo, MemoShare

pytestmark = pytest.mark.django_db


def memo(owner, title):
    return Memo.objects.create(owner=owner, owner_department=owner.department, title=title)


def fresh(user) -> User:
    """The same person in a new request."""
    return User.objects.get(pk=user.pk)


def titles(queryset) -> set[str]:
    return set(queryset.values_list("title", flat=True))


def test_viewing_without_acting_on_a_model_that_cannot_be_shared_gives_nothing_to_act_on(org, monkeypatch):
    memo(org.rep, "rep")
    memo(org.rep_east, "rep_east")
    monkeypatch.setattr(Memo, "shared_with_q", OwnedModel.shared_with_q)  # the default: nothing is shared
    viewer = fresh(org.everyone_viewer)  # memos: view only, all
    assert titles(Memo.objects.visible_to(viewer)) == {"rep", "rep_east"}
    assert titles(Memo.objects.visible_to(viewer, "change")) == set()
    assert titles(Memo.objects.visible_to(fresh(org.rep), "change")) == {"rep"}


def test_viewing_without_acting_leaves_only_what_is_shared_for_editing(org):
    shared, _other = memo(org.rep, "rep"), memo(org.rep_bj, "rep_bj")
    MemoShare.objects.create(memo=shared, user=org.everyone_viewer, can_edit=True)
    assert titles(Memo.objects.visible_to(fresh(org.everyone_viewer), "change")) == {"rep"}


def test_an_inactive_account_has_no_permission_and_no_scope(org):
    memo(org.rep, "rep")
    User.objects.filter(pk=org.rep.pk).update(is_active=False)
    rep = fresh(org.rep)
    assert has_module_perm(rep, "memos", "view") is False
    assert effective_scope(rep, "memos", "view") == EffectiveScope()
    assert effective_scope(rep, "memos", "view").nothing is True
    assert titles(Memo.objects.visible_to(rep)) == set()
    User.objects.filter(pk=org.admin.pk).update(is_active=False, is_superuser=True)
    assert has_module_perm(fresh(org.admin), "memos", "view") is False
    assert effective_scope(fresh(org.admin), "memos") == EffectiveScope()


def test_an_active_superuser_may_do_everything(org):
    User.objects.filter(pk=org.nobody.pk).update(is_superuser=True)
    nobody = fresh(org.nobody)
    assert has_module_perm(nobody, "memos", "delete") is True
    assert effective_scope(nobody, "memos", "delete") == EffectiveScope(everything=True)


def test_forgetting_the_cached_scope_drops_the_scope_and_the_menu(org):
    manager = fresh(org.manager)
    effective_scope(manager, "memos")
    manager.__dict__["_kehu_menu"] = ["stale menu"]
    assert "_kehu_scope_cache" in manager.__dict__
    scope.forget_cached_scope(manager)
    assert "_kehu_scope_cache" not in manager.__dict__ and "_kehu_menu" not in manager.__dict__


def test_forgetting_through_the_requests_lazy_user_drops_the_cache_of_the_user_behind_it(org):
    manager = fresh(org.manager)
    lazy = SimpleLazyObject(lambda: manager)
    effective_scope(lazy, "memos")
    manager.__dict__["_kehu_menu"] = ["stale menu"]
    assert "_kehu_scope_cache" in manager.__dict__  # the cache lives on the user, not on the proxy
    scope.forget_cached_scope(lazy)
    assert "_kehu_scope_cache" not in manager.__dict__ and "_kehu_menu" not in manager.__dict__


def test_a_forgotten_scope_is_read_again_with_the_new_version(org, django_assert_num_queries):
    manager = fresh(org.manager)
    effective_scope(manager, "memos")
    with django_assert_num_queries(0):
        effective_scope(manager, "memos")
    scope.forget_cached_scope(manager)
    with django_assert_num_queries(1):  # the scope version; the scope itself comes from the process cache
        effective_scope(manager, "memos")


def test_the_scope_version_row_is_re_created_when_it_is_missing(org):
    ScopeVersion.objects.all().delete()
    assert scope.scope_version() == 0
    scope.bump_scope_version()
    row = ScopeVersion.objects.get()
    assert row.pk == 1 and row.value != 0
    assert scope.scope_version() == row.value
    scope.bump_scope_version()
    assert ScopeVersion.objects.get().value != row.value
    assert ScopeVersion.objects.count() == 1


def test_a_bumped_version_is_seen_by_the_next_request_only(org):
    manager = fresh(org.manager)
    before = effective_scope(manager, "memos")
    Department.objects.filter(pk=org.beijing.pk).update(path=org.east.path + "0009")  # no signal
    assert effective_scope(fresh(org.manager), "memos") == before  # cached under the same version
    scope.bump_scope_version()
    assert org.beijing.pk not in effective_scope(fresh(org.manager), "memos").department_ids
    assert effective_scope(manager, "memos") == before  # the running request keeps what it read


def test_the_process_cache_is_emptied_when_it_is_full(org, monkeypatch):
    monkeypatch.setattr(scope, "_PROCESS_CACHE_LIMIT", 2)
    scope._process_cache.clear()
    for person in (org.rep, org.manager, org.director):
        effective_scope(fresh(person), "memos")
    # Each person adds two entries (grants, scope): each newcomer found the cache full and emptied it.
    assert {key[0] for key in scope._process_cache} == {org.director.pk}
    assert len(scope._process_cache) == 2


# --- the helpers --------------------------------------------------------------------------------
def test_a_scope_as_a_filter(org):
    rep = org.rep
    assert EffectiveScope(everything=True).q(rep) is None
    assert str(EffectiveScope(own=True).q(rep)) == str(scope.Q(owner_id=rep.pk))
    both = EffectiveScope(own=True, department_ids=frozenset({3, 1})).q(rep, "author", "team")
    assert str(both) == str(scope.Q(author_id=rep.pk) | scope.Q(team_id__in=[1, 3]))
    assert str(EffectiveScope().q(rep)) == str(scope.Q(pk__in=[]))


def test_nothing_means_no_record_at_all():
    assert EffectiveScope().nothing is True
    assert EffectiveScope(own=True).nothing is False
    assert EffectiveScope(everything=True).nothing is False
    assert EffectiveScope(department_ids=frozenset({1})).nothing is False


def test_a_subtree_holds_its_root_and_everything_below(org):
    assert scope.subtree_ids({org.north.pk}) == {org.north.pk, org.beijing.pk}
    assert scope.subtree_ids({org.north.pk, org.ops.pk}) == {org.north.pk, org.beijing.pk, org.ops.pk}
    assert scope.subtree_ids(set()) == set()
    assert scope.subtree_ids({999999}) == set()


def test_a_department_scope_without_a_department_is_the_users_own_records(org):
    from tests.factories import UserFactory

    loner = UserFactory(username="loner", department=None, roles=list(org.manager.roles.all()))
    assert effective_scope(loner, "memos") == EffectiveScope(own=True)


def test_rows_through_their_parent(org):
    from kehu.customers.models import Customer, FollowUp

    nothing = scope.visible_through(FollowUp.objects.all(), "customer", Customer.objects.visible_to(fresh(org.nobody)))
    assert nothing.query.is_empty()
    everything = scope.visible_through(FollowUp.objects.all(), "customer", Customer.objects.visible_to(org.admin))
    assert not everything.query.where
    some = scope.visible_through(FollowUp.objects.all(), "customer", Customer.objects.visible_to(fresh(org.rep)))
    assert some.query.where and not some.query.is_empty()


@pytest.mark.parametrize("pk", ["abc", None, 999999])
def test_a_record_that_is_not_there_or_not_visible_is_404(org, pk):
    with pytest.raises(Http404):
        scope.get_visible_or_404(Memo, org.rep, pk)


def test_a_visible_record_is_found_and_another_ones_is_404(org):
    mine, theirs = memo(org.rep, "rep"), memo(org.rep_east, "rep_east")
    assert scope.get_visible_or_404(Memo, fresh(org.rep), mine.pk) == mine
    with pytest.raises(Http404):
        scope.get_visible_or_404(Memo, fresh(org.rep), theirs.pk)
    with pytest.raises(Http404):
        scope.get_visible_or_404(Memo, fresh(org.rep), mine.pk, "delete")  # the rep's role may not delete


def test_forgetting_through_a_lazy_user_nobody_has_looked_at_yet(org):
    manager = fresh(org.manager)
    manager.__dict__["_kehu_menu"] = ["stale menu"]
    scope.forget_cached_scope(SimpleLazyObject(lambda: manager))
    assert "_kehu_menu" not in manager.__dict__


def test_no_grant_for_the_action_is_no_scope_at_all(org):
    assert effective_scope(fresh(org.rep), "memos", "delete") == EffectiveScope()
    assert effective_scope(fresh(org.rep), "reports", "view") == EffectiveScope()
    assert effective_scope(fresh(org.nobody), "memos", "view").nothing is True
