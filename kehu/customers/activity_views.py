"""Pages of follow-ups (跟进记录) and visits (客户拜访). Every change goes through `activities.py`; records outside
the user's scope answer 404, refused actions come back with a message saying why."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core.listing import paginate
from kehu.core.views import apply_form_errors, require_perm
from kehu.customers import activities
from kehu.customers.activity_forms import (
    FOLLOWUP_SORTS,
    VISIT_BOXES,
    CheckInForm,
    FollowUpFilter,
    FollowUpForm,
    ReviewForm,
    SummaryForm,
    VisitFilter,
    VisitPlanForm,
    authors_in_scope,
    followups_for,
    reviews_anyone,
    to_review_for,
    visits_for,
)
from kehu.customers.models import FollowUp, Visit
from kehu.customers.queries import open_next_steps_for
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
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("customers:next_steps")


@login_required
def followup_list(request):
    require_perm(request, "customers", "view")
    base = followups_for(request.user)
    filters = FollowUpFilter(request.GET or None, queryset=base)
    queryset = filters.qs if filters.is_bound and filters.is_valid() else base
    page, listing = paginate(request, queryset, FOLLOWUP_SORTS, default_sort="-when")
    context = {
        **listing,
        "filters": filters,
        "authors": authors_in_scope(request.user),
        "kinds": FollowUp.Kind.choices,
        "today": _today(),
        "filtered": any(v for k, v in request.GET.items() if k not in {"page", "size", "sort"}),
    }
    return render(request, "customers/followup_list.html", context)


@login_required
def next_steps(request):
    require_perm(request, "customers", "view")
    page, listing = paginate(request, open_next_steps_for(request.user))
    return render(request, "customers/followup_next_steps.html", {**listing, "today": _today()})


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


@login_required
def visit_list(request):
    require_perm(request, "customers", "view")
    can_review = reviews_anyone(request.user)
    boxes = {key: label for key, label in VISIT_BOXES.items() if key != "review" or can_review}
    box = request.GET.get("box") or "upcoming"
    if box not in boxes:
        box = "upcoming"
    base = visits_for(request.user, box)
    filters = VisitFilter(request.GET or None, queryset=base) if box == "all" else None
    queryset = filters.qs if filters is not None and filters.is_bound and filters.is_valid() else base
    page, listing = paginate(request, queryset)
    context = {
        **listing,
        "box": box,
        "boxes": boxes,
        "filters": filters,
        "statuses": Visit.Status.choices,
        "review_count": to_review_for(request.user).count() if can_review else 0,
    }
    return render(request, "customers/visit_list.html", context)


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


def _visit_step(request, pk, *, form_class, status, template, act, done: str):
    """One of the visitor's steps on their visit (check in, summary): the form on GET, the service on POST.
    A refusal that is not about a field the user sees (not the visitor, the visit moved on, a bad location
    from the page's script) goes back to the visit with the message; field errors stay on the form."""
    visit = activities.get_visit_for_user(request.user, pk)
    if request.method != "POST":
        if visit.visitor_id != request.user.pk or visit.status != status:
            return redirect("customers:visit_detail", pk=visit.pk)
        form = form_class()
    else:
        form = form_class(request.POST, request.FILES)
        shown = {field.name for field in form.visible_fields()}
        if not form.is_valid():
            if set(form.errors) - shown:
                _refused(request, ValidationError([e for errors in form.errors.values() for e in errors]))
                return redirect("customers:visit_detail", pk=visit.pk)
        else:
            try:
                act(visit, form.cleaned_data)
            except ValidationError as exc:
                fields = set(exc.message_dict) if hasattr(exc, "error_dict") else set()
                if not fields or fields - shown:
                    _refused(request, exc)
                    return redirect("customers:visit_detail", pk=visit.pk)
                apply_form_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect("customers:visit_detail", pk=visit.pk)
    return render(request, template, {"form": form, "visit": visit, "customer": visit.customer})


@login_required
def visit_check_in(request, pk):
    def act(visit, data):
        activities.check_in(
            request.user,
            visit,
            latitude=data["latitude"],
            longitude=data["longitude"],
            accuracy=data["accuracy"],
            photo=data["photo"],
        )

    return _visit_step(
        request,
        pk,
        form_class=CheckInForm,
        status=Visit.Status.PLANNED,
        template="customers/visit_checkin.html",
        act=act,
        done=_("Checked in."),
    )


@login_required
def visit_summary(request, pk):
    def act(visit, data):
        activities.write_summary(
            request.user, visit, data["summary"], next_step=data["next_step"], next_step_due=data["next_step_due"]
        )

    return _visit_step(
        request,
        pk,
        form_class=SummaryForm,
        status=Visit.Status.CHECKED_IN,
        template="customers/visit_summary.html",
        act=act,
        done=_("Visit summary saved; it is in the customer's follow-ups."),
    )


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
