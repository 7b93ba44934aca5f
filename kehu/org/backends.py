"""Authentication backends: who may log in, and what their roles let them do.

Kehu's permissions are the module grants of the user's roles (`kehu.org.scope`), asked the Django way:
`user.has_perm("customers.transfer")` — `"<module>.<action>"`. So `core` and every other app check a
permission without importing `org`. Django's own permission tables (`user_permissions`, groups) are not
used: no role is stored there, and reading them would cost two queries on every request.
"""

from django.contrib.auth.backends import BaseBackend, ModelBackend

from kehu.org.scope import has_module_perm


class PasswordBackend(ModelBackend):
    """Django's username and password login, without Django's model-permission tables (roles grant instead)."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()


class RoleBackend(BaseBackend):
    """Answers `user.has_perm("<module>.<action>")` from the grants of the user's roles.

    Cached per request and, across requests, per scope version (see `kehu.org.scope`), so a page that checks
    many permissions reads the grants once. Object permissions are not answered here: records are reached
    through `visible_to(user, action)`. Superusers never get here (Django answers True for them first).
    """

    def has_perm(self, user_obj, perm, obj=None):
        if obj is not None:
            return False
        module, _, action = perm.partition(".")
        if not module or not action:
            return False
        return has_module_perm(user_obj, module, action)
