"""Every change to the organisation: departments, users, roles and authorisations.

Each function checks the actor's permission, runs in one transaction and leaves an audit trail row
written by the actor. Views, API, CLI and the demo loader all call these.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import update_change_reason
from treebeard.exceptions import InvalidMoveToDescendant

from kehu.core.locking import save_versioned
from kehu.core.modules import get as get_module
from kehu.org.models import Department, Role, RoleGrant, User
from kehu.org.scope import bump_scope_version, forget_cached_scope, has_module_perm, subtree_ids


def require(actor, module: str, action: str) -> None:
    if actor is not None and not has_module_perm(actor, module, action):
        raise PermissionDenied(_("You do not have permission to do this."))


def _touch(obj, actor):
    obj.updated_by = actor
    obj.updated_at = timezone.now()
    obj._history_user = actor


# --- departments ----------------------------------------------------------------------------
def create_department(actor, *, name: str, parent: Department | None = None, code: str = "", head=None) -> Department:
    """Add a department under `parent` (a new root when None). Needs org.manage."""
    require(actor, "org", "manage")
    name = name.strip()
    if parent is None and Department.objects.exists():
        raise ValidationError({"parent": _("Choose the department this one belongs to.")})
    if parent is not None and not parent.is_active:
        raise ValidationError({"parent": _("The parent department is closed.")})
    _check_sibling_name(parent, name)
    with transaction.atomic():
        department = Department(name=name, code=code.strip(), head=head)
        _touch(department, actor)
        if parent is None:
            department = Department.objects.add_root(instance=department)
        else:
            parent = Department.objects.get(pk=parent.pk)  # treebeard needs the current numchild
            department = Department.objects.add_child(parent, instance=department)
    return department


def _check_sibling_name(parent, name, exclude_pk=None):
    siblings = (
        Department.objects.get_root_nodes()
        if parent is None
        else Department.objects.get_children(Department.objects.get(pk=parent.pk))
    )
    if siblings.filter(name=name).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": _("A department with this name already exists at this level.")})


def update_department(actor, department: Department, *, name: str, code: str, head, expected_version: int):
    """Rename a department, change its code or head. Needs org.manage; refuses a stale edit."""
    require(actor, "org", "manage")
    name = name.strip()
    _check_sibling_name(Department.objects.get_parent(department), name, exclude_pk=department.pk)
    department.name, department.code, department.head = name, code.strip(), head
    return save_versioned(department, actor, expected_version, ["name", "code", "head"])


def move_department(actor, department: Department, new_parent: Department) -> Department:
    """Move a department (with everything below it) under `new_parent`. Needs org.manage."""
    require(actor, "org", "manage")
    if department.depth == 1:
        raise ValidationError({"parent": _("The top department of the company cannot be moved.")})
    if new_parent.pk == department.pk or new_parent.path.startswith(department.path):
        raise ValidationError({"parent": _("A department cannot be moved under itself or one of its sub-departments.")})
    if not new_parent.is_active:
        raise ValidationError({"parent": _("The target department is closed.")})
    _check_sibling_name(new_parent, department.name, exclude_pk=department.pk)
    with transaction.atomic():
        department = Department.objects.select_for_update().get(pk=department.pk)
        target = Department.objects.get(pk=new_parent.pk)
        try:
            Department.objects.move(department, target, "last-child")
            bump_scope_version()  # paths changed by a queryset update: no signal
        except InvalidMoveToDescendant:
            raise ValidationError(
                {"parent": _("A department cannot be moved under itself or one of its sub-departments.")}
            ) from None
        department = Department.objects.get(pk=department.pk)
        _touch(department, actor)
        department.version += 1
        department._change_reason = _("Moved under %(name)s") % {"name": target.full_name()}
        department.save()
    return department


def close_department(actor, department: Department) -> Department:
    """Close a department. Refused while it has active members or open sub-departments."""
    require(actor, "org", "manage")
    with transaction.atomic():
        department = Department.objects.select_for_update().get(pk=department.pk)
        if department.depth == 1:
            raise ValidationError({"department": _("The top department of the company cannot be closed.")})
        if Department.objects.get_descendants(department).filter(is_active=True).exists():
            raise ValidationError({"department": _("Close or move its open sub-departments first.")})
        members = department.members.filter(status=User.Status.ACTIVE).count()
        if members:
            raise ValidationError(
                {
                    "department": ngettext(
                        "%(count)d active user still belongs to it: move them first.",
                        "%(count)d active users still belong to it: move them first.",
                        members,
                    )
                    % {"count": members}
                }
            )
        department.is_active = False
        department.closed_at = timezone.now()
        department.version += 1
        _touch(department, actor)
        department.save()
    return department


def reopen_department(actor, department: Department) -> Department:
    require(actor, "org", "manage")
    with transaction.atomic():
        department = Department.objects.select_for_update().get(pk=department.pk)
        parent = Department.objects.get_parent(department)
        if parent is not None and not parent.is_active:
            raise ValidationError({"department": _("Reopen the parent department first.")})
        department.is_active = True
        department.closed_at = None
        department.version += 1
        _touch(department, actor)
        department.save()
    return department


# --- users ----------------------------------------------------------------------------------
USER_FIELDS = ["username", "name", "email", "phone", "title", "department", "superior"]


def _check_superior(user: User | None, superior: User | None):
    if superior is None:
        return
    seen = set()
    current = superior
    while current is not None:
        if user is not None and current.pk == user.pk:
            raise ValidationError({"superior": _("A user cannot report to themselves, directly or indirectly.")})
        if current.pk in seen:
            break
        seen.add(current.pk)
        current = current.superior


def _check_username(username: str, exclude_pk=None):
    if User.objects.filter(username__iexact=username).exclude(pk=exclude_pk).exists():
        raise ValidationError({"username": _("This username is already taken.")})


def create_user(actor, *, password: str | None, roles=(), **fields) -> User:
    """Create a user account. Needs org.manage. Without a password the account cannot log in yet."""
    require(actor, "org", "manage")
    fields["username"] = fields["username"].strip()
    _check_username(fields["username"])
    department = fields.get("department")
    if department is not None and not department.is_active:
        raise ValidationError({"department": _("This department is closed.")})
    _check_superior(None, fields.get("superior"))
    check_can_hand_out(actor, roles)
    with transaction.atomic():
        user = User(**fields)
        if password:
            from django.contrib.auth.password_validation import validate_password

            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from None
            user.set_password(password)
        else:
            user.set_unusable_password()
        _touch(user, actor)
        user.save()
        if roles:
            user.roles.set(roles)
    return user


def update_user(actor, user: User, *, expected_version: int, roles=None, **fields) -> User:
    """Change a user's profile, department, superior and (when given) roles. Needs org.manage."""
    require(actor, "org", "manage")
    if "username" in fields:
        fields["username"] = fields["username"].strip()
        _check_username(fields["username"], exclude_pk=user.pk)
    department = fields.get("department")
    if department is not None and department.pk != user.department_id and not department.is_active:
        raise ValidationError({"department": _("This department is closed.")})
    _check_superior(user, fields.get("superior"))
    if roles is not None:
        held = set(user.roles.all())
        check_can_hand_out(actor, held.symmetric_difference(set(roles)))
    with transaction.atomic():
        for name, value in fields.items():
            setattr(user, name, value)
        save_versioned(user, actor, expected_version)
        if roles is not None:
            user._history_user = actor
            user.roles.set(roles)
        forget_cached_scope(user)
    return user


def mark_user_left(actor, user: User, left_on=None) -> User:
    """The user left the company: they can no longer log in; their records stay until handed over."""
    require(actor, "org", "manage")
    if actor is not None and actor.pk == user.pk:
        raise ValidationError({"status": _("You cannot mark your own account as left.")})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.status = User.Status.LEFT
        user.is_active = False
        user.left_at = left_on or timezone.localdate()
        user.version += 1
        _touch(user, actor)
        user.save()
    return user


def reinstate_user(actor, user: User) -> User:
    require(actor, "org", "manage")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.status = User.Status.ACTIVE
        user.is_active = True
        user.left_at = None
        user.version += 1
        _touch(user, actor)
        user.save()
    return user


def unlock_login(actor, user: User) -> int:
    """Lift a login lockout before it expires. Needs org.manage. Returns how many lock records were cleared."""
    from axes.utils import reset

    require(actor, "org", "manage")
    return reset(username=user.username)


def set_user_password(actor, user: User, password: str) -> None:
    """An administrator sets a new password for `user` (who should change it at next login)."""
    from django.contrib.auth.password_validation import validate_password

    require(actor, "org", "manage")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user._history_user = actor
    user._change_reason = _("Password set by an administrator")
    user.save(update_fields=["password"])


# --- roles ----------------------------------------------------------------------------------
@dataclass
class GrantSpec:
    module: str
    actions: list[str]
    scope: str = RoleGrant.Scope.SELF
    department_ids: tuple[int, ...] = ()


def _validate_grants(grants: list[GrantSpec]):
    errors = []
    for spec in grants:
        module = get_module(spec.module)
        if module is None:
            errors.append(_("Unknown module: %(module)s") % {"module": spec.module})
            continue
        unknown = sorted(set(spec.actions) - set(module.actions))
        if unknown:
            errors.append(_("%(module)s has no action %(action)s") % {"module": module.label, "action": unknown[0]})
        if spec.scope not in RoleGrant.Scope.values:
            errors.append(_("Unknown data scope: %(scope)s") % {"scope": spec.scope})
        if spec.scope == RoleGrant.Scope.CHOSEN and not spec.department_ids and spec.actions:
            errors.append(
                _("%(module)s: choose at least one department for this data scope.") % {"module": module.label}
            )
    if errors:
        raise ValidationError({"grants": errors})


def save_role(
    actor,
    role: Role | None,
    *,
    code: str,
    name_zh: str,
    name_en: str,
    description: str,
    grants: list[GrantSpec],
    expected_version: int | None = None,
) -> Role:
    """Create (role=None) or change a role and its grants. Needs org.manage; refuses a stale edit."""
    require(actor, "org", "manage")
    _validate_grants(grants)
    code = code.strip()
    if Role.objects.filter(code=code).exclude(pk=role.pk if role else None).exists():
        raise ValidationError({"code": _("A role with this code already exists.")})
    with transaction.atomic():
        before = grants_summary(role) if role is not None else ""
        if role is None:
            role = Role(code=code, name_zh=name_zh, name_en=name_en, description=description)
            _touch(role, actor)
            role.save()
        else:
            if role.is_system and code != role.code:
                raise ValidationError({"code": _("The code of a built-in role cannot change.")})
            role.code, role.name_zh, role.name_en, role.description = code, name_zh, name_en, description
            save_versioned(role, actor, expected_version)
        role.grants.exclude(module__in=[g.module for g in grants if g.actions]).delete()
        for spec in grants:
            if not spec.actions:
                continue
            grant, _created = RoleGrant.objects.update_or_create(
                role=role, module=spec.module, defaults={"actions": sorted(spec.actions), "scope": spec.scope}
            )
            grant.departments.set(spec.department_ids if spec.scope == RoleGrant.Scope.CHOSEN else [])
        after = grants_summary(role)
        if after != before:
            # Grants live in their own table: record what the role may now do on the role's own trail.
            update_change_reason(role, _("Permissions: %(summary)s") % {"summary": after or "—"})
    return role


def grants_summary(role: Role) -> str:
    """What a role may do, as one line: "组织架构：查看、授权；系统配置：管理（全部）"."""
    parts = []
    for grant in role.grants.prefetch_related("departments").order_by("module"):
        module = get_module(grant.module)
        if module is None:
            continue
        actions = "、".join(str(module.action_label(a)) for a in module.actions if a in grant.actions)
        text = f"{module.label}: {actions}"
        if module.scoped:
            scope = str(RoleGrant.Scope(grant.scope).label)
            if grant.scope == RoleGrant.Scope.CHOSEN:
                scope += " " + "、".join(d.name for d in grant.departments.all())
            text += f" ({scope})"
        parts.append(text)
    return "; ".join(parts)


def delete_role(actor, role: Role) -> None:
    require(actor, "org", "manage")
    if role.is_system:
        raise ValidationError({"role": _("Built-in roles cannot be deleted.")})
    holders = role.users.count()
    if holders:
        raise ValidationError(
            {
                "role": ngettext(
                    "%(count)d user still holds this role: revoke it first.",
                    "%(count)d users still hold this role: revoke it first.",
                    holders,
                )
                % {"count": holders}
            }
        )
    role.delete()


def check_can_hand_out(actor, roles) -> None:
    """Nobody hands out (or takes away) a role that allows more than they may do themselves.

    Without this, someone who may only authorise could grant themselves the administrator role.
    """
    if actor is None or actor.is_superuser:
        return
    beyond = [
        role.name
        for role in roles
        for grant in role.grants.all()
        if not all(has_module_perm(actor, grant.module, action) for action in grant.actions)
    ]
    if beyond:
        raise ValidationError(
            {
                "roles": _("You cannot hand out roles with permissions you do not have yourself: %(roles)s")
                % {"roles": "、".join(sorted(set(beyond)))}
            }
        )


@dataclass
class AuthorisationSummary:
    users: int
    changed: int
    unchanged: int


def batch_authorise(
    actor, *, roles, users=(), departments=(), include_sub_departments=True, grant: bool = True
) -> AuthorisationSummary:
    """Grant (or revoke) `roles` for many users at once: the listed users plus the active members of
    `departments` (and their sub-departments). Needs org.authorise. Returns how many users changed."""
    require(actor, "org", "authorise")
    roles = list(roles)
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    check_can_hand_out(actor, roles)
    department_ids = {d.pk for d in departments}
    if include_sub_departments:
        department_ids = subtree_ids(department_ids)
    targets = {u.pk: u for u in users}
    for member in User.objects.filter(department_id__in=department_ids, status=User.Status.ACTIVE):
        targets.setdefault(member.pk, member)
    if not targets:
        raise ValidationError({"users": _("Choose at least one user or department with active members.")})
    role_ids = {r.pk for r in roles}
    changed = 0
    with transaction.atomic():
        for user in User.objects.filter(pk__in=targets).prefetch_related("roles").select_for_update(of=("self",)):
            held = {r.pk for r in user.roles.all()}
            after = held | role_ids if grant else held - role_ids
            if after == held:
                continue
            user._history_user = actor
            user._change_reason = _("Batch authorisation") if grant else _("Batch revocation")
            user.roles.set(after)
            User.objects.filter(pk=user.pk).update(
                version=user.version + 1, updated_by=actor, updated_at=timezone.now()
            )
            changed += 1
    return AuthorisationSummary(users=len(targets), changed=changed, unchanged=len(targets) - changed)
