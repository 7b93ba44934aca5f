from django.utils.translation import gettext_lazy as _

from kehu.core.menus import MenuEntry, register

VIEW = ("products", "view")
register(MenuEntry("products", _("Products"), "products:list", "products", "box-seam", 10, VIEW))
register(MenuEntry("stock_levels", _("Stock levels"), "products:stock", "products", "boxes", 20, VIEW))
register(MenuEntry("low_stock", _("Low stock"), "products:low_stock", "products", "exclamation-triangle", 25, VIEW))
register(MenuEntry("stock_ins", _("Stock-ins"), "products:stock_ins", "products", "box-arrow-in-down", 30, VIEW))
register(MenuEntry("stocktakes", _("Stocktakes"), "products:stocktakes", "products", "clipboard-check", 40, VIEW))
register(MenuEntry("stock_ledger", _("Stock ledger"), "products:ledger", "products", "journal-text", 50, VIEW))
register(MenuEntry("price_lists", _("Price lists"), "products:price_lists", "products", "tags", 60, VIEW))
register(MenuEntry("warehouses", _("Warehouses"), "products:warehouses", "products", "building", 70, VIEW))
register(
    MenuEntry("product_categories", _("Product categories"), "products:categories", "products", "diagram-3", 80, VIEW)
)
