"""How Chinese company names, credit codes and phone numbers are compared and searched.

- `normalize_name`: the key of the duplicate check. Full-width → half-width, brackets unified, spaces and
  punctuation dropped, the legal-form suffix (有限公司, 有限责任公司, 股份有限公司, 集团有限公司 …) removed, so
  "北京致远（科技）有限公司" and "北京致远(科技)有限责任公司 " are the same company.
- `name_pinyin` / `name_initials`: full pinyin and initials of the name, stored and indexed so "bjzy" finds
  北京致远.
- `valid_credit_code`: the 18-character unified social credit code with its GB 32100-2015 check digit.
- `normalize_phone`: digits only, without the +86 / 0086 prefix.
"""

import re

from kehu.core.text import DROP as _DROP
from kehu.core.text import name_initials, name_pinyin, pinyin_fields, to_half_width  # noqa: F401  (shared: core)

LEGAL_SUFFIXES = (
    "股份有限公司",
    "集团有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "集团公司",
    "分公司",
    "公司",
)


def normalize_name(name: str) -> str:
    text = to_half_width(name or "").strip().lower()
    text = _DROP.sub("", text)
    for suffix in LEGAL_SUFFIXES:  # longest first: strip one legal form, never the whole name
        if text.endswith(suffix):
            if len(text) > len(suffix):
                text = text[: -len(suffix)]
            break
    return text


# GB 32100-2015: 17 characters from this alphabet (no I, O, S, V, Z), then a check character.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(code: str) -> str:
    return to_half_width(code or "").strip().upper().replace(" ", "")


def valid_credit_code(code: str) -> bool:
    code = normalize_credit_code(code)
    if len(code) != 18 or any(c not in CREDIT_ALPHABET for c in code):
        return False
    return credit_check_char(code[:17]) == code[17]


PHONE_TYPED_LENGTH = 30  # a phone number as typed (spaces, +86, "转 801"); stored normalised, at most 19 characters
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{9,11}$")
# A landline's extension: after a dash, #, x, ext or 转 / 分机 at the end ("028-85551234-801", "010 6253 1234 转 56").
EXTENSION = re.compile(r"^(?P<number>.*\d)\s*(?:-|#|x|ext\.?|转|分机)\s*(?P<extension>\d{1,6})$", re.IGNORECASE)


def _digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) in (11 + len(prefix), 10 + len(prefix), 12 + len(prefix)):
            rest = digits[len(prefix) :]
            if MOBILE.match(rest):
                return rest
            # a landline written internationally (+86 10 6234 5678): area codes are 10, 2x or 3xx–9xx, never 1x
            if LANDLINE.match(f"0{rest}") and (rest.startswith("10") or not rest.startswith("1")):
                return f"0{rest}"
    return digits


def normalize_phone(phone: str) -> str:
    """Digits only, without the +86 / 0086 prefix; a landline's extension is kept after a dash
    (`028-85551234-801` → `02885551234-801`)."""
    text = to_half_width(phone or "").strip()
    found = EXTENSION.match(text)
    if found:
        number = _digits(found.group("number"))
        if LANDLINE.match(number):
            return f"{number}-{found.group('extension')}"
    return _digits(text)


def valid_phone(phone: str) -> bool:
    """A mainland mobile number, or a landline with its area code and optionally an extension."""
    number, _dash, extension = normalize_phone(phone).partition("-")
    if extension:
        return bool(LANDLINE.match(number))
    return bool(MOBILE.match(number) or LANDLINE.match(number))
