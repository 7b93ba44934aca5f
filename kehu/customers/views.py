from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kehu.approvals.queries import document_approvals
from kehu.approvals.services import requires_approval
from kehu.core.audit import audit_trail
from kehu.core.forms import all_valid
from kehu.core.limits import selected_ids
from kehu.core.locking import StaleEdit
from kehu.core.security import safe_next
from kehu.core.views import apply_form_errors, require_perm
from kehu.customers import extensions, services
from kehu.customers.forms import (
    ContactForm,
    CustomerForm,
    FirstContactForm,
    HandoverForm,
    MergeForm,
    ShareForm,
    TransferForm,
)
from kehu.customers.models import Contact, Customer, CustomerShare
from kehu.customers.queries import timeline_for
from kehu.customers.resources import CUSTOMERS


def _list_context(request, context):
    user, tab = request.user, context["tab"]
    return {
        "scope": tab,
        "actions_template": "customers/_list_actions.html",
        "empty_template": "customers/_list_empty.html",
        "can_add": user.has_perm("customers.add"),
        "can_export": user.has_perm("customers.export"),
        "can_manage": user.has_perm("customers.manage"),
        "transfer_form": TransferForm() if tab == "all" else None,
    }


customer_list_mine = CUSTOMERS.page_view("mine", _list_context)
customer_list_shared = CUSTOMERS.page_view("shared", _list_context)
customer_list_all = CUSTOMERS.page_view("all", _list_context)


@login_required
def customer_detail(request, pk):
    merged = Customer.objects.filter(pk=pk, status=Customer.Status.MERGED).values_list("merged_into", flat=True)
    if merged and merged[0]:
        customer = Customer.objects.visible_to(request.user).filter(pk=pk).first()
        if customer is not None:
            messages.info(request, _("This customer was merged; showing the customer it was merged into."))
            return redirect("customers:detail", pk=merged[0])
    customer = services.get_customer_for_user(request.user, pk)
    customer = Customer.objects.select_related(
        "owner", "owner_department", "industry", "level", "source", "region", "created_by", "previous_owner"
    ).get(pk=customer.pk)
    can_change = Customer.objects.visible_to(request.user, "change").filter(pk=pk).exists()
    approvals = document_approvals(services.CREATE_DOC, customer.pk)
    context = {
        "approvals": approvals,
        "open_approval": next((a for a in approvals if a["instance"].is_open), None),
        "customer": customer,
        "contacts": customer.contacts.all(),
        "shares": customer.shares.select_related("user", "department", "shared_by"),
        "timeline": timeline_for(customer),
        "trail": audit_trail(customer),
        "can_change": can_change,
        "tab": request.GET.get("tab", "overview"),
    }
    context["added_tabs"] = extensions.tabs_for(request, customer, context["tab"])  # opportunities ...
    context["added_tab"] = next((t for t in context["added_tabs"] if t["key"] == context["tab"]), None)
    return render(request, "customers/customer_detail.html", context)


@login_required
def customer_create(request):
    require_perm(request, "customers", "add")
    form = CustomerForm(request.POST or None)
    contact_form = FirstContactForm(request.POST or None)
    if request.method == "POST" and all_valid(form, contact_form):
        data = {f: form.cleaned_data[f] for f in services.CUSTOMER_FIELDS}
        try:
            customer = services.create_customer(request.user, data, contact_form.contacts())
        except ValidationError as exc:
            errors = exc.message_dict
            contact_errors = errors.pop("contacts", None)
            if contact_errors:
                contact_form.add_error("contact_mobile", contact_errors)
            if errors:
                apply_form_errors(form, ValidationError(errors))
        else:
            if customer.status == Customer.Status.PENDING:
                messages.success(
                    request, _("Customer “%(name)s” saved and submitted for approval.") % {"name": customer.name}
                )
            else:
                messages.success(request, _("Customer “%(name)s” created.") % {"name": customer.name})
            return redirect("customers:detail", pk=customer.pk)
    needs_approval = requires_approval(services.CREATE_DOC)
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "contact_form": contact_form, "needs_approval": needs_approval},
    )


@login_required
@require_POST
def customer_submit(request, pk):
    customer = services.get_customer_for_user(request.user, pk, "change")
    try:
        customer = services.submit_customer(request.user, customer)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if customer.status == Customer.Status.PENDING:
            messages.success(request, _("Submitted for approval."))
        else:
            messages.success(request, _("No approval is required any more: the customer is active."))
    return redirect("customers:detail", pk=pk)


@login_required
def customer_edit(request, pk):
    customer = services.get_customer_for_user(request.user, pk, "change")
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.CUSTOMER_FIELDS}
        try:
            services.update_customer(request.user, customer, data, form.cleaned_data.get("version"))
        except ValidationError as exc:
            apply_form_errors(form, exc)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Customer saved."))
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@login_required
def check_duplicates(request):
    """Live duplicate check while typing a new customer (htmx)."""
    require_perm(request, "customers", "add")
    duplicates = services.find_duplicates(
        request.user,
        name=request.GET.get("name", ""),
        credit_code=request.GET.get("credit_code", ""),
        phones=[request.GET.get("contact_mobile", "")],
        exclude_pk=request.GET.get("exclude") or None,
    )
    return render(request, "customers/_duplicates.html", {"duplicates": duplicates})


@login_required
def contact_edit(request, pk, contact_pk=None):
    customer = services.get_customer_for_user(request.user, pk, "change")
    contact = get_object_or_404(Contact, pk=contact_pk, customer=customer) if contact_pk else None
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.CONTACT_FIELDS}
        try:
            services.save_contact(request.user, customer, contact, data, form.cleaned_data.get("version"))
        except ValidationError as exc:
            errors = exc.message_dict
            if "contacts" in errors:
                errors["mobile"] = errors.pop("contacts")
            apply_form_errors(form, ValidationError(errors))
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Contact saved."))
            return redirect(f"{customer.get_absolute_url()}?tab=contacts")
    return render(request, "customers/contact_form.html", {"form": form, "customer": customer, "contact": contact})


@login_required
@require_POST
def contact_delete(request, pk, contact_pk):
    customer = services.get_customer_for_user(request.user, pk, "change")
    contact = get_object_or_404(Contact, pk=contact_pk, customer=customer)
    services.delete_contact(request.user, contact)
    messages.success(request, _("Contact deleted."))
    return redirect(f"{customer.get_absolute_url()}?tab=contacts")


@login_required
def customer_share(request, pk):
    customer = services.get_customer_for_user(request.user, pk, "change")
    form = ShareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            count = services.share_customer(
                request.user,
                customer,
                users=data["users"],
                departments=data["departments"],
                can_edit=data["can_edit"],
                until=data["until"],
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
        else:
            text = ngettext(
                "Shared with %(count)d colleague or department.",
                "Shared with %(count)d colleagues or departments.",
                count,
            )
            messages.success(request, text % {"count": count})
            return redirect(f"{customer.get_absolute_url()}?tab=shares")
    return render(request, "customers/share_form.html", {"form": form, "customer": customer})


@login_required
@require_POST
def share_end(request, pk, share_pk):
    customer = services.get_customer_for_user(request.user, pk, "change")
    share = get_object_or_404(CustomerShare, pk=share_pk, customer=customer)
    services.end_share(request.user, share)
    messages.success(request, _("Sharing ended."))
    return redirect(f"{customer.get_absolute_url()}?tab=shares")


@login_required
@require_POST
def customer_transfer(request):
    require_perm(request, "customers", "transfer")
    form = TransferForm(request.POST)
    try:
        ids = selected_ids(request.POST.getlist("ids"))
    except ValidationError as exc:
        ids = None
        messages.error(request, exc.messages[0])
    if ids is None:
        pass
    elif not ids:
        messages.error(request, _("Select the customers to transfer first."))
    elif form.is_valid():
        try:
            summary = services.transfer_customers(
                request.user, ids, form.cleaned_data["to_user"], form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if summary.request:
                messages.success(request, _("The transfer was submitted for approval; it happens once approved."))
                return redirect(safe_next(request, "customers:manage"))
            messages.success(
                request,
                ngettext(
                    "%(count)d customer transferred to %(name)s.",
                    "%(count)d customers transferred to %(name)s.",
                    summary.customers,
                )
                % {"count": summary.customers, "name": form.cleaned_data["to_user"].display_name},
            )
    else:
        messages.error(request, _("Choose the new owner."))
    return redirect(safe_next(request, "customers:manage"))


@login_required
def handover(request):
    require_perm(request, "customers", "transfer")
    form = HandoverForm(request.POST or None)
    summary = None
    if request.method == "POST" and form.is_valid():
        try:
            summary = services.hand_over(request.user, form.cleaned_data["leaver"], form.cleaned_data["successor"])
        except ValidationError as exc:
            apply_form_errors(form, exc)
        else:
            if summary.request:
                messages.success(request, _("The handover was submitted for approval; it happens once approved."))
                return redirect("approvals:instance", pk=summary.request_instance_id)
            messages.success(request, _("Handover done."))
    pending = (
        Customer.objects.visible_to(request.user, "change")
        .filter(owner__is_active=False)
        .values("owner__name", "owner_id")
        .annotate(count=Count("id"))
        .order_by("-count")
    )
    return render(request, "customers/handover.html", {"form": form, "summary": summary, "pending": pending})


@login_required
def merge(request):
    require_perm(request, "customers", "manage")
    form = MergeForm(request.POST or request.GET or None)
    preview = None
    confirmed = request.method == "POST" and request.POST.get("confirm")
    if form.is_bound and form.is_valid():
        # Only customers the user may change can be merged; a missing number and one outside that scope get the
        # same answer (a form error on the preview, 404 on a confirmation, which the preview never offered).
        changeable = Customer.objects.visible_to(request.user, "change").exclude(status=Customer.Status.MERGED)
        keep = changeable.filter(number__iexact=form.cleaned_data["keep"].strip()).first()
        duplicate = changeable.filter(number__iexact=form.cleaned_data["duplicate"].strip()).first()
        if confirmed and (keep is None or duplicate is None):
            raise Http404
        if keep is None:
            form.add_error("keep", _("No customer with this number in your scope."))
        if duplicate is None:
            form.add_error("duplicate", _("No customer with this number in your scope."))
        if keep and duplicate:
            preview = {"keep": keep, "duplicate": duplicate}
            if confirmed:
                try:
                    merged = services.merge_customers(request.user, keep, duplicate)
                except ValidationError as exc:
                    apply_form_errors(form, exc)
                else:
                    messages.success(request, _("Merged into %(name)s.") % {"name": merged.name})
                    return redirect("customers:detail", pk=merged.pk)
    return render(request, "customers/merge.html", {"form": form, "preview": preview})
