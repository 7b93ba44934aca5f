"""`user.has_perm("<module>.<action>")` is answered by the user's role grants (org's RoleBackend), as cheaply as
the scope cache allows, and never by Django's permission tables."""

from django.contrib.auth.models import AnonymousUser, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.org import services
from kehu.org.models import User
from tests.factories import UserFactory


def fresh(user):
    """The same person as a new request loads them: nothing remembered on the object."""
    return User.objects.get(pk=user.pk)


def test_roles_grant_module_actions(org):
    rep, manager = fresh(org.rep), fresh(org.manager)
    assert rep.has_perm("customers.view") and rep.has_perm("customers.export")
    assert not rep.has_perm("customers.transfer")
    assert manager.has_perm("customers.transfer")
    assert fresh(org.admin).has_perm("org.manage") and fresh(org.admin).has_perm("config.manage")
    assert not rep.has_perm("org.manage") and not rep.has_perm("config.manage")
    assert not fresh(org.nobody).has_perm("customers.view")


def test_nobody_outside_the_roles_gets_a_permission(org):
    assert not AnonymousUser().has_perm("customers.view")
    services.mark_user_left(org.admin, org.rep)
    assert not fresh(org.rep).has_perm("customers.view")
    boss = UserFactory(username="root", is_superuser=True)
    assert fresh(boss).has_perm("anything.at_all")
    rep = fresh(org.manager)
    assert not rep.has_perm("customers")  # not "<module>.<action>"
    assert not rep.has_perm(".view")
    assert not rep.has_perm("customers.view", obj=object())  # records: visible_to, not object permissions


def test_django_permission_tables_grant_nothing_and_are_not_read(org):
    rep = fresh(org.rep)
    rep.user_permissions.add(Permission.objects.get(codename="view_user"))
    rep = fresh(org.rep)
    with CaptureQueriesContext(connection) as queries:
        assert not rep.has_perm("org.view_user")
        assert rep.has_perm("customers.view")
    assert not any("auth_permission" in q["sql"] for q in queries.captured_queries)


def test_permissions_cost_the_scope_cache_only(org, django_assert_num_queries):
    from kehu.org.scope import _process_cache

    _process_cache.clear()
    rep = fresh(org.rep)
    with django_assert_num_queries(2):  # the scope version and the grants
        assert rep.has_perm("customers.view")
    with django_assert_num_queries(0):  # the rest of the request
        assert rep.has_perm("customers.change") and not rep.has_perm("org.manage")
    next_request = fresh(org.rep)
    with django_assert_num_queries(1):  # the next request: the scope version only
        assert next_request.has_perm("customers.view")


def test_a_new_grant_counts_from_the_next_request(org):
    rep = fresh(org.rep)
    assert not rep.has_perm("org.view")
    services.batch_authorise(org.admin, roles=list(org.admin.roles.all()), users=[org.rep])
    assert fresh(org.rep).has_perm("org.view")


def test_a_page_reads_the_scope_version_once(client, org):
    """The menu and panels ask `request.user.has_perm()`, lists ask `visible_to(request.user)` with the lazy
    `request.user`: both must share one request cache."""
    client.force_login(org.rep)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()
    assert 'data-menu="my_customers"' in page
    assert sum("org_scopeversion" in q["sql"] for q in queries.captured_queries) == 1
