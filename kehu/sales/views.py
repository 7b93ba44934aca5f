"""Pages of opportunities: lists (declared in resources.py), the kanban, the detail page with its actions, the
form, stage settings. Every change is a service call; a refusal is shown next to the field it names."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kehu.approvals.queries import document_approvals
from kehu.approvals.services import requires_approval
from kehu.core.audit import audit_trail
from kehu.core.locking import StaleEdit
from kehu.core.views import apply_form_errors, require_perm
from kehu.customers.models import Customer
from kehu.sales import queries, services, stages
from kehu.sales.forms import (
    FollowUpForm,
    LoseForm,
    OpportunityForm,
    ReopenForm,
    ReviewForm,
    StageForm,
    TransferForm,
    WinForm,
)
from kehu.sales.kanban import CARDS_PER_STAGE, read_board
from kehu.sales.models import Opportunity, OpportunityFollowUp, Stage
from kehu.sales.resources import OPPORTUNITIES


def _list_context(request, context):
    user, tab = request.user, context["tab"]
    return {
        "scope": tab,
        "can_add": user.has_perm("opportunities.add"),
        "can_export": user.has_perm("opportunities.export"),
        "transfer_form": TransferForm() if tab == "all" else None,
    }


opportunity_list_mine = OPPORTUNITIES.page_view("mine", _list_context)
opportunity_list_all = OPPORTUNITIES.page_view("all", _list_context)


@login_required
def kanban(request):
    """The pipeline by stage (PC: columns side by side; phone: a stage switcher with that stage's cards)."""
    require_perm(request, "opportunities", "view")
    mine = request.GET.get("scope", "all") == "mine"
    board = read_board(request.user, request.GET, mine=mine)
    shown = request.GET.get("stage")
    columns = board["columns"]
    current = next((c for c in columns if str(c["stage"].pk) == shown), columns[0] if columns else None)
    context = {
        "columns": columns,
        "current": current,
        "filters": board["filters"],
        "mine": mine,
        "views": queries.VIEWS,
        "view": request.GET.get("view", ""),
        "cards_per_stage": CARDS_PER_STAGE,
        "can_add": request.user.has_perm("opportunities.add"),
    }
    return render(request, "sales/kanban.html", context)


@login_required
def opportunity_detail(request, pk):
    opportunity = services.get_opportunity_for_user(request.user, pk)
    opportunity = Opportunity.objects.select_related(
        "customer",
        "owner",
        "owner_department",
        "stage",
        "source",
        "decision_maker",
        "loss_reason",
        "won_by_competitor",
        "created_by",
    ).get(pk=opportunity.pk)
    can_change = Opportunity.objects.visible_to(request.user, "change").filter(pk=pk).exists()
    followups = list(queries.followups_of(opportunity))
    context = {
        "opportunity": opportunity,
        "can_change": can_change,
        "can_manage": can_change and request.user.has_perm("opportunities.reopen"),
        "tab": request.GET.get("tab", "overview"),
        "history": queries.stage_history(opportunity),
        "followups": [(entry, services.can_review(request.user, entry)) for entry in followups],
        "events": opportunity.events.select_related("actor")[:100],
        "members": opportunity.members.select_related("user"),
        "lines": opportunity.lines.all(),
        "competitors": opportunity.competitors.all(),
        "contacts": opportunity.contacts.all(),
        "approvals": document_approvals(services.DOC, opportunity.pk),
        "trail": audit_trail(opportunity),
        "win_form": WinForm(initial={"won_amount": opportunity.amount, "version": opportunity.version}),
        "lose_form": LoseForm(initial={"version": opportunity.version}),
        "reopen_form": ReopenForm(initial={"version": opportunity.version}),
        "review_form": ReviewForm(),
    }
    return render(request, "sales/opportunity_detail.html", context)


def _form_page(request, form, opportunity=None, customer=None):
    return render(
        request,
        "sales/opportunity_form.html",
        {
            "form": form,
            "opportunity": opportunity,
            "customer": customer,
            "needs_approval": opportunity is None and requires_approval(services.DOC),
        },
    )


@login_required
def opportunity_create(request):
    require_perm(request, "opportunities", "add")
    customer = None
    customer_id = request.POST.get("customer") or request.GET.get("customer")
    if customer_id and str(customer_id).isdigit():
        customer = Customer.objects.visible_to(request.user).filter(pk=customer_id).first()
    form = OpportunityForm(request.POST or None, user=request.user, customer=customer)
    if request.method == "GET" and request.headers.get("HX-Request"):  # the customer changed: its contacts, and
        many = {"contacts", "competitors", "team_view", "team_edit"}  # nothing typed so far is lost
        typed = {k: (request.GET.getlist(k) if k in many else request.GET.get(k)) for k in request.GET}
        form = OpportunityForm(initial=typed, user=request.user, customer=customer)
        try:
            opportunity = services.create_opportunity(request.user, form.service_data())
        except ValidationError as exc:
            apply_form_errors(form, exc)
        else:
            if opportunity.approval_status == Opportunity.ApprovalStatus.PENDING:
                messages.success(request, _("Opportunity saved and submitted for approval."))
            else:
                messages.success(request, _("Opportunity “%(name)s” created.") % {"name": opportunity.name})
            return redirect("sales:detail", pk=opportunity.pk)
    return _form_page(request, form, customer=customer)


@login_required
def opportunity_edit(request, pk):
    opportunity = services.get_opportunity_for_user(request.user, pk, "change")
    form = OpportunityForm(request.POST or None, user=request.user, opportunity=opportunity)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_opportunity(
                request.user, opportunity, form.service_data(), form.cleaned_data.get("version")
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            if request.POST.get("next") == "kanban":  # filled in what a kanban drop asked for: back to the board
                return redirect("sales:kanban")
            return redirect("sales:detail", pk=opportunity.pk)
    return _form_page(request, form, opportunity)


def _refused(request, exc):
    if isinstance(exc, StaleEdit):
        messages.error(request, str(exc))
    else:
        messages.error(request, " ".join(exc.messages))


@login_required
@require_POST
def opportunity_submit(request, pk):
    opportunity = services.get_opportunity_for_user(request.user, pk, "change")
    try:
        services.submit_opportunity(request.user, opportunity)
    except ValidationError as exc:
        _refused(request, exc)
    return redirect("sales:detail", pk=pk)


@login_required
def followup_add(request, pk):
    opportunity = services.get_opportunity_for_user(request.user, pk, "change")
    form = FollowUpForm(request.POST or None, opportunity=opportunity)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_followup(
                request.user,
                opportunity,
                kind=data["kind"],
                content=data["content"],
                contact=data.get("contact"),
                next_step=data.get("next_step", ""),
                next_step_due=data.get("next_step_due"),
                stage=data.get("stage"),
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Follow-up recorded."))
            return redirect(f"{opportunity.get_absolute_url()}?tab=followups")
    return render(request, "sales/followup_form.html", {"form": form, "opportunity": opportunity})


@login_required
@require_POST
def followup_review(request, pk):
    entry = OpportunityFollowUp.objects.visible_to(request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        services.review_followup(request.user, entry, form.cleaned_data.get("comment", ""))
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Follow-up reviewed."))
    return redirect(f"{entry.opportunity.get_absolute_url()}?tab=followups")


def _closing_action(request, pk, form_class, call, done):
    opportunity = services.get_opportunity_for_user(request.user, pk, "change")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(opportunity, form.cleaned_data)
        except (ValidationError, StaleEdit) as exc:
            _refused(request, exc)
        else:
            messages.success(request, done)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("sales:detail", pk=pk)


@login_required
@require_POST
def opportunity_win(request, pk):
    def call(opportunity, data):
        services.win(
            request.user,
            opportunity,
            won_amount=data["won_amount"],
            closed_on=data.get("closed_on"),
            note=data.get("note", ""),
            expected_version=data.get("version"),
        )

    return _closing_action(request, pk, WinForm, call, _("Won — congratulations!"))


@login_required
@require_POST
def opportunity_lose(request, pk):
    def call(opportunity, data):
        services.lose(
            request.user,
            opportunity,
            loss_reason=data.get("loss_reason"),
            competitor=data.get("won_by_competitor"),
            note=data.get("result_note", ""),
            closed_on=data.get("closed_on"),
            expected_version=data.get("version"),
        )

    return _closing_action(request, pk, LoseForm, call, _("Marked as lost."))


@login_required
@require_POST
def opportunity_reopen(request, pk):
    require_perm(request, "opportunities", "reopen")

    def call(opportunity, data):
        services.reopen(request.user, opportunity, data.get("reason", ""), data.get("version"))

    return _closing_action(request, pk, ReopenForm, call, _("Reopened."))


@login_required
@require_POST
def opportunity_transfer(request):
    require_perm(request, "opportunities", "transfer")
    form = TransferForm(request.POST)
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    if not ids:
        messages.error(request, _("Select the opportunities to transfer first."))
    elif form.is_valid():
        try:
            summary = services.transfer_opportunities(
                request.user, ids, form.cleaned_data["to_user"], form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d opportunity transferred to %(name)s.",
                    "%(count)d opportunities transferred to %(name)s.",
                    summary.moved,
                )
                % {"count": summary.moved, "name": form.cleaned_data["to_user"].display_name},
            )
    else:
        messages.error(request, _("Choose the new owner."))
    return redirect("sales:manage")


# --- stages (ops) ------------------------------------------------------------------------------------------
@login_required
def stage_list(request):
    require_perm(request, "opportunities", "manage")
    rows = list(Stage.objects.order_by("position", "pk"))
    for stage in rows:
        stage.required_labels = "、".join(stages.field_label(name) for name in stage.required_fields)
    return render(request, "sales/stage_list.html", {"stages": rows})


@login_required
def stage_edit(request, pk=None):
    require_perm(request, "opportunities", "manage")
    stage = Stage.objects.filter(pk=pk).first() if pk else None
    if pk and stage is None:
        raise Http404
    initial = (
        {
            "name": stage.name,
            "position": stage.position,
            "probability": stage.probability,
            "required_fields": stage.required_fields,
            "may_reenter": stage.may_reenter,
            "rotting_days": stage.rotting_days,
            "is_active": stage.is_active,
            "version": stage.version,
        }
        if stage
        else {"is_active": True, "may_reenter": True, "position": (Stage.objects.count() + 1) * 10}
    )
    form = StageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.save_stage(request.user, stage, data, form.cleaned_data.get("version"))
        except ValidationError as exc:
            apply_form_errors(form, exc)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Stage saved."))
            return redirect("sales:stages")
    return render(request, "sales/stage_form.html", {"form": form, "stage": stage})
