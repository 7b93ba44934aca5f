"""Number formats of UI.md: money `¥1,234,567.89`, chart and tile money `123.5万`, percentages with one decimal."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def money(value):
    number = _decimal(value)
    if number is None:
        return "—"
    number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    return f"{sign}¥{abs(number):,.2f}"


@register.filter
def count(value):
    number = _decimal(value)
    return "—" if number is None else f"{number.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"


@register.filter
def figure(value, unit="money"):
    """A metric's value in its unit: money or a count."""
    return money(value) if unit == "money" else count(value)


@register.filter
def wan(value):
    number = _decimal(value)
    if number is None:
        return "—"
    if abs(number) < 10000:
        return f"{number.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
    return f"{(number / 10000).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}万"


@register.filter
def percent(value):
    number = _decimal(value)
    return "—" if number is None else f"{number.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


@register.filter
def times(value):
    """A coverage ratio: 1.50×."""
    number = _decimal(value)
    return "—" if number is None else f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}×"


@register.filter
def compact(value, unit="money"):
    """A tile's figure: money as 123.5万, counts whole."""
    return wan(value) if unit == "money" else count(value)
