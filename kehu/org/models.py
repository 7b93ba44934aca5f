from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from kehu.core.locking import VersionedModel
from kehu.core.models import TranslatableCharField
from kehu.core.text import localized


class Department(MP_Node, VersionedModel):
    """A node of the organisation tree. `path` (materialised by treebeard) makes "and below" one prefix query."""

    name = models.CharField(_("name"), max_length=60)
    code = models.CharField(_("code"), max_length=30, blank=True)
    head = models.ForeignKey(
        "org.User", verbose_name=_("head"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(_("open"), default=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild"])

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name

    def full_name(self) -> str:
        """Names from the root down, e.g. "总公司 / 销售部 / 华北大区"."""
        names = list(Department.objects.get_ancestors(self).values_list("name", flat=True)) if self.depth > 1 else []
        return " / ".join([*names, self.name])


class KehuUserManager(UserManager):
    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)


class User(AbstractUser, VersionedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left the company")

    first_name = None
    last_name = None
    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("mobile"), max_length=20, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    superior = models.ForeignKey(
        "self",
        verbose_name=_("direct superior"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    title = models.CharField(_("job title"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    left_at = models.DateField(_("left on"), null=True, blank=True)
    roles = models.ManyToManyField("org.Role", verbose_name=_("roles"), blank=True, related_name="users")
    language = models.CharField(_("language"), max_length=10, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=[roles])

    objects = KehuUserManager()
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.username


class Role(VersionedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=60)
    description = TranslatableCharField(_("description"), max_length=200, blank=True)
    is_system = models.BooleanField(_("built in"), default=False)
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)


class RoleGrant(models.Model):
    """What a role may do in one module, and over which records (its data scope)."""

    class Scope(models.TextChoices):
        SELF = "self", _("Own records")
        DEPARTMENT = "department", _("Own department")
        DEPARTMENT_TREE = "department_tree", _("Own department and below")
        CHOSEN = "chosen", _("Chosen departments (and below)")
        ALL = "all", _("All")

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    module = models.CharField(_("module"), max_length=40)
    actions = models.JSONField(_("actions"), default=list)
    scope = models.CharField(_("data scope"), max_length=20, choices=Scope.choices, default=Scope.SELF)
    departments = models.ManyToManyField(Department, verbose_name=_("chosen departments"), blank=True)

    class Meta:
        verbose_name = _("role grant")
        constraints = [models.UniqueConstraint(fields=["role", "module"], name="uniq_role_grant_module")]

    def __str__(self):
        return f"{self.role_id}:{self.module}"


class ScopeVersion(models.Model):
    """One row whose value changes with every change to roles, grants or the department tree (see org.scope)."""

    value = models.PositiveBigIntegerField(default=1)

    class Meta:
        verbose_name = _("scope version")

    def __str__(self):
        return str(self.value)
