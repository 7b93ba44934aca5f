"""Domain events of products and stock, and the messages they send (after the commit: kehu.core.events).

- `stock.low`: stock rows fell below their minimum (`stocks`: their ids, `actor`). The warehouse's keepers (and its
  owner) and sales operations (whoever may manage products) get one message per warehouse, in their language.
  Email and robots join when the notification issue lands.
"""

from django.urls import reverse
from django.utils.translation import gettext_noop as N_
from django.utils.translation import ngettext_lazy

from kehu.core.events import declare, subscribe
from kehu.core.text import Lines, Translatable

STOCK_LOW = declare("stock.low", "Stock fell below its minimum: stocks (ids), actor")


def ops_people():
    """Sales operations for products: everyone whose role may manage products."""
    from kehu.org.queries import holders

    return list(holders("products", "manage"))


@subscribe(STOCK_LOW)
def tell_keepers_and_ops(event) -> None:
    from kehu.notify.services import send_in_their_language
    from kehu.products.models import Stock

    stocks = Stock.objects.filter(pk__in=event["stocks"], is_low=True).select_related("product", "warehouse")
    by_warehouse: dict = {}
    for stock in stocks.order_by("warehouse_id", "product__sku"):
        by_warehouse.setdefault(stock.warehouse, []).append(stock)
    ops = ops_people()
    for warehouse, low in by_warehouse.items():
        people = {warehouse.owner, *warehouse.keepers.all(), *ops}

        # product text, shown in each reader's language whenever it is read (kehu.core.text.Translatable)
        title = Translatable.of(
            ngettext_lazy(
                "Low stock in %(warehouse)s: %(count)d product",
                "Low stock in %(warehouse)s: %(count)d products",
                "count",
            ),
            warehouse=warehouse.name,
            count=len(low),
        )
        body = Lines(
            Translatable(
                N_("%(product)s: %(quantity)s %(unit)s left (minimum %(minimum)s)"),
                product=f"{s.product.sku} {s.product.name}",
                quantity=_plain(s.quantity),
                unit=s.product.unit,
                minimum=_plain(s.minimum if s.minimum is not None else s.product.min_stock),
            )
            for s in low
        )

        def compose(user, title=title, body=body):
            return title, body

        send_in_their_language(sorted(people, key=lambda u: u.pk), compose, link=reverse("products:low_stock"))


def _plain(value) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
