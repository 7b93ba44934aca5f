"""Pages and API of the Excel import and export of products (the work is in `imports` and `exports`).

The import is checked first and nothing is written ("validate"); then "all" writes every row or none, "valid_only"
the rows without errors. A catalogue is small next to a customer base, so the import runs in the request."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from kehu.core import importing
from kehu.core.forms import StyledForm
from kehu.core.views import require_perm
from kehu.products import exports, imports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_SHOWN = 200


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ImportForm(StyledForm):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("What to do"),
        choices=[
            ("validate", gettext_lazy("Check only (nothing is written)")),
            ("all", gettext_lazy("Import every row, or none if any has an error")),
            ("valid_only", gettext_lazy("Import the rows without errors")),
        ],
        widget=forms.RadioSelect,
        initial="validate",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Upload an Excel workbook (.xlsx); download the template if unsure."))
        return upload


@login_required
def import_template(request):
    require_perm(request, "products", "add")
    return _xlsx_response(imports.ProductImport(request.user).template(), "products-import-template.xlsx")


@login_required
def import_upload(request):
    require_perm(request, "products", "add")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.run_import(request.user, form.cleaned_data["file"], mode=form.cleaned_data["mode"])
        except importing.ImportFileError as exc:
            form.add_error("file", str(exc))
    return render(
        request,
        "products/import.html",
        {"form": form, "result": result, "errors": result.errors[:ERRORS_SHOWN] if result else []},
    )


@login_required
def export_list(request):
    require_perm(request, "products", "export")
    content, _count = exports.export_products(request.user, request.GET)
    return _xlsx_response(content, exports.export_file_name())


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    mode = serializers.ChoiceField(choices=importing.MODES, default="validate")


@extend_schema(request={"multipart/form-data": ImportUploadSerializer}, responses={200: serializers.DictField()})
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
def import_api(request):
    """Import products from an .xlsx (`mode`: validate | all | valid_only); per-row errors in the answer."""
    require_perm(request, "products", "add")
    upload = ImportUploadSerializer(data=request.data)
    upload.is_valid(raise_exception=True)
    try:
        result = imports.run_import(request.user, upload.validated_data["file"], mode=upload.validated_data["mode"])
    except importing.ImportFileError as exc:
        raise serializers.ValidationError({"file": [str(exc)]}) from None
    return Response(result.as_dict())


@extend_schema(responses={(200, XLSX): bytes})
@api_view(["GET"])
def export_api(request):
    """The product list as .xlsx, with the list's filters (`?q=`, `?category=`, `?status=`, `?sort=`)."""
    require_perm(request, "products", "export")
    content, _count = exports.export_products(request.user, request.query_params)
    return _xlsx_response(content, exports.export_file_name())
