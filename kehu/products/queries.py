"""Reads of products and stock, always from `visible_to`: the rows of each declared list and their filters."""

import django_filters
from django.utils.translation import gettext_lazy as _

from kehu.core.filters import IdFilter
from kehu.products.models import Category, PriceList, Product, Stock, StockIn, StockMove, Stocktake, Warehouse
from kehu.products.services import search_products


def products_for(user):
    return Product.objects.visible_to(user).select_related("category")


def price_lists_for(user):
    return PriceList.objects.visible_to(user).select_related("customer_level")


def warehouses_for(user):
    return Warehouse.objects.visible_to(user).select_related("owner")


def stock_for(user, tab="all"):
    rows = Stock.objects.visible_to(user).select_related("product", "warehouse")
    return rows.filter(is_low=True) if tab == "low" else rows


def moves_for(user):
    return StockMove.objects.visible_to(user).select_related("product", "warehouse", "actor")


def stock_ins_for(user):
    return StockIn.objects.visible_to(user).select_related("warehouse", "created_by")


def stocktakes_for(user):
    return Stocktake.objects.visible_to(user).select_related("warehouse", "created_by")


class CategoryFilter(django_filters.ModelChoiceFilter):
    """A category and everything below it."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__path__startswith": value.path})


def categories():
    return Category.objects.order_by("path")


def visible_warehouses(request):
    """The warehouses the filter offers: those the user sees (a request-less read offers none)."""
    if request is None:
        return Warehouse.objects.none()
    return Warehouse.objects.visible_to(request.user).order_by("code")


def warehouse_filter():
    return django_filters.ModelChoiceFilter(
        label=_("Warehouse"), field_name="warehouse", queryset=visible_warehouses, empty_label=_("All warehouses")
    )


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    category = CategoryFilter(label=_("Category"), field_name="category", queryset=categories())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Product.Status.choices)

    class Meta:
        model = Product
        fields = ["q", "category", "status"]

    def filter_search(self, queryset, name, value):
        return search_products(queryset, value)


class StockFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    warehouse = warehouse_filter()
    product = IdFilter(label=_("Product"), field_name="product_id")
    category = CategoryFilter(label=_("Category"), field_name="product__category", queryset=categories())

    class Meta:
        model = Stock
        fields = ["q", "warehouse", "product", "category"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(product__in=search_products(Product.objects.all(), value).values("pk"))


class MoveFilter(django_filters.FilterSet):
    product = IdFilter(label=_("Product"), field_name="product_id")
    warehouse = warehouse_filter()
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=StockMove.Kind.choices)
    date_from = django_filters.DateFilter(label=_("From"), field_name="created_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = StockMove
        fields = ["product", "warehouse", "kind", "date_from", "date_to"]


class DocumentFilter(django_filters.FilterSet):
    warehouse = warehouse_filter()
    status = django_filters.ChoiceFilter(label=_("Status"), choices=StockIn.Status.choices)
    number = django_filters.CharFilter(label=_("Number"), field_name="number", lookup_expr="icontains")

    class Meta:
        model = StockIn
        fields = ["warehouse", "status", "number"]


class StocktakeFilter(DocumentFilter):
    class Meta:
        model = Stocktake
        fields = ["warehouse", "status", "number"]
