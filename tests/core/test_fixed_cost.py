"""The fixed cost of every page (issue 9): the menu is built once per process for a user under the scope version
and the menu settings, and the templates are compiled once (the cached loader)."""

from django.db import connection
from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kehu.core import services
from kehu.core.menus import menu_for
from kehu.org.models import User


def _fresh(user):
    return User.objects.get(pk=user.pk)  # a new user object, as every request has


def test_the_menu_is_built_once_then_read_from_the_process_cache(org):
    first = menu_for(_fresh(org.manager))
    user = _fresh(org.manager)
    with CaptureQueriesContext(connection) as queries:
        again = menu_for(user)
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT value FROM org_scopeversion WHERE id = 1"]
    assert [[e.key for e in g["entries"]] for g in again] == [[e.key for e in g["entries"]] for g in first]


def test_each_request_gets_its_own_entries_for_the_badges(org):
    one, two = menu_for(_fresh(org.manager)), menu_for(_fresh(org.manager))
    one[0]["entries"][0].count = 99
    assert two[0]["entries"][0].count == 0


def test_a_renamed_entry_shows_at_once(org):
    menu_for(_fresh(org.rep))
    services.save_menu_setting(
        org.admin, "visits", label_zh="我的拜访", label_en="", sort_order=None, hidden_for_roles=[]
    )
    with translation.override("zh-hans"):
        labels = {e.key: e.label for g in menu_for(_fresh(org.rep)) for e in g["entries"]}
    assert labels["visits"] == "我的拜访"


def test_a_role_change_shows_at_once(org):
    assert "customer_management" in [e.key for g in menu_for(_fresh(org.manager)) for e in g["entries"]]
    org.manager.roles.clear()
    after = [e.key for g in menu_for(_fresh(org.manager)) for e in g["entries"]]
    assert "customer_management" not in after and "my_customers" not in after


def test_templates_are_compiled_once():
    loaders = engines["django"].engine.template_loaders
    assert len(loaders) == 1 and isinstance(loaders[0], CachedLoader)
