"""Every change that can alter someone's data scope invalidates the cached scopes (see `kehu.org.scope`).

Signals rather than explicit calls, so that changes made outside the services (the demo loader, the shell,
fixtures) cannot leave a stale scope behind. Department moves update paths with a queryset update, which
sends no signal: `services.move_department` bumps the version itself.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from kehu.org.models import Department, Role, RoleGrant, User
from kehu.org.scope import bump_scope_version


@receiver(m2m_changed, sender=User.roles.through)
@receiver(m2m_changed, sender=RoleGrant.departments.through)
def _membership_changed(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        bump_scope_version()


@receiver(post_save, sender=RoleGrant)
@receiver(post_delete, sender=RoleGrant)
@receiver(post_delete, sender=Role)
@receiver(post_save, sender=Department)
@receiver(post_delete, sender=Department)
def _grant_or_tree_changed(sender, **kwargs):
    bump_scope_version()
