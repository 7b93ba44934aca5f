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


# --- product text stored in the database, shown in the reader's language ------------------------------------
# A message, a trail entry or a pool reason is written by the system once and read later by people who may use
# another language (or switch). Such text is stored as its English msgid and parameters, and translated each time
# it is shown: `Translatable(N_("No follow-up for %(days)d days"), days=30)` saved in a `TranslatableCharField`.
# Text people type into the same field stays as typed.

PREFIX = "i18n:"


class Translatable:
    """A product text with its parameters, translated into the active language whenever it is shown.
    Parameters may be Translatables themselves (a reason inside a warning)."""

    def __init__(self, msgid, context: str = "", /, **params):
        # msgid: the English text, or (singular, plural) counted by the "count" parameter
        self.msgid = [str(m) for m in msgid] if isinstance(msgid, list | tuple) else str(msgid)
        self.context, self.params = context, params

    def _translated(self) -> str:
        from django.utils.translation import gettext, ngettext, npgettext, pgettext

        if isinstance(self.msgid, list):
            singular, plural = self.msgid
            count = self.params.get("count", 1)
            if self.context:
                return npgettext(self.context, singular, plural, count)
            return ngettext(singular, plural, count)
        return pgettext(self.context, self.msgid) if self.context else gettext(self.msgid)

    def __str__(self) -> str:
        text = self._translated()
        if not self.params:
            return text
        return text % {
            key: str(value) if isinstance(value, Translatable) else value for key, value in self.params.items()
        }

    def __html__(self) -> str:
        from django.utils.html import escape

        return escape(str(self))

    def __bool__(self) -> bool:
        return True

    def __eq__(self, other) -> bool:
        if isinstance(other, Translatable):
            return self.as_data() == other.as_data()
        return str(self) == other

    def __hash__(self) -> int:
        return hash(self.encode())

    def __contains__(self, item) -> bool:
        return item in str(self) or item in self.encode()

    def __len__(self) -> int:
        return len(str(self))

    def __repr__(self) -> str:
        return f"Translatable({self.msgid!r}, {self.params!r})"

    @classmethod
    def of(cls, lazy_text, **params) -> "Translatable":
        """The Translatable of a `gettext_lazy`/`pgettext_lazy` text (a choice label, say)."""
        kw = getattr(lazy_text, "_kw", None) or {}
        if "singular" in kw:  # ngettext_lazy(singular, plural, "count") / npgettext_lazy
            return cls((kw["singular"], kw["plural"]), kw.get("context", ""), **params)
        args = getattr(lazy_text, "_args", None)
        if not args:
            return cls(str(lazy_text), **params)
        return cls(args[-1], args[0] if len(args) == 2 else "", **params)

    def as_data(self) -> dict:
        params = {k: v.as_data() if isinstance(v, Translatable) else v for k, v in self.params.items()}
        return {"m": self.msgid, "c": self.context, "p": params}

    @classmethod
    def from_data(cls, data: dict) -> "Translatable":
        if "l" in data:
            return _from_data(data)
        params = {k: _from_data(v) for k, v in (data.get("p") or {}).items()}
        return Translatable(data["m"], data.get("c") or "", **params)

    def encode(self) -> str:
        import json

        return PREFIX + json.dumps(self.as_data(), ensure_ascii=False, separators=(",", ":"))


class Lines(Translatable):
    """Texts (each typed or product text) shown one per line."""

    def __init__(self, lines):
        super().__init__("")
        self.lines = list(lines)

    def __str__(self) -> str:
        return "\n".join(str(line) for line in self.lines)

    def as_data(self) -> dict:
        return {"m": "", "l": [line.as_data() if isinstance(line, Translatable) else str(line) for line in self.lines]}


def _from_data(data):
    if isinstance(data, dict) and "l" in data:
        return Lines(_from_data(line) for line in data["l"])
    if isinstance(data, dict) and "m" in data:
        return Translatable.from_data(data)
    return data


def fit(value, max_length: int):
    """Typed text cut to the column; a Translatable as it is (its field stores it)."""
    return value if isinstance(value, Translatable) else str(value)[:max_length]


def stored_text(value):
    """What a database value means: a Translatable when the system stored one, else the text as it is."""
    import json

    if isinstance(value, str) and value.startswith(PREFIX):
        try:
            return Translatable.from_data(json.loads(value[len(PREFIX) :]))
        except (ValueError, KeyError, TypeError):
            return value
    return value


def text_for_storage(value, max_length: int | None = None):
    """The database form of `value`. A Translatable too long for the column is stored as its text in the default
    language, cut to fit (it is then shown as stored)."""
    if not isinstance(value, Translatable):
        return value
    encoded = value.encode()
    if max_length is None or len(encoded) <= max_length:
        return encoded
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return str(value)[:max_length]


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
