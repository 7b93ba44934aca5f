"""The read side of the organisation: the user list's filters (one FilterSet for the page and the API)."""

import django_filters
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from kehu.org.models import Department, Role, RoleGrant, User
from kehu.org.scope import subtree_ids

EVERYONE = "all"


def holders(module: str, action: str):
    """The active people (not leavers) whose roles grant `action` in `module` — e.g. sales operations as whoever
    may manage approvals or products."""
    role_ids = {g.role_id for g in RoleGrant.objects.filter(module=module) if action in g.actions}
    return User.objects.filter(status=User.Status.ACTIVE, is_active=True, roles__in=role_ids).distinct()


def department_choices():
    """The department tree for a select, indented by depth."""
    return [(d.pk, "　" * (d.depth - 1) + d.name) for d in Department.objects.get_tree()]


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    department = django_filters.ChoiceFilter(
        label=_("Department"), choices=department_choices, method="filter_department"
    )
    role = django_filters.ModelChoiceFilter(label=_("Role"), queryset=Role.objects.all(), field_name="roles")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*User.Status.choices, (EVERYONE, _("Everyone"))],
        method="filter_status",
        empty_label=None,
    )

    class Meta:
        model = User
        fields = ["q", "department", "role", "status"]

    def __init__(self, data=None, *args, **kwargs):
        # Active people unless asked otherwise: the page and the API list the same people by default.
        if data is None or not data.get("status"):
            data = data.copy() if data is not None else {}
            data["status"] = User.Status.ACTIVE
        super().__init__(data, *args, **kwargs)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(username__icontains=value) | Q(phone__contains=value))

    def filter_department(self, queryset, name, value):
        """The department and the departments below it."""
        return queryset.filter(department_id__in=subtree_ids({int(value)}))

    def filter_status(self, queryset, name, value):
        return queryset if value == EVERYONE else queryset.filter(status=value)


class DepartmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    is_active = django_filters.BooleanFilter(label=_("Open"))
    depth = django_filters.NumberFilter(label=_("Level in the tree"))

    class Meta:
        model = Department
        fields = ["q", "is_active", "depth"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value)) if value else queryset


def departments_for(user):
    """The department tree in its order (organisation administration: org.view)."""
    return Department.objects.order_by("path")


def roles_for(user):
    """Every role, with how many active people hold it."""
    return Role.objects.prefetch_related("grants__departments").annotate(
        holder_count=Count("users", filter=Q(users__status=User.Status.ACTIVE), distinct=True)
    )


def users_for(user):
    """The people of the user list (organisation administration: everyone, for those with org.view)."""
    return User.objects.select_related("department", "superior").prefetch_related("roles")
