"""Pages and API of the Excel import and export of customers (the work is in `imports`, `exports` and the core
job services `kehu.core.filejobs`). A job belongs to whoever started it: anyone else gets 404."""

from tempfile import TemporaryFile

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from kehu.core import filejobs, importing
from kehu.core.api import ErrorDetailSerializer, ErrorSerializer
from kehu.core.forms import StyledForm
from kehu.core.models import FileJob
from kehu.core.views import require_perm
from kehu.customers import exports, imports
from kehu.customers.resources import CUSTOMERS
from kehu.org.forms import PersonChoiceField
from kehu.org.models import User
from kehu.org.scope import has_module_perm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_SHOWN = 200  # rows of the error table on the page; the error report has them all


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ImportForm(StyledForm):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    owner = PersonChoiceField(label=gettext_lazy("Owner of the imported customers"), required=False)

    def __init__(self, *args, can_choose_owner=False, **kwargs):
        super().__init__(*args, **kwargs)
        if can_choose_owner:
            self.fields["owner"].empty_label = gettext_lazy("Me")
        else:
            del self.fields["owner"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Upload an Excel workbook (.xlsx); download the template if unsure."))
        if upload.size > importing.MAX_FILE_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": importing.MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload


# --- pages ------------------------------------------------------------------------------------
@login_required
def import_template(request):
    require_perm(request, "customers", "add")
    return _xlsx_response(imports.CustomerImport(request.user).template(), "customers-import-template.xlsx")


@login_required
def import_upload(request):
    """Step 1: upload a workbook; every row is checked and nothing is written yet."""
    require_perm(request, "customers", "add")
    can_choose_owner = has_module_perm(request.user, "customers", "transfer")
    form = ImportForm(request.POST or None, request.FILES or None, can_choose_owner=can_choose_owner)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        owner = form.cleaned_data.get("owner") or request.user
        try:
            job = filejobs.start_import(request.user, "customers", upload, owner=owner)
        except ValidationError as exc:
            form.add_error("owner" if "owner" in form.fields else None, exc.messages)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("customers:import_job", pk=job.pk)
    return render(
        request,
        "customers/import_upload.html",
        {
            "form": form,
            "recent": filejobs.recent_imports(request.user, "customers"),
            "threshold": importing.BACKGROUND_ROWS,
            "columns": imports.COLUMNS,
        },
    )


def _job_context(request, job: FileJob) -> dict:
    errors = job.errors[:ERRORS_SHOWN] if job.kind == FileJob.Kind.IMPORT else []
    return {
        "job": job,
        "progress": filejobs.read_progress(job) if job.running else None,
        "errors": errors,
        "more_errors": len(job.errors) > len(errors) or len(job.errors) >= importing.MAX_STORED_ERRORS,
        "can_write": job.status == FileJob.Status.VALIDATED and job.valid > 0,
    }


@login_required
def import_job(request, pk):
    """A job's page: the progress bar while it runs (polled every second), then counts, the error table and
    the choice of how to write (imports), or the download link (exports)."""
    job = filejobs.get_job_for_user(request.user, pk)
    return render(request, "customers/import_job.html", _job_context(request, job))


@login_required
def import_job_progress(request, pk):
    job = filejobs.get_job_for_user(request.user, pk)
    response = render(request, "customers/import_progress.html", _job_context(request, job))
    if not job.running and request.GET.get("was") == "running":
        response["HX-Refresh"] = "true"  # the job ended: show the whole page with its outcome
    return response


@login_required
@require_POST
def import_job_run(request, pk):
    """Step 2: write — all-or-nothing ("all", only when no row has an error) or only the valid rows."""
    filejobs.write_import(request.user, pk, request.POST.get("mode"))
    return redirect("customers:import_job", pk=pk)


@login_required
def import_job_errors(request, pk):
    job = filejobs.get_job_for_user(request.user, pk, FileJob.Kind.IMPORT)
    if not job.error_report:
        raise Http404
    return FileResponse(job.error_report.open("rb"), as_attachment=True, filename=f"import-{job.pk}-errors.xlsx")


@login_required
def export_download(request, pk):
    job = filejobs.get_job_for_user(request.user, pk, FileJob.Kind.EXPORT)
    if job.status != FileJob.Status.DONE or not job.result:
        raise Http404
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=f"customers-export-{job.pk}.xlsx")


@login_required
def export_list(request):
    """The current list as .xlsx (same scope, filters and sort); more than exports.BACKGROUND_ROWS rows are
    written by a background task, with a progress bar and a download link when done."""
    require_perm(request, "customers", "export")
    scope = request.GET.get("scope", "mine")
    params = request.GET.copy()
    params.pop("scope", None)
    params.pop("page", None)
    queryset = exports.export_queryset(request.user, params, scope)
    count = queryset.count()
    if count > exports.BACKGROUND_ROWS:
        job = filejobs.start_export(request.user, "customers", {"scope": scope, "query": params.urlencode()}, count)
        return redirect("customers:import_job", pk=job.pk)
    out = TemporaryFile()
    exports.write_export(queryset, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=exports.export_file_name(), content_type=XLSX)


# --- API --------------------------------------------------------------------------------------
class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    mode = serializers.ChoiceField(choices=importing.MODES, default="validate")
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    field = serializers.CharField()
    column = serializers.CharField()
    message = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    mode = serializers.CharField()
    total = serializers.IntegerField()
    valid = serializers.IntegerField()
    invalid = serializers.IntegerField()
    created = serializers.IntegerField()
    written = serializers.BooleanField()
    errors = RowErrorSerializer(many=True)
    errors_truncated = serializers.BooleanField()


class ImportRefusedSerializer(ImportResultSerializer):
    """Nothing was written: the result, with the error that says why."""

    error = ErrorDetailSerializer()


@extend_schema(
    request={"multipart/form-data": ImportRequestSerializer},
    responses={
        200: ImportResultSerializer,
        201: ImportResultSerializer,
        400: PolymorphicProxySerializer(
            component_name="ImportRefused",
            serializers=[ImportRefusedSerializer, ErrorSerializer],
            resource_type_field_name=None,
        ),
    },
    description=(
        "Import customers from an .xlsx file (the template's columns). `mode=validate` checks every row and "
        "writes nothing (200); `all` writes every row or, when any row has an error, nothing (201 / 400); "
        "`valid_only` writes the rows without errors (201, or 400 when none is valid). Row errors come with "
        "their row number, column and message in the caller's language (the first 1,000)."
    ),
)
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
def import_api(request):
    serializer = ImportRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    try:
        result = imports.run_import(request.user, data["file"], mode=data["mode"], owner=data.get("owner"))
    except importing.ImportFileError as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    body = result.as_dict()
    if data["mode"] == "validate":
        return Response(body, status=status.HTTP_200_OK)
    if not result.written:
        body["error"] = {
            "code": "invalid_rows",
            "message": _("Nothing was imported: correct the rows with errors.")
            if result.invalid
            else _("The file has no rows to import."),
            "fields": {},
        }
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "scope",
            str,
            enum=[tab.key for tab in CUSTOMERS.tabs],
            description="mine (default) | shared | all (needs transfer)",
        ),
        OpenApiParameter("q", str),
        OpenApiParameter("industry", int),
        OpenApiParameter("level", int),
        OpenApiParameter("source", int),
        OpenApiParameter("region", int),
        OpenApiParameter("owner", int),
        OpenApiParameter("status", str),
        OpenApiParameter("tag", str),
        OpenApiParameter("sort", str),
    ],
    responses={(200, XLSX): bytes},
    description="The customer list with the same scope and filters as GET /api/customers/, as an .xlsx file.",
)
@api_view(["GET"])
def export_api(request):
    params = request.query_params.copy()
    scope = params.pop("scope", ["mine"])[-1]  # the same default list as the API and the page
    queryset = exports.export_queryset(request.user, params, scope)
    out = TemporaryFile()
    exports.write_export(queryset, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=exports.export_file_name(), content_type=XLSX)
