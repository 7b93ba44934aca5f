from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core import menus as menu_registry
from kehu.core import services
from kehu.core.audit import audit_trail
from kehu.core.forms import DictionaryItemForm, MenuSettingForm
from kehu.core.locking import StaleEdit
from kehu.core.models import Dictionary, DictionaryItem, MenuSetting
from kehu.core.security import safe_next
from kehu.core.workbench import panels_for


def require_perm(request, module: str, action: str) -> None:
    """403 unless the user's roles grant `action` on `module` (answered by org's RoleBackend)."""
    if not request.user.has_perm(f"{module}.{action}"):
        raise PermissionDenied


def apply_form_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError next to the form fields it names (or at the top)."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


@login_required
def workbench(request):
    return render(request, "core/workbench.html", {"panels": panels_for(request)})


@login_required
def me(request):
    """The phone's "Me" tab: the profile, every menu entry that is not in the bottom bar, language, logout."""
    return render(request, "core/me.html")


@require_POST
def set_language(request):
    """Switch the interface language; remembered in a cookie and, when logged in, on the user."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(safe_next(request, "/"))
    if services.is_offered_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax"
        )
        if request.user.is_authenticated:
            services.set_user_language(request.user, language)
    return response


# --- menus ----------------------------------------------------------------------------------
@login_required
def menu_list(request):
    require_perm(request, "config", "manage")
    saved = {s.key: s for s in MenuSetting.objects.prefetch_related("hidden_for_roles")}
    rows = []
    for code, group_label, _icon in menu_registry.GROUPS:
        for entry in menu_registry.all_entries():
            if entry.group == code:
                rows.append({"entry": entry, "group": group_label, "setting": saved.get(entry.key)})
    return render(request, "core/menu_list.html", {"rows": rows})


@login_required
def menu_edit(request, key):
    require_perm(request, "config", "manage")
    entry = menu_registry.get(key)
    if entry is None:
        from django.http import Http404

        raise Http404
    setting = MenuSetting.objects.filter(key=key).first() or MenuSetting(key=key)
    form = MenuSettingForm(request.POST or None, instance=setting)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_menu_setting(
                request.user,
                key,
                expected_version=form.cleaned_data.get("version"),
                **{f: form.cleaned_data[f] for f in ("label_zh", "label_en", "sort_order", "hidden_for_roles")},
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Menu entry saved."))
            return redirect("core:menus")
    trail = audit_trail(setting) if setting.pk else []
    return render(request, "core/menu_edit.html", {"form": form, "entry": entry, "trail": trail})


# --- dictionaries ---------------------------------------------------------------------------
@login_required
def dictionary_list(request):
    require_perm(request, "config", "manage")
    dictionaries = Dictionary.objects.all()
    current = None
    code = request.GET.get("d")
    if dictionaries:
        current = next((d for d in dictionaries if d.code == code), dictionaries[0])
    items = current.items.all() if current else []
    return render(
        request,
        "core/dictionary_list.html",
        {"dictionaries": dictionaries, "current": current, "items": items},
    )


@login_required
def dictionary_item_edit(request, code, pk=None):
    require_perm(request, "config", "manage")
    dictionary = get_object_or_404(Dictionary, code=code)
    item = get_object_or_404(DictionaryItem, pk=pk, dictionary=dictionary) if pk else None
    form = DictionaryItemForm(request.POST or None, instance=item)
    if item is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in ("label_zh", "label_en", "sort_order", "is_active")}
        try:
            with transaction.atomic():
                if item is None:
                    services.add_dictionary_item(request.user, dictionary, code=form.cleaned_data["code"], **data)
                else:
                    services.update_dictionary_item(
                        request.user, item, expected_version=form.cleaned_data.get("version"), **data
                    )
        except ValidationError as exc:
            apply_form_errors(form, exc)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Dictionary value saved."))
            return redirect(reverse("core:dictionaries") + f"?d={dictionary.code}")
    trail = audit_trail(item) if item else []
    return render(
        request,
        "core/dictionary_item_edit.html",
        {"form": form, "dictionary": dictionary, "item": item, "trail": trail},
    )


# --- error pages: the product's frame, the user's language, a way back (UI.md "Errors and empty states") ---------
def _error_page(request, status: int, title, text):
    context = {"error_code": status, "error_title": title, "error_text": text}
    return render(request, "error_page.html", context, status=status)


def permission_denied(request, exception=None):
    return _error_page(
        request,
        403,
        _("Not allowed"),
        _("Your roles do not let you open this page or take this action. Ask sales operations if you need it."),
    )


def page_not_found(request, exception=None):
    return _error_page(
        request, 404, _("Page not found"), _("This page does not exist, or the record is not one you can see.")
    )


def server_error(request):
    """Rendered without the page's context processors: whatever broke the page must not break this one."""
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
