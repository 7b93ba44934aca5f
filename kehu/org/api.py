"""REST API of the organisation: departments, users, roles, batch authorisation, the current user."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.response import Response

from kehu.core.api import ModulePermission
from kehu.core.api_resources import ResourceViewSet, parse_body
from kehu.core.menus import menu_for
from kehu.org import services
from kehu.org.forms import validate_phone
from kehu.org.models import Department, Role, RoleGrant, User
from kehu.org.resources import DEPARTMENTS, ROLES, USERS


# --- departments ----------------------------------------------------------------------------
class DepartmentSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()
    full_name = serializers.SerializerMethodField()

    class Meta:
        model = Department
        fields = [
            "id",
            "name",
            "code",
            "parent",
            "full_name",
            "depth",
            "head",
            "is_active",
            "closed_at",
            "version",
        ]

    def _tree(self) -> dict[str, tuple[int, str]]:
        """path → (id, name) of every department, read once for the whole list (one query, not two a row)."""
        if "department_tree" not in self.context:
            rows = Department.objects.values_list("path", "pk", "name")
            self.context["department_tree"] = {path: (pk, name) for path, pk, name in rows}
        return self.context["department_tree"]

    def get_parent(self, obj) -> int | None:
        parent = self._tree().get(obj.path[: -Department.steplen]) if obj.depth > 1 else None
        return parent[0] if parent else None

    def get_full_name(self, obj) -> str:
        """Names from the root down, e.g. "总公司 / 销售部 / 华北大区" (as Department.full_name; the tree read once)."""
        tree, step = self._tree(), Department.steplen
        return " / ".join(tree.get(obj.path[: step * n], (0, ""))[1] for n in range(1, obj.depth + 1))


class DepartmentWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    code = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    parent = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False, allow_null=True)
    head = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    version = serializers.IntegerField(required=False)


class MoveSerializer(serializers.Serializer):
    parent = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())


class DepartmentViewSet(ResourceViewSet):
    """The department tree in its order; `q` (name or code), `is_active`, `depth`."""

    resource = DEPARTMENTS
    module, write_action = "org", "manage"
    permission_classes = [ModulePermission]
    serializer_class = DepartmentSerializer

    @extend_schema(request=DepartmentWriteSerializer, responses={201: DepartmentSerializer})
    def create(self, request):
        data = parse_body(DepartmentWriteSerializer, request.data)
        department = services.create_department(
            request.user,
            name=data["name"],
            code=data["code"],
            parent=data.get("parent"),
            head=data.get("head"),
        )
        return Response(DepartmentSerializer(department).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DepartmentWriteSerializer, responses={200: DepartmentSerializer})
    def partial_update(self, request, pk=None):
        department = self.get_object()
        data = parse_body(DepartmentWriteSerializer, {"name": department.name, **request.data}, partial=True)
        department = services.update_department(
            request.user,
            department,
            name=data.get("name", department.name),
            code=data.get("code", department.code),
            head=data.get("head", department.head),
            expected_version=data.get("version"),
        )
        return Response(DepartmentSerializer(department).data)

    @extend_schema(request=MoveSerializer, responses={200: DepartmentSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        data = parse_body(MoveSerializer, request.data)
        department = services.move_department(request.user, self.get_object(), data["parent"])
        return Response(DepartmentSerializer(department).data)

    @extend_schema(request=None, responses={200: DepartmentSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return Response(DepartmentSerializer(services.close_department(request.user, self.get_object())).data)

    @extend_schema(request=None, responses={200: DepartmentSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return Response(DepartmentSerializer(services.reopen_department(request.user, self.get_object())).data)


# --- users ----------------------------------------------------------------------------------
class UserSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "phone",
            "email",
            "title",
            "department",
            "department_name",
            "superior",
            "roles",
            "status",
            "left_at",
            "is_active",
            "version",
        ]


class UserWriteSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+$", max_length=150)
    name = serializers.CharField(max_length=60)
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", validators=[validate_phone]
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    superior = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    roles = serializers.PrimaryKeyRelatedField(queryset=Role.objects.all(), many=True, required=False)
    password = serializers.CharField(required=False, allow_blank=True, write_only=True)
    version = serializers.IntegerField(required=False)

    def validate_password(self, value):
        from django.contrib.auth.password_validation import validate_password

        if value:
            validate_password(value)
        return value


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(write_only=True)

    def validate_password(self, value):
        from django.contrib.auth.password_validation import validate_password

        validate_password(value)
        return value


class UserViewSet(ResourceViewSet):
    """People, with the user list's filters: `q`, `department` (and below), `role`, `status` (default active,
    `all` for everyone) and `?sort=`."""

    resource = USERS
    module, write_action = "org", "manage"
    permission_classes = [ModulePermission]
    serializer_class = UserSerializer

    @extend_schema(request=UserWriteSerializer, responses={201: UserSerializer})
    def create(self, request):
        data = dict(parse_body(UserWriteSerializer, request.data))
        data.pop("version", None)
        user = services.create_user(
            request.user, password=data.pop("password", None), roles=data.pop("roles", []), **data
        )
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UserWriteSerializer, responses={200: UserSerializer})
    def partial_update(self, request, pk=None):
        user = self.get_object()
        if "password" in request.data:
            raise serializers.ValidationError({"password": [_("Set a password with POST /api/users/{id}/password/.")]})
        data = dict(parse_body(UserWriteSerializer, request.data, partial=True))
        roles = data.pop("roles", None)
        version = data.pop("version", None)
        user = services.update_user(request.user, user, expected_version=version, roles=roles, **data)
        return Response(UserSerializer(user).data)

    @extend_schema(request=PasswordSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def password(self, request, pk=None):
        data = parse_body(PasswordSerializer, request.data)
        services.set_user_password(request.user, self.get_object(), data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: UserSerializer})
    @action(detail=True, methods=["post"])
    def left(self, request, pk=None):
        return Response(UserSerializer(services.mark_user_left(request.user, self.get_object())).data)

    @extend_schema(request=None, responses={200: UserSerializer})
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return Response(UserSerializer(services.reinstate_user(request.user, self.get_object())).data)


# --- roles ----------------------------------------------------------------------------------
class GrantSerializer(serializers.ModelSerializer):
    departments = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), many=True, required=False)

    class Meta:
        model = RoleGrant
        fields = ["module", "actions", "scope", "departments"]
        validators = []


class RoleSerializer(serializers.ModelSerializer):
    grants = GrantSerializer(many=True)

    class Meta:
        model = Role
        fields = ["id", "code", "name_zh", "name_en", "description", "is_system", "grants", "version"]
        read_only_fields = ["is_system"]
        extra_kwargs = {"code": {"validators": []}, "version": {"read_only": False, "required": False}}


class RoleViewSet(ResourceViewSet):
    """Roles with their grants; `?sort=code`."""

    resource = ROLES
    module, write_action = "org", "manage"
    permission_classes = [ModulePermission]
    serializer_class = RoleSerializer

    def _save(self, request, role):
        serializer = RoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        grants = [
            services.GrantSpec(
                g["module"],
                list(g["actions"]),
                g.get("scope", "self"),
                tuple(d.pk for d in g.get("departments", [])),
            )
            for g in data["grants"]
        ]
        return services.save_role(
            request.user,
            role,
            code=data["code"],
            name_zh=data["name_zh"],
            name_en=data["name_en"],
            description=data.get("description", ""),
            grants=grants,
            expected_version=data.get("version"),
        )

    def create(self, request):
        role = self._save(request, None)
        return Response(RoleSerializer(role).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        role = self._save(request, self.get_object())
        return Response(RoleSerializer(Role.objects.get(pk=role.pk)).data)


class AuthoriseSerializer(serializers.Serializer):
    operation = serializers.ChoiceField(choices=["grant", "revoke"])
    roles = serializers.PrimaryKeyRelatedField(queryset=Role.objects.all(), many=True)
    users = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), many=True, required=False)
    departments = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), many=True, required=False)
    include_sub_departments = serializers.BooleanField(default=True)


class AuthoriseResultSerializer(serializers.Serializer):
    users = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()


@extend_schema(request=AuthoriseSerializer, responses={200: AuthoriseResultSerializer})
@api_view(["POST"])
def authorise(request):
    """Grant or revoke roles for many users (and whole departments) at once. Needs org.authorise."""
    data = parse_body(AuthoriseSerializer, request.data)
    summary = services.batch_authorise(
        request.user,
        roles=data["roles"],
        users=data.get("users", []),
        departments=data.get("departments", []),
        include_sub_departments=data["include_sub_departments"],
        grant=data["operation"] == "grant",
    )
    return Response(AuthoriseResultSerializer(summary).data)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    department = serializers.IntegerField(source="department_id", allow_null=True)
    roles = serializers.ListField(child=serializers.CharField())
    menu = serializers.ListField(child=serializers.DictField())


@extend_schema(responses={200: MeSerializer})
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def me(request):
    """The current user, their roles and the menu they see."""
    user = request.user
    menu = [
        {
            "group": g["code"],
            "label": str(g["label"]),
            "entries": [{"key": e.key, "label": e.label, "url": e.url} for e in g["entries"]],
        }
        for g in menu_for(user)
    ]
    return Response(
        {
            "id": user.pk,
            "username": user.username,
            "name": user.display_name,
            "department": user.department_id,
            "roles": list(user.roles.values_list("code", flat=True)),
            "menu": menu,
        }
    )


class TokenView(ObtainAuthToken):
    """POST username and password for an API token. Failed attempts count towards the same lockout as the login
    page (django-axes, by canonical account); a locked account answers 429 in the error format."""

    def get_serializer_context(self):
        # django-axes marks the Django request it is given as locked out; its middleware answers for that one.
        return {**super().get_serializer_context(), "request": self.request._request}
