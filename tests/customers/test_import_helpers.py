"""Helpers of the import/export tests: workbooks built in memory, valid credit codes, reading exports."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from kehu.customers.imports import COLUMNS
from kehu.customers.text import credit_check_char

HEADERS = [c.header for c in COLUMNS]


def credit_code(serial: int) -> str:
    """A valid unified social credit code (GB 32100 check digit) for a serial number."""
    first17 = f"91110108{serial:09d}"
    return first17 + credit_check_char(first17)


def workbook(rows, headers=None) -> bytes:
    """An .xlsx with `headers` (default: the template's) and `rows` (dicts by field, or lists of cells)."""
    headers = headers or HEADERS
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    fields = [c.field for c in COLUMNS]
    for row in rows:
        sheet.append([row.get(f, "") for f in fields] if isinstance(row, dict) else list(row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def upload(rows, headers=None, name="customers.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook(rows, headers))


def read_sheet(content: bytes, index: int = 0) -> list[list]:
    book = load_workbook(BytesIO(content), read_only=True)
    return [list(row) for row in book.worksheets[index].iter_rows(values_only=True)]


def streamed(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content
