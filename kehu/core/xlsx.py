"""Reading and writing .xlsx files for imports and exports, knowing no domain: the one place Kehu touches
openpyxl (tests/core/test_spreadsheet_cells.py checks no other module imports it).

Writing: every workbook Kehu produces — exports, import templates, error reports — is a `Book`, and every cell
goes through `cell_value`: text stays text, and text starting with `= + - @`, a tab or a carriage return is
prefixed with an apostrophe as OWASP recommends against formula injection (CSV/formula injection), so a
customer named `=HYPERLINK(…)` is never a live formula; only values Kehu itself typed as numbers, dates or
booleans are written as such. Characters a workbook cannot hold are dropped (text typed before
`kehu.core.textinput` refused them), so one bad record cannot break an export.

Reading: openpyxl's read-only mode reads about 3,000 rows of 14 columns a second, more than a whole import may
take (issue 3: 2,000 rows/s all in). Cell values are all an import needs, so `sheet_rows` streams the first
sheet's XML with the C parser of the standard library instead (about 10× faster); a number cell formatted as a
date is read as that date.
"""

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from xml.etree import ElementTree
from zipfile import ZipFile

from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel
from openpyxl.worksheet.datavalidation import DataValidation

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8F0FE")
REQUIRED_FONT = Font(bold=True, color="C4282D")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP: a cell starting with one of these may be run


# --- writing ----------------------------------------------------------------------------------------
def safe_text(text: str) -> str:
    """Text as a spreadsheet cell holds it: never a formula (an apostrophe before `= + - @`, tab, CR) and
    without the characters a workbook cannot hold."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def cell_value(value):
    """The value Kehu writes for `value`: numbers, dates and booleans Kehu typed stay typed (aware datetimes in
    local time), everything else is `safe_text`."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date | time | timedelta):
        return value
    return safe_text(str(value))


def unquote(text: str) -> str:
    """A cell Kehu wrote back as it was typed: the apostrophe `safe_text` added is dropped (so an exported file
    imports as it was)."""
    return text[1:] if text.startswith("'") and text[1:2] and text[1:2] in "=+-@\t\r" else text


class Sheet:
    """One sheet of a `Book`; rows are appended with `append` (each value through `cell_value`)."""

    def __init__(self, book: "Book", worksheet):
        self.book = book
        self.worksheet = worksheet

    @property
    def title(self) -> str:
        return self.worksheet.title

    def append(self, values: Iterable, *, font: Font | None = None) -> None:
        values = [cell_value(v) for v in values]
        if font is not None and self.book.write_only:
            cells = []
            for value in values:
                cell = WriteOnlyCell(self.worksheet, value=value)
                cell.font = font
                cells.append(cell)
            values = cells
        self.worksheet.append(values)
        if font is not None and not self.book.write_only:
            for cell in self.worksheet[self.worksheet.max_row]:
                cell.font = font

    def header(self, headers: Sequence[str], required: Iterable[int] = (), widths: Iterable[int] = ()) -> None:
        """Row 1: bold headers (required ones, by 1-based position, in red), the column widths, frozen below."""
        if self.book.write_only:
            self.append(headers, font=HEADER_FONT)
            return
        required = set(required)
        self.append(headers)
        for index, _header in enumerate(headers, start=1):
            cell = self.worksheet.cell(row=1, column=index)
            cell.font = REQUIRED_FONT if index in required else HEADER_FONT
            cell.fill = HEADER_FILL
        for index, width in enumerate(widths, start=1):
            self.worksheet.column_dimensions[get_column_letter(index)].width = width
        self.worksheet.freeze_panes = "A2"

    def comment(self, row: int, column: int, text: str) -> None:
        self.worksheet.cell(row=row, column=column).comment = Comment(safe_text(str(text)), "Kehu")

    def dropdown(self, column: int, source: "Sheet", source_column: int, first: int, last: int, rows: int) -> None:
        """Offer the values of `source` (rows `first`..`last` of its `source_column`) in rows 2..`rows` + 1 of
        `column`; other values stay allowed (no error style)."""
        letter, values = get_column_letter(column), get_column_letter(source_column)
        rule = DataValidation(
            type="list",
            formula1=f"'{source.title}'!${values}${first}:${values}${last}",
            allow_blank=True,
            showErrorMessage=False,
        )
        rule.add(f"{letter}2:{letter}{rows + 1}")
        self.worksheet.add_data_validation(rule)


class Book:
    """A workbook Kehu writes. `write_only` streams rows (exports of any size); the default keeps them in memory
    (templates with comments and drop-downs)."""

    def __init__(self, *, write_only: bool = False):
        self.write_only = write_only
        self.workbook = Workbook(write_only=write_only)
        self._first_unused = not write_only  # a normal workbook starts with one empty sheet

    def sheet(self, title: str) -> Sheet:
        title = safe_text(str(title)).lstrip("'")[:31] or "Sheet"
        if self._first_unused:
            self._first_unused = False
            worksheet = self.workbook.active
            worksheet.title = title
        else:
            worksheet = self.workbook.create_sheet(title)
        return Sheet(self, worksheet)

    def save(self, target) -> None:
        """Write the workbook to `target` (a path or a binary file)."""
        self.workbook.save(target)

    def content(self) -> bytes:
        out = BytesIO()
        self.save(out)
        return out.getvalue()


def write_header(sheet: Sheet, headers: list[str], required: Iterable[int] = (), widths: Iterable[int] = ()) -> None:
    sheet.header(headers, required, widths)


def read_cells(content: bytes) -> list[list]:
    """Every row of the first sheet of a workbook as stored (for tests and checks of what Kehu wrote)."""
    book = load_workbook(BytesIO(content))
    return [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]


def formula_cells(content: bytes) -> list[str]:
    """The cells of every sheet of a workbook that a spreadsheet program would run as formulas ("Sheet!A1")."""
    book = load_workbook(BytesIO(content))
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(FORMULA_START))
    ]


def cell_text(value) -> str:
    """A cell's value as the text an import checks."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell comes back as 13800138000.0
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


# --- a streaming reader of the first sheet --------------------------------------------------------
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REFERENCE = re.compile(r"([A-Z]+)(\d+)")


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _first_sheet_path(book: ZipFile) -> str:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    first = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
    rel_id = first.get(f"{_RELS}id")
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{_PACKAGE_RELS}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise KeyError(rel_id)


def _shared_strings(book: ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    strings = []
    for _event, element in ElementTree.iterparse(book.open("xl/sharedStrings.xml")):
        if element.tag == f"{_MAIN}si":
            strings.append("".join(t.text or "" for t in element.iter(f"{_MAIN}t")))
            element.clear()
    return strings


# Built-in number formats that are dates or times (ECMA-376 18.8.30, with the East Asian ones).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)])


def _date_styles(book: ZipFile) -> frozenset[int]:
    """The indexes of the cell styles (`s="…"`) whose number format shows a date or a time."""
    if "xl/styles.xml" not in book.namelist():
        return frozenset()
    styles = ElementTree.fromstring(book.read("xl/styles.xml"))
    custom = {
        int(fmt.get("numFmtId")): is_date_format(fmt.get("formatCode") or "")
        for fmt in styles.iter(f"{_MAIN}numFmt")
        if (fmt.get("numFmtId") or "").isdigit()
    }
    found = set()
    cell_formats = styles.find(f"{_MAIN}cellXfs")
    for index, xf in enumerate(cell_formats if cell_formats is not None else ()):
        number_format = int(xf.get("numFmtId") or 0)
        if custom.get(number_format, number_format in _DATE_FORMAT_IDS):
            found.add(index)
    return frozenset(found)


def _epoch(book: ZipFile) -> datetime:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    properties = workbook.find(f"{_MAIN}workbookPr")
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    return CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900


def _date(value, epoch):
    """A date cell's serial number as the date (or date and time) it shows."""
    try:
        moment = from_excel(value, epoch)
    except (ValueError, OverflowError, TypeError):
        return value
    if isinstance(moment, datetime) and moment.time() == time(0):
        return moment.date()
    return moment


def _number(text: str):
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and abs(value) < 1e16 else value


def sheet_rows(source) -> Iterator[tuple[int, list]]:
    """(row number, cell values) of the first sheet of an .xlsx, streamed: strings as text, numbers as int or
    float, numbers formatted as dates as date or datetime, booleans as bool."""
    book = ZipFile(source)
    strings = _shared_strings(book)
    date_styles, epoch = _date_styles(book), _epoch(book)
    path = _first_sheet_path(book)
    row_tag, cell_tag, value_tag, inline_tag = f"{_MAIN}row", f"{_MAIN}c", f"{_MAIN}v", f"{_MAIN}is"
    text_tag = f"{_MAIN}t"
    expected = 0
    with book, book.open(path) as sheet:
        for _event, row in ElementTree.iterparse(sheet):
            if row.tag != row_tag:
                continue
            expected = int(row.get("r") or expected + 1)
            values: list = []
            for cell in row.iter(cell_tag):
                reference = cell.get("r")
                if reference:
                    match = _REFERENCE.match(reference)
                    position = _column_index(match.group(1)) if match else len(values)
                else:
                    position = len(values)
                kind = cell.get("t", "n")
                if kind == "inlineStr":
                    inline = cell.find(inline_tag)
                    value = "".join(t.text or "" for t in inline.iter(text_tag)) if inline is not None else None
                else:
                    raw = cell.findtext(value_tag)
                    if raw is None:
                        value = None
                    elif kind == "s":
                        value = strings[int(raw)]
                    elif kind == "n":
                        value = _number(raw)
                        if date_styles and int(cell.get("s") or 0) in date_styles and not isinstance(value, str):
                            value = _date(value, epoch)  # a date typed into any column reads as that date
                    elif kind == "b":
                        value = raw == "1"
                    elif kind == "e":
                        value = None
                    else:  # "str" (a formula's text), "d" (ISO date)
                        value = raw
                if position >= len(values):
                    values.extend([None] * (position - len(values) + 1))
                values[position] = value
            row.clear()
            yield expected, values


def count_rows(source) -> int | None:
    """The number of data rows the first sheet declares (cheap; None when the file does not say)."""
    try:
        source.seek(0)
        book = load_workbook(source, read_only=True)
        rows = book.worksheets[0].max_row
        book.close()
    except Exception:  # noqa: BLE001 - a broken file is reported when it is read
        return None
    finally:
        source.seek(0)
    return max(0, rows - 1) if rows else None
