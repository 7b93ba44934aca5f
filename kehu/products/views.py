"""Pages of products and stock. Lists come from the declared resources; every write calls a service."""

import mimetypes

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
from kehu.products import documents, services
from kehu.products.costs import COST_FIELDS, can_see_costs
from kehu.products.forms import (
    LINE_ROWS,
    CancelForm,
    CategoryForm,
    PictureForm,
    ProductForm,
    StockDocumentForm,
    StockInForm,
)
from kehu.products.models import Category, Product, ProductPicture, Stock, StockIn, StockMove, Stocktake
from kehu.products.resources import MOVES, PRICE_LISTS, PRODUCTS, STOCK, STOCK_INS, STOCKTAKES, WAREHOUSES
from kehu.products.text import sku_key

product_list = PRODUCTS.page_view()
price_lists = PRICE_LISTS.page_view()
warehouse_list = WAREHOUSES.page_view()
stock_list = STOCK.page_view("all")
low_stock = STOCK.page_view("low")
stock_in_list = STOCK_INS.page_view()
stocktake_list = STOCKTAKES.page_view()


def _ledger_extra(request, context):
    product_id = request.GET.get("product", "")
    product = Product.objects.visible_to(request.user).filter(pk=product_id).first() if product_id.isdigit() else None
    return {"ledger_product": product, "title": f"{_('Stock ledger')} · {product}" if product else context["title"]}


ledger = MOVES.page_view(extra=_ledger_extra)


# --- products --------------------------------------------------------------------------------------------------
@login_required
def product_detail(request, pk):
    product = PRODUCTS.get_for_user(request.user, pk)
    stocks = Stock.objects.visible_to(request.user).filter(product=product).select_related("warehouse")
    return render(
        request,
        "products/product_detail.html",
        {
            "product": product,
            "pictures": list(product.pictures.all()),
            "stocks": list(stocks.order_by("warehouse__code")),
            "can_see_costs": can_see_costs(request.user),
            "can_change": request.user.has_perm("products.change"),
            "picture_form": PictureForm(),
            "trail": audit_trail(product, hidden=() if can_see_costs(request.user) else COST_FIELDS),
            "recent_moves": list(
                StockMove.objects.visible_to(request.user)
                .filter(product=product)
                .select_related("warehouse")
                .order_by("-id")[:10]
            ),
        },
    )


def _product_data(form) -> dict:
    data = dict(form.cleaned_data)
    data["category"] = data["category"].pk if data.get("category") else None
    return data


@login_required
def product_create(request):
    require_perm(request, "products", "add")
    form = ProductForm(request.POST or None, user=request.user, initial={"tax_rate": "0.13", "unit": "个"})
    if request.method == "POST" and form.is_valid():
        try:
            product = services.create_product(request.user, _product_data(form))
        except ValidationError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("Product %(sku)s added.") % {"sku": product.sku})
            return redirect("products:detail", pk=product.pk)
    return render(request, "products/product_form.html", {"form": form, "product": None})


@login_required
def product_edit(request, pk):
    product = PRODUCTS.get_for_user(request.user, pk, "change")
    initial = {name: getattr(product, name) for name in services.PRODUCT_FIELDS}
    initial["category"], initial["version"] = product.category_id, product.version
    form = ProductForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = _product_data(form)
        try:
            services.update_product(request.user, product.pk, data, data.pop("version", None))
        except ValidationError as exc:
            apply_form_errors(form, exc)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("products:detail", pk=product.pk)
    return render(request, "products/product_form.html", {"form": form, "product": product})


@login_required
@require_POST
def picture_add(request, pk):
    product = PRODUCTS.get_for_user(request.user, pk, "change")
    form = PictureForm(request.POST, request.FILES)
    try:
        services.add_picture(request.user, product, request.FILES.get("picture") if form.is_valid() else None)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Picture added."))
    return redirect("products:detail", pk=product.pk)


@login_required
def picture_file(request, pk, size):
    """A picture or its thumbnail, only to those who may see products (uploads are not public)."""
    picture = ProductPicture.objects.filter(pk=pk, product__in=Product.objects.visible_to(request.user)).first()
    if picture is None or size not in ("full", "thumb"):
        raise Http404
    stored = picture.image if size == "full" else picture.thumbnail
    content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    try:
        return FileResponse(stored.open("rb"), content_type=content_type)
    except FileNotFoundError:
        raise Http404 from None


@login_required
def categories(request):
    require_perm(request, "products", "view")
    form = CategoryForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, "products", "manage")
        if form.is_valid():
            try:
                services.create_category(
                    request.user, name=form.cleaned_data["name"], parent=form.cleaned_data["parent"]
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("Category added."))
                return redirect("products:categories")
    return render(
        request,
        "products/categories.html",
        {
            "nodes": Category.objects.order_by("path"),
            "form": form,
            "can_manage": request.user.has_perm("products.manage"),
        },
    )


@login_required
def price_list_detail(request, pk):
    price_list = PRICE_LISTS.get_for_user(request.user, pk)
    items = price_list.items.select_related("product").order_by("product__sku")
    return render(request, "products/price_list_detail.html", {"price_list": price_list, "items": items})


# --- stock-ins and stocktakes ---------------------------------------------------------------------------------
def _posted_lines(request, fields) -> list[dict]:
    """The lines of a document form (`line-N-<field>`), blank rows skipped; a product may be typed as its SKU."""
    count = min(
        int(request.POST.get("line_count", LINE_ROWS)) if request.POST.get("line_count", "").isdigit() else LINE_ROWS,
        1000,
    )
    lines = []
    for n in range(count):
        line = {field: request.POST.get(f"line-{n}-{field}", "").strip() for field in fields}
        if not any(line.values()):
            continue
        typed = line["product"]
        if typed and not typed.isdigit():
            found = Product.objects.filter(sku_key=sku_key(typed)).values_list("pk", flat=True).first()
            line["product"] = str(found) if found else typed
        lines.append(line)
    return lines


def _rows(lines, fields) -> list[dict]:
    rows = [{field: line.get(field, "") for field in fields} for line in lines]
    return rows + [dict.fromkeys(fields, "") for _n in range(max(0, LINE_ROWS - len(rows)))]


@login_required
def stock_in_add(request):
    require_perm(request, "products", "stock")
    fields = (
        ["product", "quantity", "unit_cost", "batch"]
        if can_see_costs(request.user)
        else ["product", "quantity", "batch"]
    )
    form = StockInForm(request.POST or None, user=request.user)
    lines = _posted_lines(request, fields) if request.method == "POST" else []
    line_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            stock_in = documents.create_stock_in(
                request.user,
                warehouse=form.cleaned_data["warehouse"],
                lines=lines,
                supplier=form.cleaned_data["supplier"],
                note=form.cleaned_data["note"],
            )
            if "submit" in request.POST:
                stock_in = documents.submit(request.user, StockIn, stock_in.pk)
        except ValidationError as exc:
            line_errors = exc.message_dict.get("lines", []) if hasattr(exc, "error_dict") else []
            apply_form_errors(
                form,
                ValidationError({k: v for k, v in exc.message_dict.items() if k != "lines"})
                if hasattr(exc, "error_dict")
                else exc,
            )
        else:
            messages.success(request, _("Stock-in %(number)s saved.") % {"number": stock_in.number})
            return redirect("products:stock_in_detail", pk=stock_in.pk)
    return render(
        request,
        "products/stock_in_form.html",
        {"form": form, "rows": _rows(lines, fields), "fields": fields, "line_errors": line_errors},
    )


def _document_context(request, document, key):
    from kehu.approvals.models import FlowInstance

    instances = FlowInstance.objects.filter(doc_type=key, object_id=document.pk).order_by("-id")
    return {
        "document": document,
        "lines": list(document.lines.select_related("product")),
        "can_see_costs": can_see_costs(request.user),
        "can_submit": document.status == "draft"
        and type(document).objects.visible_to(request.user, "stock").filter(pk=document.pk).exists(),
        "approvals": list(instances),
        "moves": list(
            StockMove.objects.filter(document_type=document._meta.label_lower, document_id=document.pk)
            .select_related("product")
            .order_by("id")
        ),
        "trail": audit_trail(document),
    }


@login_required
def stock_in_detail(request, pk):
    stock_in = STOCK_INS.get_for_user(request.user, pk)
    context = _document_context(request, stock_in, documents.STOCK_IN_DOC)
    context["can_cancel"] = stock_in.status == "approved" and documents.may_cancel(request.user)
    context["cancel_form"] = CancelForm()
    return render(request, "products/stock_in_detail.html", context)


@login_required
@require_POST
def stock_in_submit(request, pk):
    require_perm(request, "products", "stock")
    stock_in = STOCK_INS.get_for_user(request.user, pk)
    try:
        stock_in = documents.submit(request.user, StockIn, stock_in.pk)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if stock_in.status == "approved":
            messages.success(request, _("Posted: the stock has risen."))
        else:
            messages.success(request, _("Submitted for approval."))
    return redirect("products:stock_in_detail", pk=stock_in.pk)


@login_required
@require_POST
def stock_in_cancel(request, pk):
    require_perm(request, "products", "manage")
    stock_in = STOCK_INS.get_for_user(request.user, pk)
    form = CancelForm(request.POST)
    try:
        documents.cancel_stock_in(request.user, stock_in.pk, form.data.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Cancelled: reversing entries were posted."))
    return redirect("products:stock_in_detail", pk=stock_in.pk)


@login_required
def stocktake_add(request):
    require_perm(request, "products", "stock")
    fields = ["product", "counted"]
    form = StockDocumentForm(request.POST or None, user=request.user)
    lines = _posted_lines(request, fields) if request.method == "POST" else []
    line_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            stocktake = documents.create_stocktake(
                request.user, warehouse=form.cleaned_data["warehouse"], lines=lines, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            line_errors = exc.message_dict.get("lines", []) if hasattr(exc, "error_dict") else exc.messages
        else:
            messages.success(request, _("Stocktake %(number)s saved.") % {"number": stocktake.number})
            return redirect("products:stocktake_detail", pk=stocktake.pk)
    return render(
        request,
        "products/stocktake_form.html",
        {"form": form, "rows": _rows(lines, fields), "fields": fields, "line_errors": line_errors},
    )


@login_required
def stocktake_detail(request, pk):
    stocktake = STOCKTAKES.get_for_user(request.user, pk)
    return render(
        request, "products/stocktake_detail.html", _document_context(request, stocktake, documents.STOCKTAKE_DOC)
    )


@login_required
@require_POST
def stocktake_submit(request, pk):
    require_perm(request, "products", "stock")
    stocktake = STOCKTAKES.get_for_user(request.user, pk)
    try:
        stocktake = documents.submit(request.user, Stocktake, stocktake.pk)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied:
        raise
    else:
        messages.success(
            request, _("Submitted.") if stocktake.status == "pending" else _("Posted: the differences are adjusted.")
        )
    return redirect("products:stocktake_detail", pk=stocktake.pk)
