"""The menu: entries by permission, renamed per language and hidden per role by sales operations."""

from django.utils import translation

from kehu.core import services
from kehu.core.menus import menu_for
from kehu.org.models import Role, User


def keys(user):
    return [e.key for g in menu_for(User.objects.get(pk=user.pk)) for e in g["entries"]]


def test_entries_follow_permissions(org):
    assert keys(org.rep) == [
        "workbench",
        "messages",
        "my_customers",
        "shared_customers",
        "public_pool",
        "visits",
        "followups",
        "my_opportunities",
        "opportunity_kanban",
        "sales_targets",
        "sales_forecast",
        "case_library",
        "products",
        "stock_levels",
        "low_stock",
        "stock_ins",
        "stocktakes",
        "stock_ledger",
        "price_lists",
        "warehouses",
        "product_categories",
        "approval_todo",
        "approval_done",
        "approval_mine",
        "approval_cc",
        "delegations",
    ]
    assert keys(org.manager) == [
        "workbench",
        "messages",
        "my_customers",
        "shared_customers",
        "public_pool",
        "customer_management",
        "visits",
        "followups",
        "my_opportunities",
        "opportunity_kanban",
        "opportunity_management",
        "sales_targets",
        "sales_forecast",
        "case_library",
        "products",
        "stock_levels",
        "low_stock",
        "stock_ins",
        "stocktakes",
        "stock_ledger",
        "price_lists",
        "warehouses",
        "product_categories",
        "approval_todo",
        "approval_done",
        "approval_mine",
        "approval_cc",
        "delegations",
    ]
    assert keys(org.admin) == [
        "workbench",
        "messages",
        "my_customers",
        "shared_customers",
        "public_pool",
        "customer_management",
        "visits",
        "followups",
        "my_opportunities",
        "opportunity_kanban",
        "opportunity_management",
        "sales_targets",
        "sales_forecast",
        "case_library",
        "products",
        "stock_levels",
        "low_stock",
        "stock_ins",
        "stocktakes",
        "stock_ledger",
        "price_lists",
        "warehouses",
        "product_categories",
        "approval_todo",
        "approval_done",
        "approval_mine",
        "approval_cc",
        "delegations",
        "approval_all",
        "departments",
        "users",
        "roles",
        "authorise",
        "menus",
        "dictionaries",
        "approval_flows",
        "pool_settings",
        "opportunity_stages",
    ]


def test_groups_without_entries_are_not_shown(org):
    # Everyone may be asked to approve something, so the approvals inbox is there even without roles.
    groups = [g["code"] for g in menu_for(org.nobody)]
    assert groups == ["workbench", "approvals"]


def test_rename_per_language(org):
    services.save_menu_setting(
        org.admin, "messages", label_zh="通知", label_en="Notices", sort_order=None, hidden_for_roles=[]
    )
    with translation.override("zh-hans"):
        labels = {e.key: e.label for g in menu_for(User.objects.get(pk=org.rep.pk)) for e in g["entries"]}
    assert labels["messages"] == "通知"
    with translation.override("en"):
        labels = {e.key: e.label for g in menu_for(User.objects.get(pk=org.rep.pk)) for e in g["entries"]}
    assert labels["messages"] == "Notices"


def test_hidden_only_when_every_role_of_the_user_hides_it(org):
    rep_role = Role.objects.get(code="t_rep")
    services.save_menu_setting(
        org.admin, "messages", label_zh="", label_en="", sort_order=None, hidden_for_roles=[rep_role]
    )
    assert "messages" not in keys(org.rep)
    assert "messages" in keys(org.manager)
    org.rep.roles.add(Role.objects.get(code="t_all"))
    assert "messages" in keys(org.rep)


def test_reorder(org):
    services.save_menu_setting(org.admin, "messages", label_zh="", label_en="", sort_order=1, hidden_for_roles=[])
    assert keys(org.rep)[:2] == ["messages", "workbench"]


def test_menu_pages(client, org):
    client.force_login(org.admin)
    assert client.get("/settings/menus/").status_code == 200
    rep_role = Role.objects.get(code="t_rep")
    response = client.post(
        "/settings/menus/messages/",
        {"label_zh": "站内信", "label_en": "Inbox", "sort_order": "", "hidden_for_roles": [rep_role.pk], "version": ""},
    )
    assert response.status_code == 302
    client.force_login(org.manager)
    assert "站内信" in client.get("/").content.decode()
    client.force_login(org.rep)
    assert 'data-menu="messages"' not in client.get("/").content.decode()
    assert client.get("/settings/menus/").status_code == 403


def test_unknown_menu_key_is_404(client, org):
    client.force_login(org.admin)
    assert client.get("/settings/menus/nope/").status_code == 404


def test_the_menus_list_shows_each_entrys_name_as_shown_not_a_placeholder(client, org):
    client.force_login(org.admin)
    page = client.get("/settings/menus/").content.decode()
    assert "系统内置" not in page
    assert '<span class="menu-default-name">工作台</span> <span class="status status-muted">未改名</span>' in page
