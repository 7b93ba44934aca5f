"""Pages of follow-ups (跟进记录) and visits (客户拜访). Every change goes through `activities.py`; records outside
the user's scope answer 404, refused actions come back with a message saying why."""

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kehu.core.security import safe_next
from kehu.core.views import apply_form_errors
from kehu.customers import activities
from kehu.customers.activity_forms import CheckInForm, FollowUpForm, ReviewForm, SummaryForm, VisitPlanForm
from kehu.customers.models import Visit
from kehu.customers.resources import FOLLOWUPS, NEXT_STEPS, VISITS
from kehu.customers.services import get_customer_for_user


def _refused(request, exc: ValidationError):
    messages.error(request, " ".join(exc.messages))


def _timeline(customer_id) -> str:
    return reverse("customers:detail", kwargs={"pk": customer_id}) + "?tab=timeline"


# --- follow-ups -------------------------------------------------------------------------------
@login_required
def followup_create(request, pk):
    customer = get_customer_for_user(request.user, pk, "change")
    form = FollowUpForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activities.record_followup(
                request.user,
                customer,
                data["kind"],
                data["content"],
                contact=data["contact"],
                next_step=data["next_step"],
                next_step_due=data["next_step_due"],
                happened_at=data.get("happened_at"),
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("Follow-up recorded."))
            return redirect(_timeline(customer.pk))
    return render(request, "customers/followup_form.html", {"form": form, "customer": customer})


@login_required
def followup_edit(request, pk):
    """The author edits within 24 hours; everyone else who sees the follow-up gets it read-only, with the reason."""
    followup = activities.get_followup_for_user(request.user, pk)
    editable = activities.can_edit_followup(request.user, followup)
    form = None
    if editable:
        form = FollowUpForm(request.POST or None, instance=followup, customer=followup.customer)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                activities.update_followup(
                    request.user,
                    followup,
                    kind=data["kind"],
                    content=data["content"],
                    contact=data["contact"],
                    next_step=data["next_step"],
                    next_step_due=data["next_step_due"],
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("Follow-up saved."))
                return redirect(_timeline(followup.customer_id))
    context = {
        "followup": followup,
        "customer": followup.customer,
        "form": form,
        "is_visit_summary": Visit.objects.filter(followup=followup).exists(),
    }
    return render(request, "customers/followup_edit.html", context)


@login_required
@require_POST
def followup_delete(request, pk):
    followup = activities.get_followup_for_user(request.user, pk)
    try:
        activities.delete_followup(request.user, followup)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("customers:followup_edit", pk=followup.pk)
    messages.success(request, _("Follow-up deleted."))
    return redirect(_timeline(followup.customer_id))


@login_required
@require_POST
def followup_complete(request, pk):
    followup = activities.get_followup_for_user(request.user, pk)
    try:
        activities.complete_next_step(request.user, followup)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Next step done: %(step)s") % {"step": followup.next_step})
    return redirect(safe_next(request, "customers:next_steps"))


followup_list = FOLLOWUPS.page_view()


next_steps = NEXT_STEPS.page_view()


def _today():
    return timezone.localdate()


# --- visits -----------------------------------------------------------------------------------
@login_required
def visit_plan(request, pk):
    customer = get_customer_for_user(request.user, pk, "change")
    form = VisitPlanForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = activities.plan_visit(
                request.user, customer, purpose=data["purpose"], planned_at=data["planned_at"], contact=data["contact"]
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("Visit planned."))
            return redirect("customers:visit_detail", pk=visit.pk)
    return render(request, "customers/visit_plan.html", {"form": form, "customer": customer})


visit_list = VISITS.page_view()


STEPS = ("planned", "checked_in", "done", "reviewed")


def _steps(visit: Visit) -> list[dict]:
    reached = {
        "planned": True,
        "checked_in": visit.checked_in_at is not None,
        "done": visit.status == Visit.Status.DONE,
        "reviewed": visit.reviewed_at is not None,
    }
    labels = {"planned": _("Plan"), "checked_in": _("Check in"), "done": _("Summary"), "reviewed": _("Review")}
    current = next((key for key in STEPS if not reached[key]), None)
    return [{"key": key, "label": labels[key], "reached": reached[key], "current": key == current} for key in STEPS]


@login_required
def visit_detail(request, pk):
    visit = activities.get_visit_for_user(request.user, pk)
    mine = visit.visitor_id == request.user.pk
    context = {
        "visit": visit,
        "customer": visit.customer,
        "steps": _steps(visit),
        "mine": mine,
        "cancelled": visit.status == Visit.Status.CANCELLED,
        "can_check_in": mine and visit.status == Visit.Status.PLANNED,
        "can_summarise": mine and visit.status == Visit.Status.CHECKED_IN,
        "can_review": visit.reviewed_at is None and activities.can_review(request.user, visit),
        "review_form": ReviewForm(),
    }
    return render(request, "customers/visit_detail.html", context)


@dataclass(frozen=True)
class VisitStep:
    """One of the visitor's steps on their visit: its form, the status it starts from, its page, the service
    (called with the form's cleaned data as keyword arguments) and what to say when done."""

    form_class: type
    status: str
    template: str
    service: Callable
    done: str


CHECK_IN = VisitStep(
    CheckInForm, Visit.Status.PLANNED, "customers/visit_checkin.html", activities.check_in, gettext_lazy("Checked in.")
)
SUMMARY = VisitStep(
    SummaryForm,
    Visit.Status.CHECKED_IN,
    "customers/visit_summary.html",
    activities.write_summary,
    gettext_lazy("Visit summary saved; it is in the customer's follow-ups."),
)


def _visit_step(request, pk, step: VisitStep):
    """A visit step: the form on GET, the service on POST. A refusal that is not about a field the user sees
    (not the visitor, the visit moved on, a bad location from the page's script) goes back to the visit with
    the message; field errors stay on the form."""
    visit = activities.get_visit_for_user(request.user, pk)
    if request.method != "POST":
        if visit.visitor_id != request.user.pk or visit.status != step.status:
            return redirect("customers:visit_detail", pk=visit.pk)
        form = step.form_class()
    else:
        form = step.form_class(request.POST, request.FILES)
        shown = {field.name for field in form.visible_fields()}
        if not form.is_valid():
            if set(form.errors) - shown:
                _refused(request, ValidationError([e for errors in form.errors.values() for e in errors]))
                return redirect("customers:visit_detail", pk=visit.pk)
        else:
            try:
                step.service(request.user, visit, **form.cleaned_data)
            except ValidationError as exc:
                fields = set(exc.message_dict) if hasattr(exc, "error_dict") else set()
                if not fields or fields - shown:
                    _refused(request, exc)
                    return redirect("customers:visit_detail", pk=visit.pk)
                apply_form_errors(form, exc)
            else:
                messages.success(request, str(step.done))
                return redirect("customers:visit_detail", pk=visit.pk)
    return render(request, step.template, {"form": form, "visit": visit, "customer": visit.customer})


@login_required
def visit_check_in(request, pk):
    return _visit_step(request, pk, CHECK_IN)


@login_required
def visit_summary(request, pk):
    return _visit_step(request, pk, SUMMARY)


@login_required
@require_POST
def visit_cancel(request, pk):
    visit = activities.get_visit_for_user(request.user, pk)
    try:
        activities.cancel_visit(request.user, visit)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Visit cancelled."))
    return redirect("customers:visit_detail", pk=visit.pk)


@login_required
@require_POST
def visit_review(request, pk):
    visit = activities.get_visit_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("customers:visit_detail", pk=visit.pk)
    try:
        activities.review_visit(request.user, visit, form.cleaned_data["comment"])
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Visit reviewed; %(name)s has been told.") % {"name": visit.visitor.display_name})
    return redirect("customers:visit_detail", pk=visit.pk)


@login_required
def visit_photo(request, pk):
    """The check-in photo, only to those who see the visit (uploads are not served from a public URL)."""
    visit = activities.get_visit_for_user(request.user, pk)
    if not visit.checkin_photo:
        raise Http404
    content_type = mimetypes.guess_type(visit.checkin_photo.name)[0] or "application/octet-stream"
    try:
        handle = visit.checkin_photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, content_type=content_type)
