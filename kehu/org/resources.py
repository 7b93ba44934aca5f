"""The organisation's lists, declared once (kehu.core.resources)."""

from django.utils.translation import gettext_lazy as _

from kehu.core import resources
from kehu.core.resources import Column, Resource
from kehu.org import queries
from kehu.org.models import Department, Role, User

USERS = resources.register(
    Resource(
        key="org.user",
        model=User,
        module="org",
        title=_("Users"),
        rows=queries.users_for,
        detail_rows=lambda user, action: queries.users_for(user),
        filterset=queries.UserFilter,
        main_filters=("q",),
        search_placeholder=_("Name, username or mobile"),
        sorts={"username": "username", "name": "name", "department": "department__path", "joined": "date_joined"},
        default_sort="department",
        pages={"": "org:users"},
        api="user",
        serializer="kehu.org.api.UserSerializer",
        columns=[
            Column(
                "name",
                _("Name"),
                "<a href=\"{% url 'org:user_detail' obj.pk %}\">{{ obj.display_name }}</a>",
                sort="name",
                title=True,
            ),
            Column("username", _("Username"), sort="username"),
            Column("department", _("Department"), "{{ obj.department.name|default:'—' }}", sort="department"),
            Column("title", _("Job title")),
            Column("phone", _("Mobile")),
            Column(
                "roles",
                _("Roles"),
                '{% for role in obj.roles.all %}<span class="status">{{ role.name }}</span> {% empty %}—{% endfor %}',
            ),
            Column(
                "status",
                _("Status"),
                '<span class="status {% if obj.status == "active" %}status-success{% else %}status-muted{% endif %}">'
                "{{ obj.get_status_display }}</span>",
            ),
        ],
        actions_template="org/_user_list_actions.html",
        icon="person-x",
        empty_text=_("No users match these filters."),
        unscoped="organisation administration: org.view required, no owned records",
    )
)


ROLES = resources.register(
    Resource(
        key="org.role",
        model=Role,
        module="org",
        title=_("Roles"),
        rows=queries.roles_for,
        detail_rows=lambda user, action: queries.roles_for(user),
        sorts={"code": "code"},  # names are per language (name_zh / name_en): the roles' own order otherwise
        pages={"": "org:roles"},
        api="role",
        serializer="kehu.org.api.RoleSerializer",
        columns=[],
        template="org/role_list.html",
        unscoped="organisation administration: org.view required, no owned records",
    )
)

DEPARTMENTS = resources.register(
    Resource(
        key="org.department",
        model=Department,
        module="org",
        title=_("Departments"),
        rows=queries.departments_for,
        detail_rows=lambda user, action: queries.departments_for(user),
        filterset=queries.DepartmentFilter,
        api="department",
        serializer="kehu.org.api.DepartmentSerializer",
        columns=[],
        unscoped="organisation administration: org.view required, no owned records",
    )
)
