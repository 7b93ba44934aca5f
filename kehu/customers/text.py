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


def normalize_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", to_half_width(phone or ""))
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            return digits[len(prefix) :]
    return digits


MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{9,11}$")


def valid_phone(phone: str) -> bool:
    """A mainland mobile number or a landline with its area code (extensions are not accepted)."""
    digits = normalize_phone(phone)
    return bool(MOBILE.match(digits) or LANDLINE.match(digits))
