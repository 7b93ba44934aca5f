"""Amounts on pages: ¥ with thousands separators and two decimals (fen); "—" for none."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def money(value, places: int = 2) -> str:
    if value in (None, ""):
        return "—"
    return f"¥{Decimal(value):,.{int(places)}f}"


@register.filter
def money_short(value) -> str:
    """A column total: ¥ and 万 (ten thousands) when large, as Chinese sales teams read it."""
    if value in (None, ""):
        return "¥0"
    amount = Decimal(value)
    if abs(amount) >= 10000:
        return f"¥{amount / 10000:,.1f}万"
    return f"¥{amount:,.0f}"
