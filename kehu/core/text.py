"""Text that is stored in both languages (labels sales operations type in) and shown in the user's."""

from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "").startswith("en")


def localized(zh: str, en: str) -> str:
    """The label in the active language, falling back to the other one when it is empty."""
    if is_english():
        return en or zh
    return zh or en
