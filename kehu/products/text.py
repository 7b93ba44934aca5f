"""How SKUs are compared: case and width do not make two products ("AB-01", "ab-01" and "ＡＢ－０１" are one)."""

from kehu.core.text import to_half_width


def sku_key(sku: str) -> str:
    return " ".join(to_half_width(sku or "").upper().split())
