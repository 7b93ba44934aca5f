from decimal import Decimal

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def qty(value):
    """A quantity without trailing zeros: 12.000 → 12, 1.500 → 1.5."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def signed_qty(value):
    text = qty(value)
    return f"+{text}" if value is not None and Decimal(value) > 0 else text


STATUS_CSS = {"draft": "", "pending": " status-warning", "approved": " status-success", "cancelled": " status-muted"}


@register.simple_tag
def document_status(document):
    return format_html(
        '<span class="status{}">{}</span>', STATUS_CSS.get(document.status, ""), document.get_status_display()
    )


DOCUMENT_PAGES = {"products.stockin": "products:stock_in_detail", "products.stocktake": "products:stocktake_detail"}


@register.simple_tag
def document_link(move):
    from django.urls import reverse

    if not move.document:
        return move.note or "—"
    page = DOCUMENT_PAGES.get(move.document_type)
    if page and move.document_id:
        return format_html('<a href="{}">{}</a>', reverse(page, kwargs={"pk": move.document_id}), move.document)
    return move.document
