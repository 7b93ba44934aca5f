"""Pages of the public pool (公海): the pool list and a pool customer's page, claim / release / assign actions,
the preview of the next automatic return, and the rules and caps settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kehu.core.forms import all_valid
from kehu.core.limits import selected_ids
from kehu.core.security import safe_next
from kehu.core.views import apply_form_errors, require_perm
from kehu.customers import pool, pool_queries, pool_rules, services
from kehu.customers.models import Customer, CustomerLimit, PoolEvent
from kehu.customers.pool_forms import AssignForm, LimitFormSet, PoolRuleFormSet, ReleaseForm
from kehu.customers.resources import POOL
from kehu.org.models import Role


def _ids(request) -> list[int] | None:
    """The selected ids; None (with the message shown) when more than one batch may hold."""
    try:
        return selected_ids(request.POST.getlist("ids"))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return None


def _back(request, default: str):
    return redirect(safe_next(request, default))


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def _pool_context(request, context):
    can_claim = request.user.has_perm("customers.add")
    cap = pool_rules.daily_claim_cap(request.user) if can_claim else None
    now = timezone.now()
    may_assign = pool_queries.may_assign(request.user)
    return {
        "can_claim": can_claim,
        "can_assign": may_assign,
        "can_manage": request.user.has_perm("customers.manage"),
        "assign_form": AssignForm() if may_assign else None,
        "claims_left": None if cap is None else max(cap - pool_queries.claims_today(request.user, now), 0),
        "now": now,
    }


pool_list = POOL.page_view(extra=_pool_context)


@login_required
def pool_detail(request, pk):
    """A pool customer as a claimer sees it: the company and its contacts' names, not their numbers."""
    customer = pool_queries.get_pool_customer(request.user, pk)
    blocked = pool_rules.reclaim_blocked(request.user, customer)
    context = {
        "customer": customer,
        "contacts": customer.contacts.only("name", "title", "decision_role", "is_primary"),
        "events": PoolEvent.objects.filter(customer=customer).select_related("actor", "owner")[:20],
        "can_claim": pool_queries.may_claim(request.user, customer) and not blocked,
        "blocked": blocked,
        "can_assign": pool_queries.may_assign(request.user),
        "assign_form": AssignForm() if pool_queries.may_assign(request.user) else None,
        "full_page": Customer.objects.visible_to(request.user).filter(pk=pk).exists(),
    }
    return render(request, "customers/pool_detail.html", context)


@login_required
@require_POST
def pool_claim(request, pk):
    try:
        customer = pool.claim(request.user, pk)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
        return _back(request, "customers:pool")
    messages.success(request, _("“%(name)s” is now your customer.") % {"name": customer.name})
    return redirect("customers:detail", pk=customer.pk)


@login_required
@require_POST
def pool_claim_many(request):
    require_perm(request, "customers", "add")
    ids = _ids(request)
    if ids is None:
        return _back(request, "customers:pool")
    if not ids:
        messages.error(request, _("Select the customers to claim first."))
        return _back(request, "customers:pool")
    claimed, refused = 0, []
    for pk in ids:
        try:
            pool.claim(request.user, pk)
        except ValidationError as exc:
            refused.append(_messages_of(exc))
        except Http404:  # no longer a pool customer this user may know of: nothing to say
            continue
        else:
            claimed += 1
    if claimed:
        messages.success(
            request,
            ngettext("%(count)d customer claimed.", "%(count)d customers claimed.", claimed) % {"count": claimed},
        )
    for text in dict.fromkeys(refused):
        messages.error(request, text)
    return _back(request, "customers:pool")


@login_required
@require_POST
def pool_assign(request):
    if not pool_queries.may_assign(request.user):
        raise PermissionDenied
    form = AssignForm(request.POST)
    ids = _ids(request)
    if ids is None:
        pass
    elif not ids:
        messages.error(request, _("Select the customers to assign first."))
    elif not form.is_valid():
        messages.error(request, _("Choose who gets the customers."))
    else:
        to_user = form.cleaned_data["to_user"]
        try:
            summary = pool.assign_from_pool(request.user, ids, to_user)
        except ValidationError as exc:
            messages.error(request, _messages_of(exc))
        else:
            messages.success(
                request,
                _("%(count)d customers assigned to %(name)s.") % {"count": summary.count, "name": to_user.display_name},
            )
            if summary.skipped:
                messages.warning(
                    request,
                    _("%(count)d were no longer in the pool and were skipped.") % {"count": len(summary.skipped)},
                )
    return _back(request, "customers:pool")


@login_required
@require_POST
def customer_release(request, pk):
    """Put one customer into the pool from its page (the reason is asked in a dialog)."""
    customer = services.get_customer_for_user(request.user, pk, "change")
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the customer goes back to the pool."))
        return redirect("customers:detail", pk=customer.pk)
    try:
        summary = pool.release_to_pool(request.user, [customer.pk], form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as exc:
        text = _messages_of(exc) if isinstance(exc, ValidationError) else _("You may not release this customer.")
        messages.error(request, text)
        return redirect("customers:detail", pk=customer.pk)
    if not summary.count:
        messages.error(request, _("Only the owner or a manager in charge can put this customer into the pool."))
        return redirect("customers:detail", pk=customer.pk)
    messages.success(request, _("“%(name)s” is now in the public pool.") % {"name": customer.name})
    return redirect("customers:mine")


@login_required
@require_POST
def release_many(request):
    """Batch "put into the pool" from a customer list (`ids`, `reason`, `next`)."""
    require_perm(request, "customers", "change")
    ids = _ids(request)
    form = ReleaseForm(request.POST)
    if ids is None:
        pass
    elif not ids:
        messages.error(request, _("Select the customers to put into the pool first."))
    elif not form.is_valid():
        messages.error(request, _("Say why the customers go back to the pool."))
    else:
        try:
            summary = pool.release_to_pool(request.user, ids, form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, _messages_of(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d customer put into the public pool.",
                    "%(count)d customers put into the public pool.",
                    summary.count,
                )
                % {"count": summary.count},
            )
            if summary.skipped:
                messages.warning(
                    request,
                    _("%(count)d skipped: not yours to release, or already in the pool.")
                    % {"count": len(summary.skipped)},
                )
    return _back(request, "customers:mine")


@login_required
def pool_preview(request):
    if not pool_queries.may_assign(request.user):
        raise PermissionDenied
    preview = pool_queries.preview_returns(request.user)
    context = {
        "preview": preview,
        "now": preview.run_at,
    }
    return render(request, "customers/pool_preview.html", context)


def _limit_initial():
    limits = {limit.role_id: limit for limit in CustomerLimit.objects.all()}
    rows = []
    for role in Role.objects.order_by("id"):
        limit = limits.get(role.pk)
        rows.append(
            {
                "role": role.pk,
                "max_owned": limit.max_owned if limit else None,
                "max_claims_per_day": limit.max_claims_per_day if limit else None,
            }
        )
    return rows


@login_required
def pool_settings(request):
    """The pool rules per customer level and the caps per role, on one page."""
    require_perm(request, "customers", "manage")
    from kehu.customers.models import PoolRule

    rules_qs = PoolRule.objects.select_related("level").order_by("level__sort_order", "level_id")
    initial = _limit_initial()
    if request.method == "POST":
        rules = PoolRuleFormSet(request.POST, queryset=rules_qs, prefix="rules")
        limits = LimitFormSet(request.POST, initial=initial, prefix="limits")
        if all_valid(rules, limits) and _save_settings(request, rules, limits):
            messages.success(request, _("Pool rules and limits saved."))
            return redirect("customers:pool_settings")
    else:
        rules = PoolRuleFormSet(queryset=rules_qs, prefix="rules")
        limits = LimitFormSet(initial=initial, prefix="limits")
    roles = {role.pk: role for role in Role.objects.all()}
    limit_rows = [(form, roles.get(int(form["role"].value() or 0))) for form in limits]
    context = {
        "rules": rules,
        "limits": limits,
        "limit_rows": limit_rows,
    }
    return render(request, "customers/pool_settings.html", context)


def _save_settings(request, rules, limits) -> bool:
    """Save every changed rule and limit in one transaction; a refusal shows next to its field and saves nothing."""
    try:
        with transaction.atomic():
            for form in rules.forms:
                if not form.has_changed():
                    continue
                if form.instance.pk and form.cleaned_data.get("DELETE"):
                    try:
                        pool_rules.delete_pool_rule(request.user, form.instance)
                    except ValidationError as exc:
                        apply_form_errors(form, exc)
                        raise
                    continue
                data = {name: form.cleaned_data.get(name) for name in pool_rules.RULE_FIELDS}
                try:
                    pool_rules.save_pool_rule(request.user, form.instance if form.instance.pk else None, data)
                except ValidationError as exc:
                    apply_form_errors(form, exc)
                    raise
            for form in limits.forms:
                if not form.has_changed():
                    continue
                data = form.cleaned_data
                try:
                    pool_rules.save_customer_limit(
                        request.user, data["role"], data["max_owned"], data["max_claims_per_day"]
                    )
                except ValidationError as exc:
                    apply_form_errors(form, exc)
                    raise
    except ValidationError:
        return False
    return True
