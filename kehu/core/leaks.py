from kehu.core.leakcheck import unscoped

# core:workbench is checked per model by the apps whose panels show records (customers/leaks.py).
unscoped("the user's own profile and preferences", "core:me")
unscoped(
    "configuration pages, no owned records; config.manage required",
    "core:menus",
    "core:menu_edit",
    "core:dictionaries",
    "core:dictionary_item_add",
    "core:dictionary_item_edit",
)
unscoped(
    "authentication and preferences of the current user",
    "login",
    "logout",
    "password_change",
    "set_language",
    "manifest",
)
unscoped(
    "API plumbing: schema, Swagger UI, token exchange, root listing",
    "api:schema",
    "api:docs",
    "api:token",
    "api:api-root",
    "api:me",
)
unscoped(
    "dictionaries are readable by every user; writes need config.manage",
    "api:dictionary-list",
    "api:dictionary-detail",
    "api:dictionary-item-list",
    "api:dictionary-item-detail",
)
