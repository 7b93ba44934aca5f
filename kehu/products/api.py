"""REST API of products and stock: the same services, scope and cost rule as the pages. Every serializer that can
show a cost is a `CostHidingMixin` (kehu/products/costs.py): without products.costs the fields are not there."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from kehu.core.api_resources import ResourceViewSet, parse_body
from kehu.org.models import User
from kehu.products import documents, ledger, services
from kehu.products.costs import CostHidingMixin
from kehu.products.models import (
    Category,
    PriceList,
    Product,
    ProductPicture,
    Stock,
    StockIn,
    StockInLine,
    StockMove,
    Stocktake,
    StocktakeLine,
    Warehouse,
)
from kehu.products.resources import MOVES, PRICE_LISTS, PRODUCTS, STOCK, STOCK_INS, STOCKTAKES, WAREHOUSES

PICKER_SIZE = 20


class PictureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductPicture
        fields = ["id", "width", "height", "uploaded_at"]


class ProductSerializer(CostHidingMixin, serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)
    pictures = PictureSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = ["id", *services.PRODUCT_FIELDS, "category_name", "pictures", "created_at", "version"]
        read_only_fields = fields


class ProductWriteSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=60)
    name = serializers.CharField(max_length=200)
    category = serializers.IntegerField()
    specification = serializers.CharField(required=False, allow_blank=True, default="")
    unit = serializers.CharField(required=False, allow_blank=True, default="")
    list_price = serializers.CharField()
    tax_rate = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    cost_price = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    status = serializers.CharField(required=False, default=Product.Status.ON_SALE)
    tracks_batches = serializers.BooleanField(required=False, default=False)
    min_stock = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)


class PickerSerializer(serializers.ModelSerializer):
    """What an opportunity or order line needs of a product (no cost)."""

    class Meta:
        model = Product
        fields = ["id", "sku", "name", "specification", "unit", "list_price", "tax_rate", "status"]


class ProductViewSet(ResourceViewSet):
    """The catalogue (`?q=` name, pinyin, initials or SKU; `?category=` with its subcategories; `?status=`)."""

    resource = PRODUCTS
    serializer_class = ProductSerializer
    prefetch = ("pictures",)

    @extend_schema(request=ProductWriteSerializer, responses={201: ProductSerializer})
    def create(self, request):
        data = parse_body(ProductWriteSerializer, request.data)
        data.pop("version", None)
        product = services.create_product(request.user, data)
        return Response(ProductSerializer(product, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProductWriteSerializer, responses={200: ProductSerializer})
    def partial_update(self, request, pk=None):
        product = self.resource.get_for_user(request.user, pk, "change")
        current = {name: getattr(product, name) for name in services.PRODUCT_FIELDS}
        current = {k: (str(v) if hasattr(v, "is_finite") else v) for k, v in current.items()}  # decimals as text
        current["category"] = product.category_id
        data = parse_body(ProductWriteSerializer, {**current, **request.data})
        version = data.pop("version", None)
        product = services.update_product(request.user, product.pk, data, version)
        return Response(ProductSerializer(product, context={"request": request}).data)

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="name, pinyin, initials or SKU")],
        responses={200: PickerSerializer(many=True)},
        filters=False,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def picker(self, request):
        """The product picker of opportunities and orders: products on sale matching `?q=` (20 at most)."""
        rows = services.search_products(
            Product.objects.visible_to(request.user).filter(status=Product.Status.ON_SALE),
            request.query_params.get("q", ""),
        )
        return Response(PickerSerializer(rows.order_by("sku", "id")[:PICKER_SIZE], many=True).data)

    @extend_schema(
        request={
            "multipart/form-data": {"type": "object", "properties": {"picture": {"type": "string", "format": "binary"}}}
        },
        responses={201: PictureSerializer},
    )
    @action(detail=True, methods=["post"])
    def pictures(self, request, pk=None):
        """Upload a picture (multipart, field `picture`): JPEG, PNG or WebP, checked by content."""
        product = self.resource.get_for_user(request.user, pk, "change")
        picture = services.add_picture(request.user, product, request.FILES.get("picture"))
        return Response(PictureSerializer(picture).data, status=status.HTTP_201_CREATED)


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "name", "depth", "parent"]

    def get_parent(self, obj) -> int | None:
        parent = obj.get_parent()
        return parent.pk if parent else None


class PriceListItemSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=14, decimal_places=2)


class PriceListSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()

    class Meta:
        model = PriceList
        fields = ["id", "name", "customer_level", "valid_from", "valid_until", "items", "version"]

    def get_items(self, obj) -> list[dict]:
        return [{"product": i.product_id, "price": str(i.price)} for i in obj.items.all()]


class PriceListWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    customer_level = serializers.IntegerField(required=False, allow_null=True)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True)
    items = PriceListItemSerializer(many=True, required=False)


class PriceQuerySerializer(serializers.Serializer):
    product = serializers.IntegerField()
    customer = serializers.IntegerField(required=False)
    date = serializers.DateField(required=False)


class PriceListViewSet(ResourceViewSet):
    resource = PRICE_LISTS
    serializer_class = PriceListSerializer
    prefetch = ("items",)

    @extend_schema(request=PriceListWriteSerializer, responses={201: PriceListSerializer})
    def create(self, request):
        data = parse_body(PriceListWriteSerializer, request.data)
        price_list = services.save_price_list(
            request.user,
            name=data["name"],
            customer_level=data.get("customer_level"),
            valid_from=data["valid_from"],
            valid_until=data.get("valid_until"),
            items=[(i["product"], i["price"]) for i in data.get("items", [])],
        )
        return Response(PriceListSerializer(price_list).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[PriceQuerySerializer], responses={200: serializers.DictField()})
    @action(detail=False, methods=["get"])
    def price(self, request):
        """The price a customer gets: `?product=&customer=&date=` (the customer must be visible to the caller)."""
        from kehu.customers.models import Customer

        query = PriceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        product = self.resource_product(request, query.validated_data["product"])
        customer = None
        if query.validated_data.get("customer"):
            customer = Customer.objects.visible_to(request.user).filter(pk=query.validated_data["customer"]).first()
            if customer is None:
                raise Http404
        price = services.price_for(customer, product, query.validated_data.get("date"))
        return Response({"product": product.pk, "customer": getattr(customer, "pk", None), "price": str(price)})

    @staticmethod
    def resource_product(request, pk):
        return PRODUCTS.get_for_user(request.user, pk)


class WarehouseSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)

    class Meta:
        model = Warehouse
        fields = [
            "id",
            "code",
            "name",
            "address",
            "owner",
            "owner_name",
            "owner_department",
            "keepers",
            "is_default",
            "allow_negative",
            "is_active",
            "version",
        ]
        read_only_fields = fields


class WarehouseWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=60)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    keepers = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )
    is_default = serializers.BooleanField(required=False, default=False)
    allow_negative = serializers.BooleanField(required=False, default=False)
    is_active = serializers.BooleanField(required=False, default=True)
    version = serializers.IntegerField(required=False)


class WarehouseViewSet(ResourceViewSet):
    """Warehouses in the caller's scope (and those they keep); sales operations create and change them."""

    resource = WAREHOUSES
    serializer_class = WarehouseSerializer
    prefetch = ("keepers",)

    @extend_schema(request=WarehouseWriteSerializer, responses={201: WarehouseSerializer})
    def create(self, request):
        services.require(request.user, "manage")
        data = parse_body(WarehouseWriteSerializer, request.data)
        data.pop("version", None)
        warehouse = services.save_warehouse(request.user, **data)
        return Response(WarehouseSerializer(warehouse).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WarehouseWriteSerializer, responses={200: WarehouseSerializer})
    def partial_update(self, request, pk=None):
        services.require(request.user, "manage")
        warehouse = self.resource.get_for_user(request.user, pk, "manage")
        current = {
            "code": warehouse.code,
            "name": warehouse.name,
            "address": warehouse.address,
            "owner": warehouse.owner_id,
            "keepers": list(warehouse.keepers.values_list("pk", flat=True)),
            "is_default": warehouse.is_default,
            "allow_negative": warehouse.allow_negative,
            "is_active": warehouse.is_active,
        }
        data = parse_body(WarehouseWriteSerializer, {**current, **request.data})
        version = data.pop("version", None)
        warehouse = services.save_warehouse(request.user, pk=warehouse.pk, expected_version=version, **data)
        return Response(WarehouseSerializer(warehouse).data)


class StockSerializer(CostHidingMixin, serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    unit = serializers.CharField(source="product.unit", read_only=True)
    warehouse_name = serializers.CharField(source="warehouse.name", read_only=True)
    cost_value = serializers.SerializerMethodField()

    class Meta:
        model = Stock
        fields = [
            "id",
            "product",
            "sku",
            "product_name",
            "unit",
            "warehouse",
            "warehouse_name",
            "quantity",
            "minimum",
            "is_low",
            "cost_value",
            "updated_at",
        ]
        read_only_fields = fields

    def get_cost_value(self, obj) -> str | None:
        cost = obj.product.cost_price
        return str((cost * obj.quantity).quantize(cost)) if cost is not None else None


class MinimumSerializer(serializers.Serializer):
    minimum = serializers.DecimalField(max_digits=16, decimal_places=3, min_value=0, allow_null=True)


class StockViewSet(ResourceViewSet):
    """Stock per product and warehouse (`?tab=low` the low-stock list), sortable by `quantity`."""

    resource = STOCK
    serializer_class = StockSerializer

    @extend_schema(request=MinimumSerializer, responses={200: StockSerializer})
    @action(detail=True, methods=["post"])
    def minimum(self, request, pk=None):
        """This warehouse's own minimum for the product (null: the product's)."""
        services.require(request.user, "manage")
        stock = self.resource.get_for_user(request.user, pk, "manage")  # 404 outside the manage scope
        data = parse_body(MinimumSerializer, request.data)
        stock = ledger.set_minimum(stock, data["minimum"])
        return Response(StockSerializer(stock, context={"request": request}).data)


class StockMoveSerializer(CostHidingMixin, serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    actor_name = serializers.CharField(source="actor.display_name", read_only=True, default=None)

    class Meta:
        model = StockMove
        fields = [
            "id",
            "product",
            "sku",
            "warehouse",
            "kind",
            "quantity",
            "balance",
            "unit_cost",
            "batch",
            "document",
            "document_type",
            "document_id",
            "note",
            "actor",
            "actor_name",
            "created_at",
        ]
        read_only_fields = fields


class AdjustSerializer(serializers.Serializer):
    warehouse = serializers.IntegerField()
    product = serializers.IntegerField()
    quantity = serializers.CharField()
    note = serializers.CharField(max_length=200)


class StockMoveViewSet(ResourceViewSet):
    """The ledger (`?product=`, `?warehouse=`, `?kind=`, dates), newest first."""

    resource = MOVES
    serializer_class = StockMoveSerializer

    @extend_schema(request=AdjustSerializer, responses={201: StockMoveSerializer})
    @action(detail=False, methods=["post"])
    def adjust(self, request):
        """An adjustment by sales operations (signed quantity, with a reason)."""
        data = parse_body(AdjustSerializer, request.data)
        move = documents.adjust_stock(
            request.user,
            warehouse=data["warehouse"],
            product=data["product"],
            quantity=data["quantity"],
            note=data["note"],
        )
        return Response(StockMoveSerializer(move, context={"request": request}).data, status=status.HTTP_201_CREATED)


class StockInLineSerializer(CostHidingMixin, serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)

    class Meta:
        model = StockInLine
        fields = ["id", "product", "sku", "product_name", "quantity", "unit_cost", "batch"]


class StockInSerializer(serializers.ModelSerializer):
    lines = StockInLineSerializer(many=True, read_only=True)

    class Meta:
        model = StockIn
        fields = [
            "id",
            "number",
            "warehouse",
            "supplier",
            "note",
            "status",
            "created_by",
            "created_at",
            "approved_at",
            "cancelled_at",
            "cancel_reason",
            "lines",
            "version",
        ]
        read_only_fields = fields


class LineInputSerializer(serializers.Serializer):
    product = serializers.CharField()
    quantity = serializers.CharField()
    unit_cost = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    batch = serializers.CharField(required=False, allow_blank=True, default="")


class StockInWriteSerializer(serializers.Serializer):
    warehouse = serializers.CharField()
    supplier = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    lines = LineInputSerializer(many=True)
    version = serializers.IntegerField(required=False)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class StockInViewSet(ResourceViewSet):
    """Stock-ins: create a draft, change it, `submit` it (approval; posted at once with no published flow),
    `cancel` an approved one (reversing entries), delete a draft."""

    resource = STOCK_INS
    serializer_class = StockInSerializer
    prefetch = ("lines__product",)

    def _out(self, request, stock_in, code=status.HTTP_200_OK):
        stock_in = StockIn.objects.prefetch_related("lines__product").get(pk=stock_in.pk)
        return Response(StockInSerializer(stock_in, context={"request": request}).data, status=code)

    @extend_schema(request=StockInWriteSerializer, responses={201: StockInSerializer})
    def create(self, request):
        data = parse_body(StockInWriteSerializer, request.data)
        stock_in = documents.create_stock_in(
            request.user,
            warehouse=data["warehouse"],
            lines=[dict(line) for line in data["lines"]],
            supplier=data["supplier"],
            note=data["note"],
        )
        return self._out(request, stock_in, status.HTTP_201_CREATED)

    @extend_schema(request=StockInWriteSerializer, responses={200: StockInSerializer})
    def partial_update(self, request, pk=None):
        data = parse_body(StockInWriteSerializer, request.data)
        stock_in = documents.update_stock_in(
            request.user,
            self.resource.get_for_user(request.user, pk).pk,
            warehouse=data["warehouse"],
            lines=[dict(line) for line in data["lines"]],
            supplier=data["supplier"],
            note=data["note"],
            expected_version=data.get("version"),
        )
        return self._out(request, stock_in)

    @extend_schema(request=None, responses={200: StockInSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        services.require(request.user, "stock")
        stock_in = self.resource.get_for_user(request.user, pk)
        return self._out(request, documents.submit(request.user, StockIn, stock_in.pk))

    @extend_schema(request=CancelSerializer, responses={200: StockInSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        services.require(request.user, "manage")
        stock_in = self.resource.get_for_user(request.user, pk)
        data = parse_body(CancelSerializer, request.data)
        return self._out(request, documents.cancel_stock_in(request.user, stock_in.pk, data["reason"]))

    def destroy(self, request, pk=None):
        stock_in = self.resource.get_for_user(request.user, pk)
        documents.delete_draft(request.user, StockIn, stock_in.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StocktakeLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = StocktakeLine
        fields = ["id", "product", "sku", "counted", "expected", "posted"]


class StocktakeSerializer(serializers.ModelSerializer):
    lines = StocktakeLineSerializer(many=True, read_only=True)

    class Meta:
        model = Stocktake
        fields = ["id", "number", "warehouse", "note", "status", "created_by", "created_at", "approved_at", "lines"]
        read_only_fields = fields


class CountLineSerializer(serializers.Serializer):
    product = serializers.CharField()
    counted = serializers.CharField()


class StocktakeWriteSerializer(serializers.Serializer):
    warehouse = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    lines = CountLineSerializer(many=True)


class StocktakeViewSet(ResourceViewSet):
    resource = STOCKTAKES
    serializer_class = StocktakeSerializer
    prefetch = ("lines__product",)

    @extend_schema(request=StocktakeWriteSerializer, responses={201: StocktakeSerializer})
    def create(self, request):
        data = parse_body(StocktakeWriteSerializer, request.data)
        stocktake = documents.create_stocktake(
            request.user, warehouse=data["warehouse"], lines=[dict(line) for line in data["lines"]], note=data["note"]
        )
        return Response(StocktakeSerializer(stocktake).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: StocktakeSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        services.require(request.user, "stock")
        stocktake = self.resource.get_for_user(request.user, pk)
        return Response(StocktakeSerializer(documents.submit(request.user, Stocktake, stocktake.pk)).data)
