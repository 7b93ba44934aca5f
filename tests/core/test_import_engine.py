"""The generic import engine (`kehu.core.importing`) with a resource that is not customers: values of a
dictionary. It proves what every module gets from declaring columns, a row check and a writer: headers in
either language, per-row errors before anything is written, the three modes, history rows through the one bulk
path, the error report, and background-capable jobs owned by their creator."""

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext_noop as N_
from openpyxl import Workbook, load_workbook

from kehu.core import filejobs, importing
from kehu.core.bulk import db_timestamp, insert_created
from kehu.core.models import Dictionary, DictionaryItem, FileJob
from kehu.org.scope import has_module_perm

pytestmark = pytest.mark.django_db


@importing.register("tests.dictionary_values")
class ValueImport(importing.Importer):
    """Values of the "industry" dictionary: code, Chinese and English label; codes unique in the file."""

    columns = (
        importing.Column("code", "编码", N_("Code"), required=True, max_length=40),
        importing.Column("label_zh", "中文名称", N_("Chinese label"), ("label",), max_length=60),
        importing.Column("label_en", "英文名称", N_("English label"), max_length=60),
    )
    sheet_title = "Values"

    def check(self):
        if not has_module_perm(self.actor, "customers", "manage"):
            raise PermissionDenied("only sales operations")

    def clean_row(self, number, values):
        errors = []
        self.clean_lengths(number, values, errors)
        if not values["code"].isascii():
            errors.append(self.error(number, "code", "letters and digits only"))
        return values, errors

    def check_rows(self, rows, errors):
        seen = {}
        for number, clean in rows:
            first = seen.setdefault(clean["code"], number)
            if first != number:
                errors.setdefault(number, []).append(self.error(number, "code", f"same code as row {first}"))

    def write_rows(self, rows, progress):
        dictionary = Dictionary.objects.get(code="industry")
        stamp = db_timestamp(timezone.now())
        records = [
            {**row, "dictionary_id": dictionary.pk, "updated_at": stamp, "updated_by_id": self.actor.pk} for row in rows
        ]
        return len(insert_created(DictionaryItem, records, actor=self.actor, reason="imported", stamp=stamp))


def sheet(rows, headers=("编码", "中文名称", "英文名称")) -> SimpleUploadedFile:
    book = Workbook()
    book.active.append(list(headers))
    for row in rows:
        book.active.append(list(row))
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile("values.xlsx", out.getvalue())


@pytest.fixture
def admin(org):
    return org.admin


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_the_template_has_the_headers_with_their_english_names(admin):
    book = load_workbook(BytesIO(ValueImport(admin).template()))
    first = book.worksheets[0]
    assert [c.value for c in first[1]] == ["编码*", "中文名称", "英文名称"]
    assert [c.comment.text for c in first[1]] == ["Code", "Chinese label", "English label"]
    assert book.sheetnames == ["Values", "Allowed values"]


def test_english_headers_in_any_order_and_aliases_are_read(admin):
    rows = list(ValueImport(admin).read(sheet([["软件", "software"]], headers=("Label", "code"))))
    assert rows == [(2, ["software", "软件", ""])]


def test_a_file_without_a_required_column_is_refused(admin):
    with pytest.raises(importing.ImportFileError, match="the column “编码\\*” is missing"):
        list(ValueImport(admin).read(sheet([["软件"]], headers=("中文名称",))))


def test_all_or_nothing_writes_nothing_when_a_row_has_an_error(admin):
    before = DictionaryItem.objects.count()
    result = ValueImport(admin).run(sheet([["soft", "软件"], ["soft", "软件二"], ["硬件", "硬件"]]), mode="all")
    assert (result.total, result.valid, result.invalid, result.created) == (3, 1, 2, 0)
    assert [(e.row, e.field, e.column, e.message) for e in result.errors] == [
        (3, "code", "Code", "same code as row 2"),
        (4, "code", "Code", "letters and digits only"),
    ]
    assert DictionaryItem.objects.count() == before
    report = load_workbook(BytesIO(ValueImport(admin).error_report(result))).worksheets[0]
    assert [[c.value for c in row] for row in report.iter_rows(min_row=2)] == [
        [3, "soft", "软件二", None, "Code: same code as row 2"],
        [4, "硬件", "硬件", None, "Code: letters and digits only"],
    ]


def test_valid_only_writes_the_valid_rows_with_their_created_history(admin):
    result = ValueImport(admin).run(sheet([["soft", "软件", "Software"], ["硬件", "硬件"]]), mode="valid_only")
    assert (result.valid, result.invalid, result.created) == (1, 1, 1)
    item = DictionaryItem.objects.get(code="soft")
    assert (item.dictionary.code, item.label_zh, item.label_en, item.version) == ("industry", "软件", "Software", 1)
    [record] = item.history.all()
    assert (record.history_type, record.history_user, record.history_change_reason) == ("+", admin, "imported")
    assert (record.code, record.label_zh) == ("soft", "软件")


def test_the_importers_check_runs_before_any_row(org):
    with pytest.raises(PermissionDenied):
        ValueImport(org.rep).run(sheet([["x", "x"]]), mode="all")


def test_a_job_is_checked_then_written_and_only_its_creator_reaches_it(admin, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = filejobs.start_import(admin, "tests.dictionary_values", sheet([["soft", "软件"], ["硬件", "硬件"]]))
    job.refresh_from_db()
    assert (job.resource, job.status, job.total, job.valid, job.invalid) == (
        "tests.dictionary_values",
        "validated",
        2,
        1,
        1,
    )
    # a job runs in the language of the request that started it (English here, though the creator's saved
    # language is the default Chinese): issue 10 item 8
    assert job.errors == [{"row": 3, "field": "code", "column": "Code", "message": "letters and digits only"}]
    assert job.error_report
    with pytest.raises(Http404):
        filejobs.write_import(org.rep, job.pk, "valid_only")
    assert filejobs.write_import(admin, job.pk, "all") is False  # a row has an error: all-or-nothing refuses
    assert filejobs.write_import(admin, job.pk, "valid_only") is True
    job.refresh_from_db()
    assert (job.status, job.mode, job.created) == (FileJob.Status.DONE, "valid_only", 1)
    assert filejobs.write_import(admin, job.pk, "valid_only") is False  # written once, not twice
    assert DictionaryItem.objects.filter(code="soft").count() == 1
