from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core.audit import audit_trail
from kehu.core.locking import StaleEdit
from kehu.core.views import apply_form_errors, require_perm
from kehu.org import services
from kehu.org.forms import (
    AdminPasswordForm,
    AuthoriseForm,
    DepartmentForm,
    LoginForm,
    MoveDepartmentForm,
    RoleForm,
    StyledPasswordChangeForm,
    UserForm,
    grant_rows,
)
from kehu.org.login import is_locked_out
from kehu.org.models import Department, Role, RoleGrant, User
from kehu.org.resources import ROLES, USERS
from kehu.org.scope import subtree_ids


# --- authentication -------------------------------------------------------------------------
class LoginView(auth_views.LoginView):
    template_name = "org/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().language
        if language:
            from django.conf import settings

            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "org/password_change.html"
    form_class = StyledPasswordChangeForm
    success_url = reverse_lazy("core:workbench")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


# --- departments ----------------------------------------------------------------------------
@login_required
def department_list(request):
    require_perm(request, "org", "view")
    departments = list(
        Department.objects.get_tree()
        .select_related("head")
        .annotate(member_count=Count("members", filter=Q(members__status=User.Status.ACTIVE)))
    )
    show_closed = request.GET.get("closed") == "1"
    if not show_closed:
        departments = [d for d in departments if d.is_active]
    return render(
        request,
        "org/department_list.html",
        {
            "departments": departments,
            "show_closed": show_closed,
            "can_manage": request.user.has_perm("org.manage"),
        },
    )


@login_required
def department_edit(request, pk=None):
    require_perm(request, "org", "manage" if request.method == "POST" or pk is None else "view")
    department = get_object_or_404(Department, pk=pk) if pk else None
    initial = {}
    if department:
        parent = Department.objects.get_parent(department)
        initial = {
            "name": department.name,
            "code": department.code,
            "head": department.head_id,
            "parent": parent.pk if parent else None,
            "version": department.version,
        }
    elif request.GET.get("parent"):
        initial = {"parent": request.GET["parent"]}
    form = DepartmentForm(request.POST or None, initial=initial)
    if department:
        form.fields["parent"].disabled = True
        form.fields["parent"].required = False
        form.fields["parent"].help_text = _("Use “Move” to put the department somewhere else.")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if department is None:
                parent = Department.objects.get(pk=data["parent"]) if data["parent"] else None
                department = services.create_department(
                    request.user, name=data["name"], code=data["code"], head=data["head"], parent=parent
                )
                messages.success(request, _("Department “%(name)s” created.") % {"name": department.name})
            else:
                services.update_department(
                    request.user,
                    department,
                    name=data["name"],
                    code=data["code"],
                    head=data["head"],
                    expected_version=data.get("version"),
                )
                messages.success(request, _("Department saved."))
            return redirect("org:departments")
        except ValidationError as exc:
            apply_form_errors(form, exc)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
    context = {
        "form": form,
        "department": department,
        "trail": audit_trail(department) if department else [],
        "can_manage": request.user.has_perm("org.manage"),
    }
    return render(request, "org/department_form.html", context)


@login_required
def department_move(request, pk):
    require_perm(request, "org", "manage")
    department = get_object_or_404(Department, pk=pk)
    form = MoveDepartmentForm(request.POST or None)
    form.fields["parent"].choices = [
        c for c in form.fields["parent"].choices if c[0] == "" or c[0] not in subtree_ids({department.pk})
    ]
    if request.method == "POST" and form.is_valid():
        try:
            services.move_department(request.user, department, Department.objects.get(pk=form.cleaned_data["parent"]))
        except ValidationError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("Department moved."))
            return redirect("org:departments")
    return render(request, "org/department_move.html", {"form": form, "department": department})


@login_required
@require_POST
def department_close(request, pk):
    require_perm(request, "org", "manage")
    department = get_object_or_404(Department, pk=pk)
    try:
        if request.POST.get("reopen"):
            services.reopen_department(request.user, department)
            messages.success(request, _("Department reopened."))
        else:
            services.close_department(request.user, department)
            messages.success(request, _("Department closed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("org:departments")


# --- users ----------------------------------------------------------------------------------
user_list = USERS.page_view()


@login_required
def user_detail(request, pk):
    require_perm(request, "org", "view")
    person = get_object_or_404(User.objects.select_related("department", "superior"), pk=pk)
    context = {
        "person": person,
        "locked_out": is_locked_out(person.username),
        "trail": audit_trail(person),
        "can_manage": request.user.has_perm("org.manage"),
        "password_form": AdminPasswordForm(),
    }
    return render(request, "org/user_detail.html", context)


@login_required
def user_edit(request, pk=None):
    require_perm(request, "org", "manage")
    person = get_object_or_404(User, pk=pk) if pk else None
    form = UserForm(request.POST or None, instance=person or User())
    if request.method == "POST" and form.is_valid():
        data = {
            f: form.cleaned_data[f] for f in ("username", "name", "phone", "email", "title", "department", "superior")
        }
        try:
            if person is None:
                person = services.create_user(
                    request.user,
                    password=form.cleaned_data.get("password"),
                    roles=form.cleaned_data["roles"],
                    **data,
                )
                messages.success(request, _("User “%(name)s” created.") % {"name": person.display_name})
            else:
                services.update_user(
                    request.user,
                    person,
                    expected_version=form.cleaned_data.get("version"),
                    roles=form.cleaned_data["roles"],
                    **data,
                )
                messages.success(request, _("User saved."))
            return redirect("org:user_detail", pk=person.pk)
        except ValidationError as exc:
            apply_form_errors(form, exc)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
    return render(request, "org/user_form.html", {"form": form, "person": person})


@login_required
@require_POST
def user_status(request, pk):
    require_perm(request, "org", "manage")
    person = get_object_or_404(User, pk=pk)
    try:
        if request.POST.get("action") == "unlock":
            services.unlock_login(request.user, person)
            messages.success(request, _("%(name)s can log in again.") % {"name": person.display_name})
        elif request.POST.get("action") == "reinstate":
            services.reinstate_user(request.user, person)
            messages.success(request, _("%(name)s is active again.") % {"name": person.display_name})
        else:
            services.mark_user_left(request.user, person)
            messages.success(request, _("%(name)s is marked as left the company.") % {"name": person.display_name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("org:user_detail", pk=person.pk)


@login_required
@require_POST
def user_password(request, pk):
    require_perm(request, "org", "manage")
    person = get_object_or_404(User, pk=pk)
    form = AdminPasswordForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["password"])
        services.set_user_password(request.user, person, form.cleaned_data["password"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Password set for %(name)s.") % {"name": person.display_name})
    return redirect("org:user_detail", pk=person.pk)


# --- roles ----------------------------------------------------------------------------------
@login_required
def role_list(request):
    context = ROLES.page_context(request)
    return render(request, "org/role_list.html", {**context, "can_manage": request.user.has_perm("org.manage")})


@login_required
def role_edit(request, pk=None):
    require_perm(request, "org", "manage" if request.method == "POST" or pk is None else "view")
    role = get_object_or_404(Role, pk=pk) if pk else None
    form = RoleForm(request.POST or None, instance=role or Role())
    rows = grant_rows(role, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        grants = [services.GrantSpec(r.module.key, r.actions, r.scope, tuple(r.department_ids)) for r in rows]
        data = form.cleaned_data
        try:
            role = services.save_role(
                request.user,
                role,
                code=data.get("code") or role.code,
                name_zh=data["name_zh"],
                name_en=data["name_en"],
                description=data["description"],
                grants=grants,
                expected_version=data.get("version"),
            )
        except ValidationError as exc:
            apply_form_errors(form, exc) if "grants" not in exc.message_dict else form.add_error(
                None, exc.message_dict["grants"]
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Role “%(name)s” saved.") % {"name": role.name})
            return redirect("org:roles")
    context = {
        "form": form,
        "role": role,
        "rows": rows,
        "trail": audit_trail(role) if role else [],
        "scopes": RoleGrant.Scope.choices,
        "departments": Department.objects.filter(is_active=True).order_by("path"),
        "can_manage": request.user.has_perm("org.manage"),
        "holders": role.users.filter(status=User.Status.ACTIVE).select_related("department") if role else [],
    }
    return render(request, "org/role_form.html", context)


@login_required
@require_POST
def role_delete(request, pk):
    require_perm(request, "org", "manage")
    role = get_object_or_404(Role, pk=pk)
    try:
        services.delete_role(request.user, role)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("org:role_edit", pk=pk)
    messages.success(request, _("Role deleted."))
    return redirect("org:roles")


@login_required
def authorise(request):
    require_perm(request, "org", "authorise")
    form = AuthoriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            summary = services.batch_authorise(
                request.user,
                roles=data["roles"],
                users=data["users"],
                departments=data["departments"],
                include_sub_departments=data["include_sub_departments"],
                grant=data["operation"] == "grant",
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
        else:
            text = _("Authorisation applied: %(changed)d of %(users)d users changed, %(unchanged)d unchanged.") % {
                "changed": summary.changed,
                "users": summary.users,
                "unchanged": summary.unchanged,
            }
            messages.success(request, text)
            return redirect("org:authorise")
    return render(request, "org/authorise.html", {"form": form})
