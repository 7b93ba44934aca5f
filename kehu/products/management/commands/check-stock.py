"""`kehu check-stock`: every warehouse whose stock balances disagree with their ledger (exit status 1 if any)."""

import sys

from django.core.management.base import BaseCommand

from kehu.products import ledger
from kehu.products.models import Stock, Warehouse


def _plain(value) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class Command(BaseCommand):
    help = "Report warehouses whose stock balance is not the sum of their ledger rows."

    def add_arguments(self, parser):
        parser.add_argument("--warehouse", action="append", help="A warehouse code (default: every warehouse).")

    def handle(self, *args, warehouse=None, **options):
        ids = None
        if warehouse:
            ids = list(Warehouse.objects.filter(code__in=[w.upper() for w in warehouse]).values_list("pk", flat=True))
        found = ledger.check_stock(ids)
        if not found:
            rows = Stock.objects.filter(warehouse_id__in=ids).count() if ids is not None else Stock.objects.count()
            self.stdout.write(f"Every stock balance is the sum of its ledger ({rows} stock rows checked).")
            return
        codes = dict(Warehouse.objects.values_list("pk", "code"))
        names = []
        for d in found:
            last = _plain(d.last_balance) if d.last_balance is not None else "none"
            self.stdout.write(
                f"{d.warehouse} ({codes[d.warehouse_id]}): {d.sku} balance {_plain(d.balance)} "
                f"but the ledger sums to {_plain(d.ledger)} (last row {last})"
            )
            if d.warehouse not in names:
                names.append(d.warehouse)
        noun = "warehouse has" if len(names) == 1 else "warehouses have"
        self.stdout.write(f"{len(names)} {noun} balances that disagree with its ledger: {', '.join(names)}.")
        sys.exit(1)
