"""Text helpers every module shares: labels stored in both languages (shown in the user's), and how Chinese
names are compared and searched (half-width forms, pinyin and initials)."""

import re
import unicodedata

from django.utils.translation import get_language
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS


def is_english() -> bool:
    return (get_language() or "").startswith("en")


def localized(zh: str, en: str) -> str:
    """The label in the active language, falling back to the other one when it is empty."""
    if is_english():
        return en or zh
    return zh or en


# --- comparing and searching Chinese text (names of companies, products …) --------------------------------------
# Shared by every module that stores a searchable name: full-width → half-width, pinyin and initials.
DROP = re.compile(r"[\s\-_·.,，。、'\"“”‘’()（）\[\]【】{}《》<>/\\]+")


def to_half_width(text: str) -> str:
    """Full-width letters, digits and punctuation as their ASCII forms (NFKC): "ＡＢ－１" → "AB-1"."""
    return unicodedata.normalize("NFKC", text)


def name_pinyin(name: str) -> str:
    text = DROP.sub("", to_half_width(name or "").lower())
    return "".join(lazy_pinyin(text, errors="default"))


def name_initials(name: str) -> str:
    text = DROP.sub("", to_half_width(name or "").lower())
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"))


_HANS = re.compile(f"({RE_HANS.pattern.lstrip('^').rstrip('$')})")


def pinyin_fields(name: str) -> tuple[str, str]:
    """`name_pinyin(name)` and `name_initials(name)` with one pinyin conversion instead of two (the conversion is
    the costliest part of importing a row). pypinyin converts runs of Chinese characters and keeps everything
    else; a character's first letter style is the first letter of its plain pinyin, so the initials follow from
    the plain syllables of the Chinese runs (tests/customers/test_import_write.py compares both)."""
    text = DROP.sub("", to_half_width(name or "").lower())
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
