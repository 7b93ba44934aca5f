"""Data scope: which records a user may see or change.

A role grants, per module, a set of actions and a scope (self / own department / own department and below
/ chosen departments and below / all). A user may hold several roles: for one module and action their
effective scope is the union of the scopes of the grants that allow the action. Department subtrees are
resolved through the materialised path into a set of department ids once, so the record query is a plain
indexed `owner_id = ? OR owner_department_id IN (...)` with no recursion and no join.

What a user's roles grant is cached across requests, per process, under the organisation's *scope version*:
a counter row that every change to roles, grants or the department tree increments in the same transaction
(`bump_scope_version`, wired to model signals in `kehu.org.signals`). Each request reads it once,
so a change is seen by every process as soon as it is committed, and a request costs one tiny query
instead of the grant and subtree queries.
"""

import secrets
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.http import Http404
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

from kehu.org.models import Department, RoleGrant, ScopeVersion


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


@dataclass(frozen=True)
class Grant:
    module: str
    actions: frozenset
    scope: str
    department_ids: tuple


_process_cache: dict[tuple, object] = {}
_PROCESS_CACHE_LIMIT = 20_000


def scope_version() -> int:
    """The organisation's scope version as committed now (one primary-key read)."""
    table = ScopeVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def bump_scope_version() -> None:
    """Invalidate every cached scope: call in the transaction that changes roles, grants or departments.

    The version is a fresh random token rather than a count, so a rolled-back transaction's version can
    never come back later and revive a scope that was computed from data that was never committed.
    """
    token = secrets.randbits(62)
    table = ScopeVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET value = %s WHERE id = 1", [token])
        if cursor.rowcount == 0:
            ScopeVersion.objects.update_or_create(pk=1, defaults={"value": token})


def _own_dict(user) -> dict:
    """The attributes of the user object itself. `request.user` is a lazy proxy whose `__dict__` is the proxy's:
    without this, code asking with the proxy and `user.has_perm()` (which runs on the object behind it) would
    keep two request caches and read the scope version twice."""
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user.__dict__


def _cached(user, *key, compute):
    """A value derived from the user's grants, cached per process under the current scope version."""
    request_cache = _own_dict(user).setdefault("_kehu_scope_cache", {})
    if "version" not in request_cache:
        request_cache["version"] = scope_version()
    full_key = (user.pk, user.department_id, request_cache["version"], *key)
    if full_key in request_cache:
        return request_cache[full_key]
    value = _process_cache.get(full_key)
    if value is None:
        value = compute()
        if len(_process_cache) >= _PROCESS_CACHE_LIMIT:
            _process_cache.clear()
        _process_cache[full_key] = value
    request_cache[full_key] = value
    return value


def cached_under_scope(user, *key, compute):
    """A value derived from the user's grants and roles (e.g. their menu), cached per process under the current
    scope version; `key` names it."""
    return _cached(user, "derived", *key, compute=compute)


def request_scope_version(user):
    """The scope version this request reads the user's scope under (read once a request, then remembered)."""
    request_cache = _own_dict(user).setdefault("_kehu_scope_cache", {})
    if "version" not in request_cache:
        request_cache["version"] = scope_version()
    return request_cache["version"]


def _grants(user) -> tuple[Grant, ...]:
    def load():
        chosen: dict[int, list[int]] = {}
        rows = RoleGrant.objects.filter(role__users=user).values_list("pk", "module", "actions", "scope")
        rows = list(rows)
        chosen_ids = [pk for pk, _m, _a, scope in rows if scope == RoleGrant.Scope.CHOSEN]
        if chosen_ids:
            through = RoleGrant.departments.through.objects.filter(rolegrant_id__in=chosen_ids)
            for grant_id, department_id in through.values_list("rolegrant_id", "department_id"):
                chosen.setdefault(grant_id, []).append(department_id)
        return tuple(
            Grant(module, frozenset(actions), scope, tuple(sorted(chosen.get(pk, ()))))
            for pk, module, actions, scope in rows
        )

    return _cached(user, "grants", compute=load)


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
    return _cached(user, "scope", module, action, compute=lambda: _compute_scope(user, module, action))


def _compute_scope(user, module: str, action: str) -> EffectiveScope:
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
            subtree_roots.update(grant.department_ids)
    if everything:
        return EffectiveScope(everything=True)
    return EffectiveScope(own=own, department_ids=frozenset(exact | subtree_ids(subtree_roots)))


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
    """Drop what this user object remembers for the current request (the process cache follows the version)."""
    for memo in (user.__dict__, _own_dict(user)):
        memo.pop("_kehu_scope_cache", None)
        memo.pop("_kehu_menu", None)


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


BROAD_SHARE = 0.05  # a scope of at least this share of the departments is "broad" (see visible_through)


def is_broad(user, module: str, action: str = "view") -> bool:
    """Whether `user`'s scope for `module` spans at least BROAD_SHARE of the departments (or everything): then a
    list of child rows walks its own sort index and tests each row's parent, rather than gathering every child
    row of every parent in scope and sorting them (kehu.org.scope.visible_through)."""
    scope = effective_scope(user, module, action)
    if scope.everything:
        return True
    if not scope.department_ids:
        return False
    total = _cached(user, "departments", compute=lambda: Department.objects.count())
    return len(scope.department_ids) >= BROAD_SHARE * max(total, 1)


def visible_through(queryset, field: str, parents, walk: bool = False):
    """Rows visible exactly when their parent (`field`, e.g. a follow-up's customer) is: `parents` is the parent's
    `visible_to`. An unrestricted parent scope (ops, "all") adds no condition at all, so a list of every row walks
    its own sort index instead of joining every parent first.

    `walk` (a broad scope, `is_broad`): the condition is a correlated EXISTS on the parent's primary key, which
    both databases test row by row while walking the list's sort index — page 1 stops after its rows, and no
    list of every parent id in scope is built first. Otherwise (a narrow scope: a rep's own customers) the parent
    ids drive the query: few parents, their few children, sorted."""
    if parents.query.is_empty():
        return queryset.none()
    if not parents.query.where:
        return queryset.all()
    if walk:
        return queryset.filter(models.Exists(parents.filter(pk=models.OuterRef(f"{field}_id"))))
    return queryset.filter(**{f"{field}__in": parents.values("pk")})


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
