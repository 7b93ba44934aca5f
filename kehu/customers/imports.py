"""Excel import of customers with their primary contact: the template, reading, checking every row, writing.

`run_import(actor, file, mode=...)` is the one entry point (pages, API, background task, benchmark):

1. `read_workbook` turns the upload into rows (the first sheet; row 1 holds the column names, Chinese or
   English, in any order).
2. `validate_rows` checks every row before anything is written: required fields, dictionary values (by
   Chinese or English label, or by code), the credit code's GB 32100 check digit, phone, e-mail, lengths,
   duplicates inside the file (an earlier row with the same normalised name, credit code or phone) and
   against the database (`services.find_duplicates` semantics), and the owner's `max_owned` limit.
3. `write_rows` inserts the valid rows in one transaction with multi-row inserts through the driver, numbered
   from one reserved block, with their history rows and "created" events. Mode "all" writes only when no row
   has an error (all-or-nothing); "valid_only" writes the valid rows; "validate" writes nothing.

Speed: the duplicate check against the database is set-based. The file's normalised names, credit codes and
phones are looked up `LOOKUP_CHUNK` keys at a time (one query per key kind and chunk, never one per row), so
100,000 rows need a few dozen queries; the sheet is streamed with the standard library's XML parser and the
rows are written without the ORM's per-field work (see `sheet_rows` and `_insert`); `bench/customers_import.py`
measures it.
"""

import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from xml.etree import ElementTree
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile, ZipFile

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from pypinyin import lazy_pinyin
from pypinyin.constants import RE_HANS

from kehu.core.models import DictionaryItem, DocumentSequence
from kehu.customers.models import Contact, Customer, CustomerEvent, CustomerLimit
from kehu.customers.services import Duplicate, require
from kehu.customers.text import (
    _DROP,
    normalize_credit_code,
    normalize_name,
    normalize_phone,
    to_half_width,
    valid_credit_code,
    valid_phone,
)
from kehu.org.models import User
from kehu.org.scope import has_module_perm

MODES = ("validate", "all", "valid_only")
BACKGROUND_ROWS = 500  # larger files are checked and written by a background task with a progress bar
MAX_ROWS = 200_000
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_STORED_ERRORS = 1000  # errors kept on a job and returned by the API; the error report has them all
LOOKUP_CHUNK = 5000  # keys per duplicate-check query (well under SQLite's and PostgreSQL's parameter limits)
WRITE_BATCH = 2000  # rows per bulk insert (and per progress report while writing)
PROGRESS_EVERY = 2000


@dataclass(frozen=True)
class Column:
    field: str
    zh: str  # the template's header
    label: Promise  # English source, shown translated in error tables; also accepted as a header
    aliases: tuple = ()
    required: bool = False
    max_length: int | None = None
    dictionary: str = ""

    @property
    def header(self) -> str:
        return f"{self.zh}*" if self.required else self.zh

    @property
    def english_header(self) -> str:
        """The English header the importer accepts as well (shown beside the Chinese one on the page)."""
        return ENGLISH_HEADERS[self.field]


COLUMNS = (
    Column("name", "公司名称", gettext_lazy("Company name"), required=True, max_length=100),
    Column("credit_code", "统一社会信用代码", gettext_lazy("Unified social credit code"), ("credit code",), False, 18),
    Column("industry", "行业", gettext_lazy("Industry"), dictionary="industry"),
    Column("level", "客户等级", gettext_lazy("Customer level"), ("level",), dictionary="customer_level"),
    Column("source", "客户来源", gettext_lazy("Customer source"), ("source",), dictionary="customer_source"),
    Column("region", "区域", gettext_lazy("Region"), dictionary="region"),
    Column("address", "地址", gettext_lazy("Address"), max_length=200),
    Column("website", "网址", gettext_lazy("Website"), max_length=200),
    Column("tags", "标签", gettext_lazy("Tags"), max_length=200),
    Column("notes", "备注", gettext_lazy("Notes")),
    Column("contact_name", "联系人姓名", gettext_lazy("Contact name"), max_length=60),
    Column("contact_title", "联系人职务", gettext_lazy("Contact title"), ("contact job title",), max_length=60),
    Column("contact_mobile", "联系人手机", gettext_lazy("Contact mobile"), ("contact phone",), max_length=20),
    Column("contact_email", "联系人邮箱", gettext_lazy("Contact e-mail"), ("contact email",), max_length=254),
)
FIELDS = [c.field for c in COLUMNS]
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
# Row-level errors that belong to no column (the owner's limit).
OWNER_LABEL = gettext_lazy("Owner")
# English headers as the template's English comments name them (the Column labels' source text).
ENGLISH_HEADERS = {
    "name": "Company name",
    "credit_code": "Unified social credit code",
    "industry": "Industry",
    "level": "Customer level",
    "source": "Customer source",
    "region": "Region",
    "address": "Address",
    "website": "Website",
    "tags": "Tags",
    "notes": "Notes",
    "contact_name": "Contact name",
    "contact_title": "Contact title",
    "contact_mobile": "Contact mobile",
    "contact_email": "Contact e-mail",
}


def _header_key(text) -> str:
    return re.sub(r"[\s*_\-–]+", "", to_half_width(str(text or "")).lower())


HEADER_FIELDS = {
    _header_key(alias): column.field
    for column in COLUMNS
    for alias in (column.zh, ENGLISH_HEADERS[column.field], *column.aliases)
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (not an .xlsx, no company name column, too many rows)."""


@dataclass
class RowError:
    row: int  # the row number in the spreadsheet (the header is row 1)
    field: str  # a column's field, or "owner" for the owner's limit
    message: str

    @property
    def column(self) -> str:
        column = COLUMN_BY_FIELD.get(self.field)
        return str(column.label) if column else str(OWNER_LABEL)

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "column": self.column, "message": self.message}


@dataclass
class CleanRow:
    row: int
    customer: dict  # model field → value (dictionary fields as item ids)
    contact: dict | None
    name_key: str
    credit_code: str
    phone: str


@dataclass
class Validation:
    total: int = 0
    rows: list[CleanRow] = field(default_factory=list)  # the valid rows, in file order
    errors: list[RowError] = field(default_factory=list)  # ordered by row
    invalid_raw: dict[int, list[str]] = field(default_factory=dict)  # row → its cells, for the error report

    @property
    def valid(self) -> int:
        return len(self.rows)

    @property
    def invalid(self) -> int:
        return len(self.invalid_raw)


@dataclass
class ImportResult:
    mode: str
    total: int = 0
    valid: int = 0
    invalid: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    invalid_raw: dict[int, list[str]] = field(default_factory=dict)

    @property
    def written(self) -> bool:
        return self.created > 0

    def as_dict(self, error_limit: int = MAX_STORED_ERRORS) -> dict:
        return {
            "mode": self.mode,
            "total": self.total,
            "valid": self.valid,
            "invalid": self.invalid,
            "created": self.created,
            "written": self.written,
            "errors": [e.as_dict() for e in self.errors[:error_limit]],
            "errors_truncated": len(self.errors) > error_limit,
        }


Progress = Callable[[str, int, int], None]  # (phase "validating" | "writing", done, of)


def _no_progress(phase: str, done: int, of: int) -> None:
    return None


# --- the template -------------------------------------------------------------------------------
def dictionary_values() -> dict[str, list[DictionaryItem]]:
    """The values in use of each dictionary an import column picks from."""
    codes = {c.dictionary for c in COLUMNS if c.dictionary}
    items = DictionaryItem.objects.filter(dictionary__code__in=codes, is_active=True).select_related("dictionary")
    found: dict[str, list[DictionaryItem]] = {code: [] for code in codes}
    for item in items.order_by("dictionary__code", "sort_order", "id"):
        found[item.dictionary.code].append(item)
    return found


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8F0FE")
REQUIRED_FONT = Font(bold=True, color="C4282D")


def write_header(sheet, headers: list[str], required: Iterable[int] = (), widths: Iterable[int] = ()) -> None:
    sheet.append(headers)
    for index, _header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = REQUIRED_FONT if index in set(required) else HEADER_FONT
        cell.fill = HEADER_FILL
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def template_workbook() -> bytes:
    """The import template: the columns (Chinese, with the English name as a comment) and, on a second
    sheet, every allowed dictionary value; the dictionary columns offer those values as a drop-down."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Customers")[:31]
    required = [i for i, c in enumerate(COLUMNS, start=1) if c.required]
    write_header(sheet, [c.header for c in COLUMNS], required, [28 if c.max_length else 16 for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=index).comment = Comment(ENGLISH_HEADERS[column.field], "Kehu")
    values = book.create_sheet(_("Allowed values")[:31])
    write_header(values, [_("Column"), _("Code"), "中文", "English"], widths=(18, 18, 24, 30))
    row = 2
    found = dictionary_values()
    for index, column in enumerate(COLUMNS, start=1):
        if not column.dictionary or not found[column.dictionary]:
            continue
        first = row
        for item in found[column.dictionary]:
            values.append([column.zh, item.code, item.label_zh, item.label_en])
            row += 1
        # A drop-down of the Chinese labels; other spellings (English, code) stay allowed, so no error style.
        letter = get_column_letter(index)
        rule = DataValidation(
            type="list", formula1=f"'{values.title}'!$C${first}:$C${row - 1}", allow_blank=True, showErrorMessage=False
        )
        rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(rule)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading ------------------------------------------------------------------------------------
def _cell_text(value) -> str:
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


def read_workbook(source) -> Iterator[tuple[int, list[str]]]:
    """The data rows of the first sheet as (row number, cells in FIELDS order); blank rows are skipped.
    Raises ImportFileError when the file is no workbook, lacks the company name column or is too long."""
    size = getattr(source, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
    not_a_workbook = _("This is not an Excel workbook (.xlsx). Download the template and fill it in.")
    try:
        if hasattr(source, "seek"):
            source.seek(0)
        rows = sheet_rows(source)
        number, header = next(rows, (1, []))
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, ParseError):
        raise ImportFileError(not_a_workbook) from None
    positions: dict[str, int] = {}
    for index, text in enumerate(header):
        found = HEADER_FIELDS.get(_header_key(text))
        if found and found not in positions:
            positions[found] = index
    if number != 1 or "name" not in positions:
        raise ImportFileError(
            _("Row 1 must name the columns as in the template; the column “%(column)s” is missing.")
            % {"column": COLUMN_BY_FIELD["name"].header}
        )
    layout = [positions.get(f) for f in FIELDS]
    return _data_rows(rows, layout, not_a_workbook)


def _data_rows(rows, layout, not_a_workbook) -> Iterator[tuple[int, list[str]]]:
    count = 0
    try:
        for number, values in rows:
            width = len(values)
            cells = [_cell_text(values[i]) if i is not None and i < width else "" for i in layout]
            if not any(cells):
                continue
            count += 1
            if count > MAX_ROWS:
                raise ImportFileError(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
            yield number, cells
    except (BadZipFile, KeyError, OSError, ValueError, ParseError):
        raise ImportFileError(not_a_workbook) from None


# --- a streaming reader of the first sheet --------------------------------------------------------
# openpyxl's read-only mode reads about 3,000 rows of 14 columns a second, more than the whole import may take
# (issue 3: 2,000 rows/s all in). Cell values are all the import needs, so the sheet's XML is streamed with
# the C parser of the standard library instead (about 10× faster); openpyxl writes the template and exports.
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
    float, booleans as bool (dates stay serial numbers: no import column holds one)."""
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
    """The number of data rows the sheet declares (cheap; None when the file does not say)."""
    try:
        source.seek(0)
        book = load_workbook(source, read_only=True)
        rows = book.worksheets[0].max_row
        book.close()
    except Exception:  # noqa: BLE001 - a broken file is reported by read_workbook later
        return None
    finally:
        source.seek(0)
    return max(0, rows - 1) if rows else None


# --- checking -----------------------------------------------------------------------------------
def _token(text: str) -> str:
    return " ".join(to_half_width(text).lower().split())


class DictionaryLookup:
    """Dictionary values by Chinese label, English label or code (case and width insensitive)."""

    def __init__(self):
        self.items: dict[str, dict[str, int]] = {}
        for code, items in dictionary_values().items():
            table = self.items.setdefault(code, {})
            for item in items:
                for spelling in (item.code, item.label_zh, item.label_en):
                    if spelling:
                        table.setdefault(_token(spelling), item.pk)

    def find(self, dictionary: str, text: str) -> int | None:
        return self.items.get(dictionary, {}).get(_token(text))


_url = URLValidator()


def _clean_row(number: int, cells: list[str], lookup: DictionaryLookup) -> tuple[CleanRow, list[RowError]]:
    values = dict(zip(FIELDS, cells, strict=True))
    errors: list[RowError] = []

    def error(name, message):
        errors.append(RowError(number, name, message))

    values["name"] = " ".join(values["name"].split())
    if not values["name"]:
        error("name", _("Enter the company name."))
    for column in COLUMNS:
        if column.max_length and len(values[column.field]) > column.max_length:
            error(
                column.field,
                _("At most %(max)d characters (this has %(n)d).")
                % {"max": column.max_length, "n": len(values[column.field])},
            )
    code = normalize_credit_code(values["credit_code"])
    if code and not valid_credit_code(code):
        error(
            "credit_code",
            _("This is not a valid unified social credit code (18 characters, check digit per GB 32100)."),
        )
    customer = {
        "name": values["name"],
        "credit_code": code,
        "address": values["address"],
        "tags": values["tags"],
        "notes": values["notes"],
    }
    for column in COLUMNS:
        if column.dictionary:
            text = values[column.field]
            item = lookup.find(column.dictionary, text) if text else None
            if text and item is None:
                error(
                    column.field,
                    _("“%(value)s” is not a value of this column; the sheet “%(sheet)s” of the template lists them.")
                    % {"value": text, "sheet": _("Allowed values")},
                )
            customer[f"{column.field}_id"] = item
    website = values["website"]
    if website:
        if "://" not in website:
            website = f"https://{website}"
        try:
            _url(website)
        except ValidationError:
            error("website", _("Enter a valid web address."))
    customer["website"] = website
    phone = normalize_phone(values["contact_mobile"])
    contact = None
    if any(values[f] for f in ("contact_name", "contact_title", "contact_mobile", "contact_email")):
        if not values["contact_name"]:
            error("contact_name", _("Enter the contact's name (or leave all contact columns empty)."))
        if values["contact_mobile"] and not valid_phone(phone):
            error(
                "contact_mobile",
                _("%(phone)s is not a valid phone number (a mobile number or a landline with its area code).")
                % {"phone": values["contact_mobile"]},
            )
        email = values["contact_email"]
        if email:
            try:
                validate_email(email)
            except ValidationError:
                error("contact_email", _("Enter a valid e-mail address."))
        contact = {
            "name": values["contact_name"],
            "title": values["contact_title"],
            "mobile": phone,
            "email": email,
        }
    clean = CleanRow(number, customer, contact, normalize_name(values["name"]), code, phone if contact else "")
    return clean, errors


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def existing_duplicates(actor, names: set[str], codes: set[str], phones: set[str]) -> dict[tuple[str, str], Duplicate]:
    """Existing customers that rows would duplicate, keyed by (reason, key): the same checks as
    `services.find_duplicates`, for a whole file at once (LOOKUP_CHUNK keys a query, never one per row)."""
    live = Customer.objects.exclude(status=Customer.Status.MERGED)
    hits: dict[tuple[str, str], int] = {}
    for chunk in _chunks(sorted(codes), LOOKUP_CHUNK):
        for key, pk in live.filter(credit_code__in=chunk).values_list("credit_code", "pk"):
            hits.setdefault(("credit_code", key), pk)
    for chunk in _chunks(sorted(names), LOOKUP_CHUNK):
        for key, pk in live.filter(name_normalized__in=chunk).values_list("name_normalized", "pk"):
            hits.setdefault(("name", key), pk)
    for chunk in _chunks(sorted(phones), LOOKUP_CHUNK):
        contacts = Contact.objects.filter(mobile__in=chunk).exclude(customer__status=Customer.Status.MERGED)
        for key, pk in contacts.values_list("mobile", "customer_id"):
            hits.setdefault(("phone", key), pk)
    if not hits:
        return {}
    ids = sorted(set(hits.values()))
    customers, visible = {}, set()
    for chunk in _chunks(ids, LOOKUP_CHUNK):
        queryset = (
            Customer.objects.filter(pk__in=chunk)
            .select_related("owner")
            .only("pk", "name", "number", "owner_id", "owner__name", "owner__username")
        )
        customers.update({c.pk: c for c in queryset})
        if actor is not None:
            visible |= set(Customer.objects.visible_to(actor).filter(pk__in=chunk).values_list("pk", flat=True))
    return {key: Duplicate(customers[pk], key[0], pk in visible) for key, pk in hits.items()}


def owned_room(owner: User) -> tuple[int | None, int, int]:
    """How many more customers `owner` may own (None: no limit), with the cap and the count owned now
    (the rule of `services.check_owned_limit`: the most generous of the owner's roles)."""
    limits = list(CustomerLimit.objects.filter(role__users=owner))
    if not limits or any(limit.max_owned is None for limit in limits):
        return None, 0, 0
    cap = max(limit.max_owned for limit in limits)
    owned = Customer.objects.filter(owner=owner).exclude(status=Customer.Status.MERGED).count()
    return max(0, cap - owned), cap, owned


def validate_rows(actor, owner: User, rows: Iterable[tuple[int, list[str]]], progress: Progress = _no_progress):
    """Check every row; nothing is written. Returns a Validation with the valid rows and per-row errors."""
    lookup = DictionaryLookup()
    result = Validation()
    cleaned: list[CleanRow] = []
    errors_by_row: dict[int, list[RowError]] = {}
    raw: dict[int, list[str]] = {}
    first = {"name": {}, "credit_code": {}, "phone": {}}  # key → the first row that has it
    messages = {
        "name": _("The same company as row %(row)d (the names match once normalised)."),
        "credit_code": _("The same credit code as row %(row)d."),
        "phone": _("The same phone number as row %(row)d."),
    }
    fields = {"name": "name", "credit_code": "credit_code", "phone": "contact_mobile"}
    for number, cells in rows:
        clean, errors = _clean_row(number, cells, lookup)
        for reason, key in (("name", clean.name_key), ("credit_code", clean.credit_code), ("phone", clean.phone)):
            if not key:
                continue
            earlier = first[reason].setdefault(key, number)
            if earlier != number:
                errors.append(RowError(number, fields[reason], messages[reason] % {"row": earlier}))
        cleaned.append(clean)
        raw[number] = cells  # for the error report, should the database check find an error in this row
        if errors:
            errors_by_row[number] = errors
        result.total += 1
        if result.total % PROGRESS_EVERY == 0:
            progress("validating", result.total, 0)
    duplicates = existing_duplicates(actor, set(first["name"]), set(first["credit_code"]), set(first["phone"]))
    room, cap, owned = owned_room(owner)
    for clean in cleaned:
        errors = errors_by_row.get(clean.row, [])
        for reason, key in (("credit_code", clean.credit_code), ("name", clean.name_key), ("phone", clean.phone)):
            duplicate = duplicates.get((reason, key)) if key else None
            if duplicate is not None:
                errors.append(RowError(clean.row, fields[reason], duplicate.message()))
        if not errors and room is not None:
            if room <= 0:
                errors.append(
                    RowError(
                        clean.row,
                        "owner",
                        _("%(name)s may own at most %(cap)d customers and already owns %(owned)d.")
                        % {"name": owner.display_name, "cap": cap, "owned": owned},
                    )
                )
            else:
                room -= 1
        if errors:
            errors.sort(key=lambda e: FIELDS.index(e.field) if e.field in FIELDS else len(FIELDS))
            result.errors.extend(errors)
            result.invalid_raw[clean.row] = raw[clean.row]
        else:
            result.rows.append(clean)
    progress("validating", result.total, result.total)
    return result


# --- writing ------------------------------------------------------------------------------------
_HANS = re.compile(f"({RE_HANS.pattern.lstrip('^').rstrip('$')})")


def pinyin_fields(name: str) -> tuple[str, str]:
    """`text.name_pinyin(name)` and `text.name_initials(name)` with one pinyin conversion instead of two (the
    conversion is the costliest part of writing a row). pypinyin converts runs of Chinese characters and keeps
    everything else; a character's first letter style is the first letter of its plain pinyin, so the initials
    follow from the plain syllables of the Chinese runs (tests/customers/test_import_write.py compares both)."""
    text = _DROP.sub("", to_half_width(name or "").lower())
    full, initials = [], []
    for part in _HANS.split(text):
        if not part:
            continue
        if _HANS.fullmatch(part):
            syllables = lazy_pinyin(part, errors="default")
            full.extend(syllables)
            initials.extend(syllable[:1] for syllable in syllables)
        else:
            full.append(part)
            initials.append(part)
    return "".join(full), "".join(initials)


def reserve_numbers(prefix: str, count: int, when=None) -> list[str]:
    """`count` consecutive document numbers (`CU-2026-000123` …) taken with one statement.

    `kehu.core.numbering.next_number` takes one number per UPDATE, i.e. a round trip per customer; an import
    of 100,000 rows takes a block instead: `UPDATE … SET last_value = last_value + count RETURNING last_value`
    locks the counter row exactly as `next_value` does, so concurrent creations queue behind it and the block
    (last - count, last] is ours alone. Call it inside the transaction that writes the rows: a rollback gives
    the whole block back, so the sequence stays gap-free.
    """
    if count <= 0:
        return []
    year = timezone.localdate(when).year if when else timezone.localdate().year
    table = DocumentSequence._meta.db_table
    sql = f"UPDATE {table} SET last_value = last_value + %s WHERE doc_type = %s AND year = %s RETURNING last_value"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [count, prefix, year])
            row = cursor.fetchone()
        if row:
            last = row[0]
        else:
            try:
                with transaction.atomic():
                    DocumentSequence.objects.create(doc_type=prefix, year=year, last_value=count)
                last = count
            except IntegrityError:  # someone created this year's counter first: take the block from it
                with connection.cursor() as cursor:
                    cursor.execute(sql, [count, prefix, year])
                    last = cursor.fetchone()[0]
    return [f"{prefix}-{year}-{value:06d}" for value in range(last - count + 1, last + 1)]


# Writing goes through the driver rather than `bulk_create`/`bulk_create_with_history`: the ORM prepares every
# field of every object in Python (about 20 µs a value on a modest machine), i.e. more than 1 ms for the five
# records of one imported row — on its own above the budget of 0.5 ms a row. Here each row becomes one
# tuple of values that are database-ready already (the timestamps and user ids are the same for the whole
# import, adapted once). The rows written are exactly those the ORM would write: every concrete column, model
# defaults for the ones the import does not set, and history rows as django-simple-history writes them
# (history_type "+", the importer as history_user, the reason, the date) — tests/customers/test_import_write.py
# reads them back through the models and `customer.history`.
def _insert_limit() -> int:
    """Parameters one statement may carry."""
    if connection.vendor == "sqlite":
        raw = connection.connection
        getlimit = getattr(raw, "getlimit", None)
        return getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if getlimit else 999
    return 65535


def _insert(model, rows: list[dict], *, returning: bool = False) -> list[int]:
    """INSERT `rows` (attname → database-ready value; other columns get the model's default) into `model`'s
    table; with `returning`, the new primary keys in row order. SQLite: executemany, or multi-row
    VALUES … RETURNING for the keys; PostgreSQL: COPY, the keys drawn from the table's sequence first."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(model._meta.db_table)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = [tuple(row.get(name, default) for name, default in defaults.items()) for row in rows]
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning and connection.vendor == "postgresql":
            # Take the keys from the table's sequence, then COPY (PostgreSQL's bulk path; a huge multi-row
            # VALUES would be parsed client-side by psycopg, and per-row statements cost a round trip each).
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, len(values)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            values = [(pk, *row) for pk, row in zip(ids, values, strict=True)]
            columns = f"{quote(model._meta.pk.column)}, {columns}"
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return ids
        if not returning:
            for chunk in _chunks(values, WRITE_BATCH):
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {row_sql}", chunk)
            return ids
        per_statement = max(1, min(WRITE_BATCH, _insert_limit() // len(fields)))
        pk = quote(model._meta.pk.column)
        for chunk in _chunks(values, per_statement):
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(chunk))} RETURNING {pk}"
            cursor.execute(sql, [value for row in chunk for value in row])
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _history(model, rows: list[dict], ids: list[int], extra: dict) -> list[dict]:
    """The history rows of newly created records (what HistoricalRecords writes on create)."""
    tracked = {f.attname for f in model.history.model._meta.concrete_fields}
    return [
        {**{k: v for k, v in row.items() if k in tracked}, "id": pk, **extra} for row, pk in zip(rows, ids, strict=True)
    ]


def write_rows(actor, owner: User, rows: list[CleanRow], progress: Progress = _no_progress) -> int:
    """Insert the checked rows in one transaction: customers numbered from one reserved block, their primary
    contacts, the history rows of both (the audit trail) and a "created" event each. Returns the number of
    customers created."""
    if not rows:
        return 0
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    reason = _("Imported from Excel")
    history = {"history_date": stamp, "history_type": "+", "history_user_id": actor.pk, "history_change_reason": reason}
    common = {
        "owner_id": owner.pk,
        "owner_department_id": owner.department_id,
        "status": Customer.Status.ACTIVE.value,
        "created_by_id": actor.pk,
        "created_at": stamp,
        "owned_since": stamp,
        "last_activity_at": stamp,
        "updated_by_id": actor.pk,
        "updated_at": stamp,
        "version": 1,
    }
    contact_common = {"is_primary": True, "updated_by_id": actor.pk, "updated_at": stamp, "version": 1}
    done = 0
    with transaction.atomic():
        numbers = reserve_numbers("CU", len(rows), now)
        for batch in _chunks(rows, WRITE_BATCH):
            customers = []
            for row, number in zip(batch, numbers[done : done + len(batch)], strict=True):
                full, initials = pinyin_fields(row.customer["name"])
                customers.append(
                    {
                        **row.customer,
                        **common,
                        "number": number,
                        "name_normalized": row.name_key[:100],
                        "name_pinyin": full[:400],
                        "name_initials": initials[:100],
                    }
                )
            ids = _insert(Customer, customers, returning=True)
            _insert(Customer.history.model, _history(Customer, customers, ids, history))
            contacts = [
                {**row.contact, **contact_common, "customer_id": pk}
                for row, pk in zip(batch, ids, strict=True)
                if row.contact
            ]
            if contacts:
                contact_ids = _insert(Contact, contacts, returning=True)
                _insert(Contact.history.model, _history(Contact, contacts, contact_ids, history))
            event = {"kind": CustomerEvent.Kind.CREATED.value, "actor_id": actor.pk, "text": reason[:300], "at": stamp}
            _insert(CustomerEvent, [{**event, "customer_id": pk} for pk in ids])
            done += len(batch)
            progress("writing", done, len(rows))
    return done


# --- the whole import ---------------------------------------------------------------------------
def check_importer(actor, owner: User | None) -> User:
    """Who will own the imported customers: the actor, or (with customers.transfer) someone else active
    who may see customers. Needs customers.add; while new customers need approval, only sales operations
    (customers.manage) import, and what they import is active at once."""
    from kehu.approvals.services import requires_approval
    from kehu.customers.services import CREATE_DOC

    require(actor, "add")
    if requires_approval(CREATE_DOC) and not has_module_perm(actor, "customers", "manage"):
        raise PermissionDenied(
            _("New customers need approval: create them one by one, or ask sales operations to import the file.")
        )
    owner = owner or actor
    if owner.pk != actor.pk:
        require(actor, "transfer")
        if not owner.is_active:
            raise ValidationError({"owner": _("The new owner has left the company.")})
        if not has_module_perm(owner, "customers", "view"):
            raise ValidationError({"owner": _("The new owner has no access to customers.")})
    return owner


def run_import(actor, source, *, mode: str = "validate", owner: User | None = None, progress: Progress = _no_progress):
    """Check every row of the workbook `source`, then write according to `mode`:
    "validate" writes nothing; "all" writes every row, or nothing when any row has an error;
    "valid_only" writes the rows without errors. Raises ImportFileError for an unreadable file and
    PermissionDenied / ValidationError for the importer and owner (see `check_importer`)."""
    if mode not in MODES:
        raise ValueError(mode)
    owner = check_importer(actor, owner)
    checked = validate_rows(actor, owner, read_workbook(source), progress)
    result = ImportResult(
        mode=mode,
        total=checked.total,
        valid=checked.valid,
        invalid=checked.invalid,
        errors=checked.errors,
        invalid_raw=checked.invalid_raw,
    )
    if mode == "valid_only" or (mode == "all" and not checked.invalid):
        result.created = write_rows(actor, owner, checked.rows, progress)
    return result


# --- the error report ---------------------------------------------------------------------------
def error_report(result: ImportResult | Validation) -> bytes:
    """The rows with errors as they were uploaded, with an "errors" column: fix them and import this file."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Rows with errors")[:31])
    headers = [_("Row"), *[c.header for c in COLUMNS], _("Errors")]
    sheet.append(headers)
    by_row: dict[int, list[str]] = {}
    for error in result.errors:
        by_row.setdefault(error.row, []).append(f"{error.column}: {error.message}")
    for number in sorted(result.invalid_raw):
        sheet.append([number, *result.invalid_raw[number], "\n".join(by_row.get(number, []))])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
