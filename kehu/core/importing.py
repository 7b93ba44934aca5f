"""The Excel import engine every module declares its imports into (customers today; products, opportunities
and orders next). It knows no domain.

A module subclasses `Importer` and declares:

- `columns`: the `Column`s (Chinese header, English header, aliases, required, length, dictionary);
- `clean_row(number, values)`: one row's checks → (the clean row, its `RowError`s);
- `check_rows(rows, errors)`: the checks of the whole file once every row is read (duplicates inside the file
  and against the database in set-based lookups, limits) — optional;
- `write_rows(rows, progress)`: the writer of the valid rows, inside the engine's transaction (bulk inserts go
  through `kehu.core.bulk.insert_created`, which writes their history);
- `check()`: who may import (and the options, e.g. the owner) — raises PermissionDenied / ValidationError.

From that come: the template (headers, the English names as comments, a sheet of allowed values and drop-downs
on the dictionary columns), reading the first sheet with Chinese or English headers in any order, per-row
validation before anything is written, the error report (the rows with errors as uploaded, plus an "errors"
column), and the three modes: "validate" writes nothing, "all" writes every row or none when any has an
error, "valid_only" writes the rows without errors. Background jobs with a progress bar: `kehu.core.filejobs`.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.core import textinput
from kehu.core.models import DictionaryItem
from kehu.core.xlsx import Book, cell_text, sheet_rows, unquote

MODES = ("validate", "all", "valid_only")
BACKGROUND_ROWS = 500  # larger files are checked and written by a background task with a progress bar
MAX_ROWS = 200_000
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_STORED_ERRORS = 1000  # errors kept on a job and returned by the API; the error report has them all
PROGRESS_EVERY = 2000

Progress = Callable[[str, int, int], None]  # (phase "validating" | "writing", done, of)


def no_progress(phase: str, done: int, of: int) -> None:
    return None


@dataclass(frozen=True)
class Column:
    field: str
    zh: str  # the template's header
    en: str  # the English header, also accepted; mark it with gettext_noop: translated, it labels errors
    aliases: tuple = ()  # other accepted headers
    required: bool = False
    max_length: int | None = None
    dictionary: str = ""  # the code of the dictionary whose values the column takes
    normalise: Callable[[str], str] | None = None  # the field's own normalisation, before its length is checked

    @property
    def header(self) -> str:
        return f"{self.zh}*" if self.required else self.zh

    @property
    def english_header(self) -> str:
        return self.en

    @property
    def label(self) -> str:
        return _(self.en)


class ImportFileError(Exception):
    """The file as a whole cannot be read (not an .xlsx, a required column missing, too many rows)."""


@dataclass
class RowError:
    row: int  # the row number in the spreadsheet (the header is row 1)
    field: str  # a column's field, or another name for a row-level error (e.g. "owner")
    message: str
    column: str = ""  # the column's label in the user's language (the engine fills it in)

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "column": self.column, "message": self.message}


@dataclass
class Validation:
    total: int = 0
    rows: list = field(default_factory=list)  # the valid clean rows, in file order
    errors: list[RowError] = field(default_factory=list)  # ordered by row, then column
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


def to_half_width(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def header_key(text) -> str:
    return re.sub(r"[\s*_\-–]+", "", to_half_width(str(text or "")).lower())


def _token(text: str) -> str:
    return " ".join(to_half_width(text).lower().split())


def dictionary_values(codes: Iterable[str]) -> dict[str, list[DictionaryItem]]:
    """The values in use of each dictionary `codes` names, in their order."""
    codes = set(codes)
    found: dict[str, list[DictionaryItem]] = {code: [] for code in codes}
    items = DictionaryItem.objects.filter(dictionary__code__in=codes, is_active=True).select_related("dictionary")
    for item in items.order_by("dictionary__code", "sort_order", "id"):
        found[item.dictionary.code].append(item)
    return found


class DictionaryLookup:
    """Dictionary values by Chinese label, English label or code (case and width insensitive)."""

    def __init__(self, codes: Iterable[str]):
        self.items: dict[str, dict[str, int]] = {}
        for code, items in dictionary_values(codes).items():
            table = self.items.setdefault(code, {})
            for item in items:
                for spelling in (item.code, item.label_zh, item.label_en):
                    if spelling:
                        table.setdefault(_token(spelling), item.pk)

    def find(self, dictionary: str, text: str) -> int | None:
        return self.items.get(dictionary, {}).get(_token(text))


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Importer:
    """One module's import: declare `columns`, `sheet_title`, `clean_row`, `write_rows` (see the module doc)."""

    columns: tuple[Column, ...] = ()
    sheet_title = ""  # the template's first sheet

    def __init__(self, actor, **options):
        self.actor = actor
        self.options = options

    # --- what a module declares --------------------------------------------------------------
    def check(self) -> None:
        """Refuse an importer who may not import (PermissionDenied) or bad options (ValidationError)."""

    def clean_row(self, number: int, values: dict[str, str]) -> tuple[object, list[RowError]]:
        raise NotImplementedError

    def check_rows(self, rows: list[tuple[int, object]], errors: dict[int, list[RowError]]) -> None:
        """Checks across rows once all are read: add to `errors[row number]`. `rows` are (number, clean row)."""

    def write_rows(self, rows: list, progress: Progress) -> int:
        raise NotImplementedError

    # --- declared once, derived -----------------------------------------------------------------
    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.columns]

    def column_label(self, name: str) -> str:
        for column in self.columns:
            if column.field == name:
                return column.label
        return name

    def error(self, number: int, name: str, message: str) -> RowError:
        return RowError(number, name, message, self.column_label(name))

    def dictionary_lookup(self) -> DictionaryLookup:
        return DictionaryLookup(c.dictionary for c in self.columns if c.dictionary)

    def clean_dictionary(self, number, column: Column, text: str, errors: list[RowError]) -> int | None:
        """The item id `text` names in the column's dictionary (None when empty); an error when it names none."""
        if not text:
            return None
        item = self._lookup.find(column.dictionary, text)
        if item is None:
            errors.append(
                self.error(
                    number,
                    column.field,
                    _("“%(value)s” is not a value of this column; the sheet “%(sheet)s” of the template lists them.")
                    % {"value": text, "sheet": _("Allowed values")},
                )
            )
        return item

    def clean_lengths(self, number, values: dict[str, str], errors: list[RowError]) -> None:
        for column in self.columns:
            if column.max_length and len(values[column.field]) > column.max_length:
                errors.append(
                    self.error(
                        number,
                        column.field,
                        _("At most %(max)d characters (this has %(n)d).")
                        % {"max": column.max_length, "n": len(values[column.field])},
                    )
                )

    # --- the template ---------------------------------------------------------------------------
    def template(self) -> bytes:
        """The import template: the columns (Chinese, with the English name as a comment) and, on a second
        sheet, every allowed dictionary value; the dictionary columns offer those values as a drop-down."""
        book = Book()
        sheet = book.sheet(str(self.sheet_title))
        columns = self.columns
        required = [i for i, c in enumerate(columns, start=1) if c.required]
        sheet.header([c.header for c in columns], required, [28 if c.max_length else 16 for c in columns])
        for index, column in enumerate(columns, start=1):
            sheet.comment(1, index, column.en)
        values = book.sheet(_("Allowed values"))
        values.header([_("Column"), _("Code"), "中文", "English"], widths=(18, 18, 24, 30))
        row = 2
        found = dictionary_values(c.dictionary for c in columns if c.dictionary)
        for index, column in enumerate(columns, start=1):
            if not column.dictionary or not found[column.dictionary]:
                continue
            first = row
            for item in found[column.dictionary]:
                values.append([column.zh, item.code, item.label_zh, item.label_en])
                row += 1
            # A drop-down of the Chinese labels; other spellings (English, code) stay allowed.
            sheet.dropdown(index, values, 3, first, row - 1, MAX_ROWS)
        return book.content()

    # --- reading --------------------------------------------------------------------------------
    def header_fields(self) -> dict[str, str]:
        return {
            header_key(alias): column.field
            for column in self.columns
            for alias in (column.zh, column.en, *column.aliases)
        }

    def read(self, source) -> Iterator[tuple[int, list[str]]]:
        """The data rows of the first sheet as (row number, cells in `fields` order); blank rows are skipped.
        Raises ImportFileError when the file is no workbook, lacks a required column or is too long."""
        size = getattr(source, "size", None)
        if size is not None and size > MAX_FILE_BYTES:
            raise ImportFileError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
        not_a_workbook = _("This is not an Excel workbook (.xlsx). Download the template and fill it in.")
        try:
            if hasattr(source, "seek"):
                source.seek(0)
            rows = sheet_rows(source)
            number, header = next(rows, (1, []))
        except (BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, ParseError):
            raise ImportFileError(not_a_workbook) from None
        known = self.header_fields()
        positions: dict[str, int] = {}
        for index, text in enumerate(header):
            found = known.get(header_key(text))
            if found and found not in positions:
                positions[found] = index
        missing = [c for c in self.columns if c.required and c.field not in positions]
        if number != 1 or missing:
            raise ImportFileError(
                _("Row 1 must name the columns as in the template; the column “%(column)s” is missing.")
                % {"column": (missing or [c for c in self.columns if c.required] or self.columns)[0].header}
            )
        layout = [positions.get(f) for f in self.fields]
        return self._data_rows(rows, layout, not_a_workbook)

    @staticmethod
    def _data_rows(rows, layout, not_a_workbook) -> Iterator[tuple[int, list[str]]]:
        count = 0
        try:
            for number, values in rows:
                width = len(values)
                cells = [cell_text(values[i]) if i is not None and i < width else "" for i in layout]
                if not any(cells):
                    continue
                count += 1
                if count > MAX_ROWS:
                    raise ImportFileError(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
                yield number, cells
        except (BadZipFile, KeyError, OSError, ValueError, ParseError):
            raise ImportFileError(not_a_workbook) from None

    def normalise_cells(self, number: int, cells: list[str]) -> tuple[dict[str, str], list[RowError]]:
        """The row's cells by field, normalised like every typed text (`kehu.core.textinput`: invisible characters
        removed), with an error for each cell that is refused (a control character, a direction override, or
        longer than the limit of text without a declared length)."""
        values: dict[str, str] = {}
        errors: list[RowError] = []
        for column, cell in zip(self.columns, cells, strict=True):
            refused = textinput.problem(cell)
            if refused is None:
                cell = unquote(textinput.cleaned(cell).strip())
                if column.normalise is not None:
                    cell = column.normalise(cell)
                refused = textinput.too_long(cell) if column.max_length is None else None
            if refused:
                errors.append(self.error(number, column.field, refused))
            values[column.field] = cell
        return values, errors

    # --- the validation driver ------------------------------------------------------------------
    def validate(self, rows: Iterable[tuple[int, list[str]]], progress: Progress = no_progress) -> Validation:
        """Check every row; nothing is written."""
        self._lookup = self.dictionary_lookup()
        fields = self.fields
        result = Validation()
        cleaned: list[tuple[int, object]] = []
        errors_by_row: dict[int, list[RowError]] = {}
        raw: dict[int, list[str]] = {}
        for number, cells in rows:
            values, refused = self.normalise_cells(number, cells)
            clean, errors = self.clean_row(number, values)
            if refused:  # a refused cell's own checks would only repeat it
                taken = {r.field for r in refused}
                errors = refused + [e for e in errors if e.field not in taken]
            cleaned.append((number, clean))
            raw[number] = cells  # for the error report, should a check across rows find an error in this row
            if errors:
                errors_by_row[number] = errors
            result.total += 1
            if result.total % PROGRESS_EVERY == 0:
                progress("validating", result.total, 0)
        self.check_rows(cleaned, errors_by_row)
        order = {name: index for index, name in enumerate(fields)}
        for number, clean in cleaned:
            errors = errors_by_row.get(number)
            if errors:
                errors.sort(key=lambda e: order.get(e.field, len(fields)))
                result.errors.extend(errors)
                result.invalid_raw[number] = raw[number]
            else:
                result.rows.append(clean)
        progress("validating", result.total, result.total)
        return result

    # --- writing and the whole import -----------------------------------------------------------
    def write(self, rows: list, progress: Progress = no_progress) -> int:
        """Write the valid rows in one transaction; the number of records created."""
        if not rows:
            return 0
        with transaction.atomic():
            return self.write_rows(rows, progress)

    def run(self, source, *, mode: str = "validate", progress: Progress = no_progress) -> ImportResult:
        """Check the importer, every row of the workbook `source`, then write according to `mode`."""
        if mode not in MODES:
            raise ValueError(mode)
        self.check()
        checked = self.validate(self.read(source), progress)
        result = ImportResult(
            mode=mode,
            total=checked.total,
            valid=checked.valid,
            invalid=checked.invalid,
            errors=checked.errors,
            invalid_raw=checked.invalid_raw,
        )
        if mode == "valid_only" or (mode == "all" and not checked.invalid):
            result.created = self.write(checked.rows, progress)
        return result

    # --- the error report -----------------------------------------------------------------------
    def error_report(self, result: ImportResult | Validation) -> bytes:
        """The rows with errors as they were uploaded, with an "errors" column: fix them and import this file."""
        book = Book(write_only=True)
        sheet = book.sheet(_("Rows with errors"))
        sheet.header([_("Row"), *[c.header for c in self.columns], _("Errors")])
        by_row: dict[int, list[str]] = {}
        for error in result.errors:
            by_row.setdefault(error.row, []).append(f"{error.column}: {error.message}")
        for number in sorted(result.invalid_raw):
            sheet.append([number, *result.invalid_raw[number], "\n".join(by_row.get(number, []))])
        return book.content()


_importers: dict[str, type[Importer]] = {}


def register(resource: str):
    """Class decorator: the importer of `resource` (the name background jobs store)."""

    def add(cls: type[Importer]) -> type[Importer]:
        _importers[resource] = cls
        cls.resource = resource
        return cls

    return add


def importer_for(resource: str) -> type[Importer]:
    return _importers[resource]
