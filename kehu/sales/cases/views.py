"""Pages of the case library; reads through `queries` / the resource, writes through `services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core.audit import audit_trail
from kehu.core.locking import StaleEdit
from kehu.core.views import apply_form_errors, require_perm
from kehu.sales.cases import queries, services
from kehu.sales.cases.forms import AttachmentForm, CaseForm, NewCaseForm
from kehu.sales.cases.models import Case
from kehu.sales.cases.resources import CASES


def hidden_customer(case) -> str:
    industry = case.industry.label if case.industry_id else ""
    return _("A customer in %(industry)s") % {"industry": industry} if industry else _("A customer (hidden)")


def _label_customers(request, context) -> dict:
    """The customer column: the name only where the reader may see that customer."""
    page = context["page"]
    page.object_list = list(page.object_list)
    names = queries.customer_names(request.user, page.object_list)
    for case in page.object_list:
        case.customer_label = names[case.pk] or hidden_customer(case)
    return {}


case_list = CASES.page_view(extra=_label_customers)


@login_required
def case_detail(request, pk):
    case = services.get_case_for_user(request.user, pk)
    name = queries.customer_names(request.user, [case])[case.pk]
    may_change = Case.objects.visible_to(request.user, "change").filter(pk=case.pk).exists()
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "customer_name": name,
            "customer_hidden": hidden_customer(case),
            "can_change": may_change,
            "attachments": case.attachments.all(),
            "trail": audit_trail(case) if may_change else None,
            "attachment_form": AttachmentForm() if may_change else None,
        },
    )


@login_required
def case_create(request):
    """Write up a won opportunity as a draft case: pick one of the won opportunities the user may see that have no
    case yet (`?opportunity=<id>` preselects it)."""
    require_perm(request, "cases", "add")
    choices = queries.writable_opportunities(request.user)
    form = NewCaseForm(
        request.POST or None, opportunities=choices, initial={"opportunity": request.GET.get("opportunity")}
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "opportunity")}
        try:
            case = services.create_case(request.user, opportunity_id=form.cleaned_data["opportunity"].pk, **data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("Case saved as a draft. Publish it when it is ready."))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "opportunity": None, "case": None})


@login_required
def case_edit(request, pk):
    require_perm(request, "cases", "change")
    case = services.get_case_for_user(request.user, pk, "change")
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.update_case(request.user, case.pk, expected_version=form.cleaned_data.get("version"), **data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Case saved."))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "opportunity": case.opportunity, "case": case})


def _version(request):
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


@login_required
@require_POST
def case_publish(request, pk):
    require_perm(request, "cases", "change")
    try:
        services.publish_case(request.user, pk, expected_version=_version(request))
    except (ValidationError, StaleEdit) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("Published: every salesperson can read this case now."))
    return redirect("cases:detail", pk=pk)


@login_required
@require_POST
def case_withdraw(request, pk):
    require_perm(request, "cases", "change")
    try:
        services.withdraw_case(request.user, pk, expected_version=_version(request))
    except (ValidationError, StaleEdit) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("The case is a draft again."))
    return redirect("cases:detail", pk=pk)


@login_required
@require_POST
def case_attach(request, pk):
    require_perm(request, "cases", "change")
    services.get_case_for_user(request.user, pk, "change")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(request.user, pk, form.cleaned_data["file"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("File attached."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("cases:detail", pk=pk)


@login_required
def attachment_download(request, pk, attachment_id):
    require_perm(request, "cases", "view")
    case = services.get_case_for_user(request.user, pk)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@login_required
@require_POST
def attachment_delete(request, pk, attachment_id):
    require_perm(request, "cases", "change")
    try:
        services.remove_attachment(request.user, pk, attachment_id)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("File removed."))
    return redirect("cases:detail", pk=pk)
