"""Import and export pages of opportunities (the work is in `imports` and `exports`). An import file is checked
and written in the request; "validate" writes nothing, "all" all rows or none, "valid_only" the valid rows."""

from tempfile import TemporaryFile

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import importing
from kehu.core.forms import StyledForm
from kehu.core.views import require_perm
from kehu.sales import exports, imports

XLSX = exports.XLSX


class ImportForm(StyledForm):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("What to do"),
        choices=[
            ("validate", gettext_lazy("Only check the file")),
            ("all", gettext_lazy("Import all rows, or none when a row has an error")),
            ("valid_only", gettext_lazy("Import the rows without errors")),
        ],
        initial="validate",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Upload an Excel workbook (.xlsx); download the template if unsure."))
        if upload.size > importing.MAX_FILE_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": importing.MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload


@login_required
def import_template(request):
    require_perm(request, "opportunities", "add")
    response = HttpResponse(imports.OpportunityImport(request.user).template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="opportunities-import-template.xlsx"'
    return response


@login_required
def import_upload(request):
    require_perm(request, "opportunities", "add")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.run_import(request.user, form.cleaned_data["file"], mode=form.cleaned_data["mode"])
        except importing.ImportFileError as exc:
            form.add_error("file", str(exc))
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(request, "sales/import.html", {"form": form, "result": result, "columns": imports.COLUMNS})


@login_required
def export_list(request):
    """The current list (same tab, filters and sort) as .xlsx."""
    require_perm(request, "opportunities", "export")
    params = request.GET.copy()
    scope = params.pop("scope", ["mine"])[-1]
    params.pop("page", None)
    queryset = exports.export_queryset(request.user, params, scope)
    out = TemporaryFile()
    exports.write_export(queryset, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=exports.export_file_name(), content_type=XLSX)
