"""REST API of the configuration sales operations maintain: dictionaries and their values."""

from django.utils.translation import gettext as _
from rest_framework import mixins, permissions, serializers, viewsets

from kehu.core import services
from kehu.core.models import Dictionary, DictionaryItem


class DictionaryItemSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = DictionaryItem
        fields = [
            "id",
            "dictionary",
            "code",
            "label",
            "label_zh",
            "label_en",
            "sort_order",
            "is_active",
            "version",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {"version": {"read_only": False, "required": False}}
        validators = []


class DictionarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    items = DictionaryItemSerializer(many=True, read_only=True)

    class Meta:
        model = Dictionary
        fields = ["id", "code", "name", "name_zh", "name_en", "is_system", "items"]


class ReadAllWriteConfig(permissions.BasePermission):
    """Every user reads dictionaries (forms need them); only config.manage changes them."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return request.user.is_authenticated
        return request.user.has_perm("config.manage")


class DictionaryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DictionarySerializer
    queryset = Dictionary.objects.prefetch_related("items")
    permission_classes = [ReadAllWriteConfig]
    lookup_field = "code"
    search_fields = ["code", "name_zh", "name_en"]


class DictionaryItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = DictionaryItemSerializer
    queryset = DictionaryItem.objects.select_related("dictionary")
    permission_classes = [ReadAllWriteConfig]
    filterset_fields = ["dictionary", "is_active", "code"]
    search_fields = ["code", "label_zh", "label_en"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.add_dictionary_item(
            self.request.user,
            data["dictionary"],
            code=data["code"],
            label_zh=data["label_zh"],
            label_en=data.get("label_en", ""),
            sort_order=data.get("sort_order", 0),
            is_active=data.get("is_active", True),
        )

    def perform_update(self, serializer):
        item = serializer.instance
        data = serializer.validated_data
        if data.get("code", item.code) != item.code or data.get("dictionary", item.dictionary) != item.dictionary:
            raise serializers.ValidationError({"code": [_("The code of a dictionary value never changes.")]})
        serializer.instance = services.update_dictionary_item(
            self.request.user,
            item,
            expected_version=data.get("version"),
            label_zh=data.get("label_zh", item.label_zh),
            label_en=data.get("label_en", item.label_en),
            sort_order=data.get("sort_order", item.sort_order),
            is_active=data.get("is_active", item.is_active),
        )
