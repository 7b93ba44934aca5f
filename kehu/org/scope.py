"""Data scope: which records a user may see or change, computed once per request.

A role grants, per module, a set of actions and a scope (self / own department / own department and below
/ chosen departments and below / all). A user may hold several roles: for one module and action their
effective scope is the union of the scopes of the grants that allow the action. Department subtrees are
resolved through the materialised path into a set of department ids once, so the record query is a plain
indexed `owner_id = ? OR owner_department_id IN (...)` with no recursion and no join.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from kehu.org.models import Department, RoleGrant


@dataclass(frozen=True)
class EffectiveScope:
    everything: bool = False
    own: bool = False
    department_ids: frozenset = frozenset()

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.own or self.department_ids)

    def q(self, user, owner_field="owner", department_field="owner_department") -> Q | None:
        """The filter for this scope, or None for "no restriction"."""
        if self.everything:
            return None
        parts = []
        if self.own:
            parts.append(Q(**{f"{owner_field}_id": user.pk}))
        if self.department_ids:
            parts.append(Q(**{f"{department_field}_id__in": sorted(self.department_ids)}))
        return reduce(or_, parts) if parts else Q(pk__in=[])


def _grants(user) -> list[RoleGrant]:
    cache = user.__dict__.setdefault("_kehu_grants", None)
    if cache is None:
        cache = list(RoleGrant.objects.filter(role__users=user).prefetch_related("departments").order_by("id"))
        user.__dict__["_kehu_grants"] = cache
    return cache


def has_module_perm(user, module: str, action: str = "view") -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(g.module == module and action in g.actions for g in _grants(user))


def effective_scope(user, module: str, action: str = "view") -> EffectiveScope:
    """The union of the scopes of the user's grants that allow `action` on `module` (cached on the user)."""
    if not user.is_authenticated or not user.is_active:
        return EffectiveScope()
    if user.is_superuser:
        return EffectiveScope(everything=True)
    cache = user.__dict__.setdefault("_kehu_scopes", {})
    key = (module, action)
    if key in cache:
        return cache[key]
    own = False
    exact: set[int] = set()
    subtree_roots: set[int] = set()
    everything = False
    for grant in _grants(user):
        if grant.module != module or action not in grant.actions:
            continue
        own = True  # every scope includes the user's own records
        if grant.scope == RoleGrant.Scope.ALL:
            everything = True
        elif grant.scope == RoleGrant.Scope.DEPARTMENT and user.department_id:
            exact.add(user.department_id)
        elif grant.scope == RoleGrant.Scope.DEPARTMENT_TREE and user.department_id:
            subtree_roots.add(user.department_id)
        elif grant.scope == RoleGrant.Scope.CHOSEN:
            subtree_roots.update(d.pk for d in grant.departments.all())
    if everything:
        scope = EffectiveScope(everything=True)
    else:
        scope = EffectiveScope(own=own, department_ids=frozenset(exact | subtree_ids(subtree_roots)))
    cache[key] = scope
    return scope


def subtree_ids(root_ids) -> set[int]:
    """Ids of the given departments and all departments below them, in one query."""
    if not root_ids:
        return set()
    paths = list(Department.objects.filter(pk__in=root_ids).values_list("path", flat=True))
    if not paths:
        return set()
    condition = reduce(or_, (Q(path__startswith=p) for p in paths))
    return set(Department.objects.filter(condition).values_list("pk", flat=True))


def forget_cached_scope(user) -> None:
    user.__dict__.pop("_kehu_grants", None)
    user.__dict__.pop("_kehu_scopes", None)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """The records `user` may see (`action="view"`) or act on (e.g. `"change"`): the only way to read them.

        The union of the user's effective scope for the model's module and action, and of the records
        shared with them (`shared_with_q`). A user without the module's "view" permission sees nothing.
        """
        module = self.model.scope_module
        if not has_module_perm(user, module, "view"):
            return self.none()
        conditions = []
        if has_module_perm(user, module, action):
            condition = effective_scope(user, module, action).q(user)
            if condition is None:
                return self.all()
            conditions.append(condition)
        shared = self.model.shared_with_q(user, action)
        if shared is not None:
            conditions.append(shared)
        if not conditions:
            return self.none()
        return self.filter(reduce(or_, conditions))


class OwnedModel(models.Model):
    """A business record with an owner: its visibility follows the owner's user and department."""

    scope_module: str = ""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    owner_department = models.ForeignKey(
        Department, verbose_name=_("owner's department"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def shared_with_q(cls, user, action: str):
        """Records shared with `user` for `action`, as a `pk__in` subquery (no join, no duplicates).

        Models that can be shared override this; None means nothing is shared.
        """
        return None


def get_visible_or_404(model, user, pk, action: str = "view"):
    """The record if `user` may `action` it; 404 otherwise, so nobody learns that it exists."""
    try:
        return model.objects.visible_to(user, action).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
