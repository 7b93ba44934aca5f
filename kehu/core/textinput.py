"""The one normalisation of typed text, for every text field of every form, API serializer and import.

Installed once (`install()`, from CoreConfig.ready) into the two field classes every text input goes through —
Django's `forms.CharField.to_python` (model forms, plain forms, filters; EmailField, URLField … are subclasses)
and DRF's `serializers.CharField.to_internal_value` — and called by the import engine on every cell. So a module
added later gets it for each of its fields without declaring anything; tests/core/test_text_input.py walks every
model text field, form, serializer and importer to prove it.

The rules (`normalise`):
- zero-width and other invisible formatting characters are removed (ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft
  hyphen, LRM/RLM, Hangul fillers …): `武汉正泰\u200b商贸有限公司` is `武汉正泰商贸有限公司`, so the duplicate check
  sees it;
- control characters (C0 and C1, except tab and line breaks) are refused: they cannot be
  shown and a spreadsheet cannot hold them;
- bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) are refused: they make text read
  differently from what it is;
- lone surrogates and non-characters are refused;
- line breaks become `\n` (tabs and line breaks are kept: a spreadsheet cell starting with one is neutralised by
  the export writer, `kehu.core.xlsx`);
- text with no length limit of its own (a TextField such as notes) is limited to `KEHU_MAX_TEXT_LENGTH` characters;
- what is left of text made only of invisible characters is empty, so a required field says so.
Passwords are left alone.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Removed: invisible characters that only hide differences.
INVISIBLE = frozenset(
    [
        0x00AD,  # soft hyphen
        0x034F,  # combining grapheme joiner
        0x061C,  # Arabic letter mark
        0x115F,
        0x1160,
        0x3164,
        0xFFA0,  # Hangul fillers
        0x17B4,
        0x17B5,
        0x180B,
        0x180C,
        0x180D,
        0x180E,
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,  # zero-width space, non-joiner, joiner, LRM, RLM
        *range(0x2060, 0x2065),  # word joiner, invisible operators
        *range(0x206A, 0x2070),  # deprecated format characters
        0xFEFF,  # byte order mark / zero-width no-break space
    ]
)
LINE_BREAKS = frozenset(["\n", "\r", "\u2028", "\u2029", "\x85"])


def max_text_length() -> int:
    """The limit of text fields that declare none (notes, descriptions): settings.KEHU_MAX_TEXT_LENGTH."""
    return getattr(settings, "KEHU_MAX_TEXT_LENGTH", 10_000)


_NONCHARACTERS = "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000))
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef" + _NONCHARACTERS + "]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")  # refused: they change how the text around them reads
_REMOVE = {code: None for code in INVISIBLE} | {ord(char): "\n" for char in LINE_BREAKS if char != "\n"}


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


def problem(value: str) -> str | None:
    """Why `value` is refused (a message in the active language), or None."""
    if value.isascii() and value.isprintable():
        return None
    found = _BIDI.search(value)
    if found:
        return _("Remove the text-direction character %(char)s: it makes the text read differently.") % {
            "char": _code(found.group())
        }
    found = _CONTROL.search(value)
    if found:
        return _("Remove the control character %(char)s: it cannot be shown or exported.") % {
            "char": _code(found.group())
        }
    return None


def normalise(value: str, *, max_length: int | None = None, declared_length: bool = False) -> str:
    """`value` as it is stored (see the module doc); ValidationError when it is refused. `max_length` None
    means the text has no limit of its own: `max_text_length()` applies. `declared_length`: the field checks its
    own declared length later (after its own normalisation, e.g. a credit code's spaces removed), so none here."""
    refused = problem(value)
    if refused:
        raise ValidationError(refused, code="invalid_character")
    text = cleaned(value)
    message = None if declared_length else too_long(text, max_length)
    if message:
        raise ValidationError(message, code="max_length")
    return text


def cleaned(value: str) -> str:
    """`value` with the invisible characters removed and line breaks unified as `\\n` (no checks)."""
    if value.isascii() and value.isprintable():
        return value  # the common case
    return value.replace("\r\n", "\n").translate(_REMOVE)


def too_long(text: str, max_length: int | None = None) -> str | None:
    """The message when `text` is over `max_length` (None: `max_text_length()`), else None."""
    limit = max_text_length() if max_length is None else max_length
    if len(text) > limit:
        return _("At most %(max)d characters (this has %(n)d).") % {"max": limit, "n": len(text)}
    return None


# --- installing it into the field classes --------------------------------------------------------
_installed = False


def install() -> None:
    """Make every Django form CharField and every DRF CharField normalise its input (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    _install_forms()
    _install_drf()


def _install_forms() -> None:
    from django import forms

    original = forms.CharField.to_python

    def to_python(self, value):
        if isinstance(value, str) and value and not isinstance(self.widget, forms.PasswordInput):
            value = normalise(value, declared_length=self.max_length is not None)
        return original(self, value)

    to_python.__doc__ = "Kehu: text normalised first (kehu.core.textinput)."
    forms.CharField.to_python = to_python


def _install_drf() -> None:
    from rest_framework import fields

    original = fields.CharField.to_internal_value

    def to_internal_value(self, data):
        value = original(self, data)
        if not isinstance(value, str) or self.style.get("input_type") == "password":
            return value
        try:
            value = normalise(value, declared_length=self.max_length is not None)
        except ValidationError as exc:
            raise fields.ValidationError(exc.messages, code=exc.code) from None
        if self.trim_whitespace:
            value = value.strip()
        if value == "" and not self.allow_blank:
            self.fail("blank")
        return value

    to_internal_value.__doc__ = "Kehu: text normalised (kehu.core.textinput)."
    fields.CharField.to_internal_value = to_internal_value
