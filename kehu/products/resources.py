"""The lists of products and stock, declared once: each gives its page, its API list and its leak-test entries
(kehu.core.resources). Cost columns carry `perm=COST_PERM`: who may not see costs gets neither header nor cells."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core import resources
from kehu.core.resources import Column, Resource, Tab
from kehu.products import queries
from kehu.products.costs import COST_PERM
from kehu.products.models import PriceList, Product, Stock, StockIn, StockMove, Stocktake, Warehouse

CATALOGUE = "the catalogue is the company's: everyone with products.view sees every product and price list"

PRODUCTS = resources.register(
    Resource(
        key="products.product",
        model=Product,
        module="products",
        title=_("Products"),
        rows=queries.products_for,
        filterset=queries.ProductFilter,
        main_filters=("q",),
        search_placeholder=_("Name, pinyin or SKU"),
        sorts={"sku": "sku", "name": "name_pinyin", "price": "list_price", "created": "id"},
        default_sort="sku",
        pages={"": "products:list"},
        api="product",
        serializer="kehu.products.api.ProductSerializer",
        columns=[
            Column("sku", _("SKU"), "<a href=\"{% url 'products:detail' obj.pk %}\">{{ obj.sku }}</a>", sort="sku"),
            Column(
                "name",
                _("Product name"),
                "<a href=\"{% url 'products:detail' obj.pk %}\">{{ obj.name }}</a>",
                sort="name",
                title=True,
            ),
            Column("category", _("Category"), "{{ obj.category.name }}"),
            Column("specification", _("Specification"), "{{ obj.specification|default:'—' }}", css="text-break"),
            Column("unit", _("Unit"), "{{ obj.unit }}"),
            Column("list_price", _("List price"), "{{ obj.list_price }}", sort="price", css="text-end"),
            Column("cost_price", _("Cost price"), "{{ obj.cost_price|default:'—' }}", css="text-end", perm=COST_PERM),
            Column(
                "status",
                _("Status"),
                '<span class="status{% if obj.status == "on_sale" %} status-success{% else %} status-muted{% endif %}">'
                "{{ obj.get_status_display }}</span>",
            ),
        ],
        marker=lambda p: p.sku,
        icon="box-seam",
        actions_template="products/_product_list_actions.html",
        empty_text=_("No products yet."),
        empty_filtered_text=_("No product matches these filters."),
        unscoped=CATALOGUE,
    )
)

PRICE_LISTS = resources.register(
    Resource(
        key="products.price_list",
        model=PriceList,
        module="products",
        title=_("Price lists"),
        rows=queries.price_lists_for,
        sorts={"from": "valid_from", "name": "name"},
        default_sort="-from",
        pages={"": "products:price_lists"},
        api="price-list",
        serializer="kehu.products.api.PriceListSerializer",
        columns=[
            Column(
                "name",
                _("Price list"),
                "<a href=\"{% url 'products:price_list' obj.pk %}\">{{ obj.name }}</a>",
                sort="name",
                title=True,
            ),
            Column(
                "customer_level",
                _("Customer group"),
                "{{ obj.customer_level.label|default:_('Every customer') }}",
            ),
            Column("valid_from", _("Valid from"), '{{ obj.valid_from|date:"Y-m-d" }}', sort="from"),
            Column("valid_until", _("Valid until"), '{{ obj.valid_until|date:"Y-m-d"|default:"—" }}'),
        ],
        marker=lambda p: p.name,
        icon="tags",
        actions_template="products/_price_list_actions.html",
        empty_text=_("No price lists: every customer pays the list price."),
        unscoped=CATALOGUE,
    )
)

WAREHOUSES = resources.register(
    Resource(
        key="products.warehouse",
        model=Warehouse,
        module="products",
        title=_("Warehouses"),
        rows=queries.warehouses_for,
        sorts={"code": "code"},
        default_sort="code",
        pages={"": "products:warehouses"},
        api="warehouse",
        serializer="kehu.products.api.WarehouseSerializer",
        columns=[
            Column("code", _("Code"), "{{ obj.code }}", sort="code"),
            Column(
                "name",
                _("Warehouse name"),
                "<a href=\"{% url 'products:stock' %}?warehouse={{ obj.pk }}\">{{ obj.name }}</a>"
                '{% if obj.is_default %} <span class="status status-success">{% translate "Default" %}</span>'
                "{% endif %}"
                '{% if not obj.is_active %} <span class="status status-muted">{% translate "Not in use" %}</span>'
                "{% endif %}",
                title=True,
            ),
            Column("owner", _("Head keeper"), "{{ obj.owner.display_name }}"),
            Column(
                "allow_negative",
                _("Below zero"),
                "{% if obj.allow_negative %}{% translate 'Allowed' %}{% else %}"
                "{% translate 'Not allowed' %}{% endif %}",
            ),
        ],
        marker=lambda w: w.code,
        icon="building",
        actions_template="products/_warehouse_list_actions.html",
    )
)

STOCK = resources.register(
    Resource(
        key="products.stock",
        model=Stock,
        module="products",
        title=_("Stock levels"),
        rows=queries.stock_for,
        filterset=queries.StockFilter,
        main_filters=("q",),
        page_filters=("q", "warehouse", "category"),
        search_placeholder=_("Name, pinyin or SKU"),
        sorts={"quantity": "quantity", "updated": "updated_at"},
        default_sort="quantity",
        tabs=[Tab("all", _("Stock levels"), complete=True), Tab("low", _("Low stock"))],
        default_tab="all",
        pages={"all": "products:stock", "low": "products:low_stock"},
        api="stock",
        serializer="kehu.products.api.StockSerializer",
        columns=[
            Column(
                "product",
                _("Product"),
                "<a href=\"{% url 'products:ledger' %}?product={{ obj.product_id }}&warehouse={{ obj.warehouse_id }}\">"
                "{{ obj.product.sku }} {{ obj.product.name }}</a>"
                '<span class="visually-hidden"> STOCK-{{ obj.pk }}</span>',
                title=True,
            ),
            Column("warehouse", _("Warehouse"), "{{ obj.warehouse.name }}"),
            Column(
                "quantity",
                _("Quantity"),
                '{% load products_tags %}<span class="text-nowrap'
                '{% if obj.is_low %} text-danger fw-semibold{% endif %}">'
                "{{ obj.quantity|qty }} {{ obj.product.unit }}</span>",
                sort="quantity",
                css="text-end",
            ),
            Column(
                "minimum",
                _("Minimum"),
                "{% load products_tags %}{% firstof obj.minimum obj.product.min_stock as minimum %}"
                "{{ minimum|qty|default:'—' }}",
                css="text-end",
            ),
            Column("updated_at", _("Last movement"), '{{ obj.updated_at|date:"Y-m-d H:i" }}', sort="updated"),
        ],
        marker=lambda s: f"STOCK-{s.pk}",
        row_class="",
        icon="boxes",
        intro_template="products/_stock_intro.html",
        empty_text=_("No stock yet: a stock-in brings goods into a warehouse."),
    )
)

MOVES = resources.register(
    Resource(
        key="products.move",
        model=StockMove,
        module="products",
        title=_("Stock ledger"),
        rows=queries.moves_for,
        filterset=queries.MoveFilter,
        main_filters=("kind",),
        page_filters=("warehouse", "kind", "date_from", "date_to"),
        sorts={"when": "id"},
        default_sort="-when",
        pages={"": "products:ledger"},
        api="stock-move",
        serializer="kehu.products.api.StockMoveSerializer",
        columns=[
            Column(
                "created_at",
                pgettext_lazy("stock movement", "When"),
                '{{ obj.created_at|date:"Y-m-d H:i" }}<span class="visually-hidden"> MOVE-{{ obj.pk }}</span>',
                sort="when",
                css="text-nowrap",
            ),
            Column("product", _("Product"), "{{ obj.product.sku }} {{ obj.product.name }}", title=True),
            Column("warehouse", _("Warehouse"), "{{ obj.warehouse.name }}"),
            Column("kind", _("Kind"), '<span class="status">{{ obj.get_kind_display }}</span>'),
            Column(
                "quantity",
                _("Quantity"),
                '{% load products_tags %}<span class="{% if obj.quantity < 0 %}text-danger{% else %}text-success'
                '{% endif %}">{{ obj.quantity|signed_qty }}</span>',
                css="text-end",
            ),
            Column("balance", _("Balance"), "{% load products_tags %}{{ obj.balance|qty }}", css="text-end"),
            Column("unit_cost", _("Unit cost"), "{{ obj.unit_cost|default:'—' }}", css="text-end", perm=COST_PERM),
            Column(
                "document",
                _("Document"),
                "{% load products_tags %}{% document_link obj %}",
            ),
            Column("actor", _("By"), "{{ obj.actor.display_name|default:'—' }}"),
        ],
        marker=lambda m: f"MOVE-{m.pk}",
        icon="journal-text",
        intro_template="products/_ledger_intro.html",
        empty_text=_("No movements."),
    )
)

STOCK_INS = resources.register(
    Resource(
        key="products.stock_in",
        model=StockIn,
        module="products",
        title=_("Stock-ins"),
        rows=queries.stock_ins_for,
        filterset=queries.DocumentFilter,
        main_filters=("status",),
        page_filters=("status", "number"),
        sorts={"created": "id"},
        default_sort="-created",
        pages={"": "products:stock_ins"},
        api="stock-in",
        serializer="kehu.products.api.StockInSerializer",
        columns=[
            Column(
                "number",
                _("Number"),
                "<a href=\"{% url 'products:stock_in_detail' obj.pk %}\">{{ obj.number }}</a>",
                sort="created",
                title=True,
            ),
            Column("warehouse", _("Warehouse"), "{{ obj.warehouse.name }}"),
            Column("supplier", _("Supplier"), "{{ obj.supplier|default:'—' }}"),
            Column("status", _("Status"), "{% load products_tags %}{% document_status obj %}"),
            Column("created_by", _("Created by"), "{{ obj.created_by.display_name }}"),
            Column("created_at", _("Created"), '{{ obj.created_at|date:"Y-m-d H:i" }}'),
        ],
        marker=lambda d: d.number,
        icon="box-arrow-in-down",
        actions_template="products/_stock_in_list_actions.html",
        empty_text=_("No stock-ins yet."),
    )
)

STOCKTAKES = resources.register(
    Resource(
        key="products.stocktake",
        model=Stocktake,
        module="products",
        title=_("Stocktakes"),
        rows=queries.stocktakes_for,
        filterset=queries.StocktakeFilter,
        main_filters=("status",),
        page_filters=("status", "number"),
        sorts={"created": "id"},
        default_sort="-created",
        pages={"": "products:stocktakes"},
        api="stocktake",
        serializer="kehu.products.api.StocktakeSerializer",
        columns=[
            Column(
                "number",
                _("Number"),
                "<a href=\"{% url 'products:stocktake_detail' obj.pk %}\">{{ obj.number }}</a>",
                sort="created",
                title=True,
            ),
            Column("warehouse", _("Warehouse"), "{{ obj.warehouse.name }}"),
            Column("status", _("Status"), "{% load products_tags %}{% document_status obj %}"),
            Column("created_by", _("Created by"), "{{ obj.created_by.display_name }}"),
            Column("created_at", _("Created"), '{{ obj.created_at|date:"Y-m-d H:i" }}'),
        ],
        marker=lambda d: d.number,
        icon="clipboard-check",
        actions_template="products/_stocktake_list_actions.html",
        empty_text=_("No stocktakes yet."),
    )
)
