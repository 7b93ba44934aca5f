"""Reading and writing .xlsx files for imports and exports, knowing no domain.

openpyxl's read-only mode reads about 3,000 rows of 14 columns a second, more than a whole import may take
(issue 3: 2,000 rows/s all in). Cell values are all an import needs, so `sheet_rows` streams the first sheet's
XML with the C parser of the standard library instead (about 10× faster); openpyxl writes templates, error
reports and exports.
"""

import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from xml.etree import ElementTree
from zipfile import ZipFile

from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8F0FE")
REQUIRED_FONT = Font(bold=True, color="C4282D")


def write_header(sheet, headers: list[str], required: Iterable[int] = (), widths: Iterable[int] = ()) -> None:
    """Row 1 of a (normal-mode) sheet: bold headers, required ones in red, the widths, frozen below."""
    required = set(required)
    sheet.append(headers)
    for index, _header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = REQUIRED_FONT if index in required else HEADER_FONT
        cell.fill = HEADER_FILL
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


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


def _number(text: str):
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and abs(value) < 1e16 else value


def sheet_rows(source) -> Iterator[tuple[int, list]]:
    """(row number, cell values) of the first sheet of an .xlsx, streamed: strings as text, numbers as int or
    float, booleans as bool (dates stay serial numbers)."""
    book = ZipFile(source)
    strings = _shared_strings(book)
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
