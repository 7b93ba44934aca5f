"""`user.has_perm("<module>.<action>")` answered from the user's role grants (kehu.org.scope)."""

from django.contrib.auth.backends import BaseBackend

from kehu.org.scope import has_module_perm


class RoleGrantBackend(BaseBackend):
    def has_perm(self, user_obj, perm, obj=None):
        module, _, action = perm.partition(".")
        return bool(action) and has_module_perm(user_obj, module, action)
