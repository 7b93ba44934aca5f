"""Pages of sales targets and the forecast. They read through `queries` / `forecast` and write through
`services`; no rule lives here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core import importing
from kehu.core.listing import CappedPaginator
from kehu.core.locking import StaleEdit
from kehu.core.views import apply_form_errors, require_perm
from kehu.org.models import Department, User
from kehu.org.scope import has_module_perm
from kehu.sales.targets import arithmetic as calc
from kehu.sales.targets import forecast as forecasting
from kehu.sales.targets import imports, queries, services
from kehu.sales.targets.forms import ImportForm, ReportForm, YearTargetsForm
from kehu.sales.targets.resources import TARGETS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

target_list = TARGETS.page_view()


def _subject(request):
    """The department or person the page is about (404 outside the viewer's scope)."""
    if request.GET.get("person"):
        return "person", queries.person_for(request.user, _pk(request.GET["person"]))
    if request.GET.get("department"):
        return "department", queries.department_for(request.user, _pk(request.GET["department"]))
    return queries.default_subject(request.user)


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _not_found():
    raise Http404


def _pk(value) -> int:
    from kehu.core.resources import parse_id

    return parse_id(value)


def _chart(report_, kind) -> dict:
    """The chart's data (rendered with json_script): the subject's target and actual, month by month or by quarter."""
    labels, target, actual = [], [], []
    for label, figures in report_.subject.series(kind):
        labels.append(label)
        target.append(float(figures.target))
        actual.append(float(figures.actual))
    return {
        "labels": labels,
        "target": target,
        "actual": actual,
        "names": [_("Target"), _("Actual")],
        "unit": report_.metric.unit,
    }


@login_required
def targets_page(request):
    """Person / department tree with target, actual, rate, gap and coverage for a month, quarter or year."""
    require_perm(request, "targets", "view")
    form = ReportForm(request.GET or None)
    values = form.values()
    kind, subject = _subject(request)
    report_ = queries.report(
        request.user,
        values["metric"],
        values["year"],
        department=subject if kind == "department" else None,
        person=subject if kind == "person" else None,
        kind=values["kind"],
        index=values["index"],
    )
    query = {k: v for k, v in request.GET.items() if k in ("metric", "year", "kind", "index")}
    can_change = has_module_perm(request.user, "targets", "change")
    return render(
        request,
        "targets/targets.html",
        {
            "form": form,
            "report": report_,
            "values": values,
            "subject_kind": kind,
            "subject": subject,
            "roots": queries.tree_roots(request.user),
            "chart": _chart(report_, "quarter" if values["kind"] == "quarter" else "month"),
            "query": "&".join(f"{k}={v}" for k, v in query.items()),
            "can_change": can_change
            and (
                services.may_set_for(request.user, user=subject)
                if kind == "person"
                else services.may_set_for(request.user, department=subject)
            ),
            "quarters": range(1, 5),
            "months": range(1, 13),
        },
    )


@login_required
def edit_targets(request):
    """Twelve months of one person's or department's targets for a metric and year."""
    require_perm(request, "targets", "change")
    values = ReportForm(request.GET or None).values()
    kind, subject = _subject(request)
    subject_args = {"user": subject} if kind == "person" else {"department": subject}
    if not (services.may_set_for(request.user, **subject_args)):
        raise Http404
    report_ = queries.report(
        request.user,
        values["metric"],
        values["year"],
        department=subject if kind == "department" else None,
        person=subject if kind == "person" else None,
    )
    form = YearTargetsForm(request.POST or None, line=report_.subject)
    back = reverse("targets:page") + f"?metric={values['metric'].key}&year={values['year']}&{kind}={subject.pk}"
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.set_year(
                request.user,
                metric=values["metric"].key,
                year=values["year"],
                amounts=form.amounts(),
                versions=form.versions(),
                **subject_args,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields):
                apply_form_errors(form, exc)
            else:
                form.add_error(None, exc.messages)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Targets saved (%(n)d months changed).") % {"n": changed})
            return redirect(back)
    return render(
        request,
        "targets/edit.html",
        {
            "form": form,
            "values": values,
            "subject": subject,
            "subject_kind": kind,
            "report": report_,
            "back": back,
            "month_fields": [(form[f"m{m}"], m) for m in range(1, 13)],
        },
    )


@login_required
@require_POST
def copy_last_year(request):
    require_perm(request, "targets", "change")
    values = ReportForm(request.POST).values()
    department = queries.department_for(request.user, _pk(request.POST.get("department", "")))
    try:
        result = services.copy_last_year(
            request.user, metric=values["metric"].key, year=values["year"], department=department
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "Copied %(created)d monthly targets from %(last)d; %(kept)d months kept their target, "
                "%(left)d of people who left and %(outside)d outside the department were not copied."
            )
            % {
                "created": result.created,
                "last": values["year"] - 1,
                "kept": result.kept,
                "left": result.left,
                "outside": result.outside,
            },
        )
    return redirect(
        reverse("targets:page") + f"?metric={values['metric'].key}&year={values['year']}&department={department.pk}"
    )


@login_required
def import_template(request):
    require_perm(request, "targets", "change")
    response = HttpResponse(imports.TargetImport(request.user).template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="targets-import-template.xlsx"'
    return response


@login_required
def import_page(request):
    """Upload a workbook: check it, write all rows or only the valid ones (small files: in the request)."""
    require_perm(request, "targets", "change")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.run_import(request.user, form.cleaned_data["file"], mode=form.cleaned_data["mode"])
        except importing.ImportFileError as exc:
            form.add_error("file", str(exc))
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(request, "targets/import.html", {"form": form, "result": result, "columns": imports.COLUMNS})


def forecast_values(params):
    """(year, "month" | "quarter", index) of the forecast; anything else falls back to the current quarter."""
    values = ReportForm(params or None).values()
    kind = values["kind"] if values["kind"] in ("month", "quarter") else "quarter"
    index = values["index"]
    if kind == "quarter" and values["kind"] != "quarter":
        index = calc.quarter_of(timezone.localdate().month) if values["year"] == timezone.localdate().year else 1
    return values["year"], kind, index


def forecast_subject(params):
    """(department, person) the forecast narrows to. Any may be picked: every figure is read through visible_to,
    so a subject outside the scope shows nothing of it (and its target only to those who may see that target)."""
    if params.get("person"):
        return None, User.objects.filter(pk=_pk(params["person"])).first() or _not_found()
    if params.get("department"):
        return Department.objects.filter(pk=_pk(params["department"])).first() or _not_found(), None
    return None, None


@login_required
def forecast_page(request):
    """The weighted forecast of a month or a quarter for a department, a person or the viewer's whole scope."""
    require_perm(request, "opportunities", "view")
    year, kind, index = forecast_values(request.GET)
    department, person = forecast_subject(request.GET)
    result = forecasting.forecast(request.user, year, kind, index, department=department, person=person)
    figure = request.GET.get("figure")
    drill = None
    month = None
    if figure in forecasting.FIGURES:
        month = request.GET.get("month")
        month = int(month) if month and month.isdigit() and int(month) in calc.period_months(kind, index) else None
        rows = forecasting.drill_down(
            request.user, year, kind, index, figure, month=month, department=department, person=person
        )
        drill = CappedPaginator(rows, 50).get_page(request.GET.get("page"))
        drill.object_list = list(drill.object_list)
        for opportunity in drill.object_list:
            opportunity.weighted_amount = (
                calc.weighted(opportunity.amount or 0, opportunity.stage.probability)
                if opportunity.status == "open"
                else None
            )
    subject = "&".join(f"{k}={request.GET[k]}" for k in ("person", "department") if request.GET.get(k))
    names = {"committed": _("Committed"), "weighted": _("Weighted pipeline"), "best_case": _("Best case")}
    return render(
        request,
        "targets/forecast.html",
        {
            "forecast": result,
            "year": year,
            "kind": kind,
            "index": index,
            "department": department,
            "person": person,
            "figure": figure if drill is not None else None,
            "drill": drill,
            "month": month,
            "subject_query": subject,
            "roots": queries.tree_roots(request.user),
            "years": ReportForm().fields["year"].choices,
            "index_choices": [(q, f"Q{q}") for q in range(1, 5)]
            if kind == "quarter"
            else [(m, _("Month %(m)s") % {"m": m}) for m in range(1, 13)],
            "figure_label": names.get(figure, ""),
            "drill_query": _without_page(request),
            "page_sizes": [50],
            "size": 50,
            "figure_names": names,
        },
    )
