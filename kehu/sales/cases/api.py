"""The REST API of the case library: the same services and rules as the pages (the customer's name only for
readers who may see the customer)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from kehu.core.api_resources import ResourceViewSet, parse_body
from kehu.core.models import DictionaryItem
from kehu.sales.cases import queries, services
from kehu.sales.cases.models import Case, CaseAttachment
from kehu.sales.cases.resources import CASES


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseAttachment
        fields = ["id", "name", "size", "uploaded_at"]


class CaseSerializer(serializers.ModelSerializer):
    customer_name = serializers.SerializerMethodField(help_text="null when the reader may not see the customer")
    industry_label = serializers.CharField(source="industry.label", read_only=True, default=None)
    author_name = serializers.CharField(source="author.display_name", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "opportunity",
            "title",
            "industry",
            "industry_label",
            "customer_name",
            "problem",
            "solution",
            "products",
            "amount",
            "lessons",
            "status",
            "author",
            "author_name",
            "published_at",
            "attachments",
            "version",
        ]
        read_only_fields = fields

    def get_customer_name(self, obj) -> str | None:
        names = self.context.get("customer_names")
        if names is None:
            names = queries.customer_names(self.context["request"].user, [obj])
        return names.get(obj.pk)


class CaseWriteSerializer(serializers.Serializer):
    opportunity = serializers.IntegerField(required=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=120)
    industry = serializers.PrimaryKeyRelatedField(
        queryset=DictionaryItem.objects.filter(dictionary__code="industry"), required=False, allow_null=True
    )
    problem = serializers.CharField(required=False, allow_blank=True)
    solution = serializers.CharField(required=False, allow_blank=True)
    products = serializers.CharField(required=False, allow_blank=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    lessons = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, allow_null=True)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, allow_null=True)


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class CaseViewSet(ResourceViewSet):
    resource = CASES
    prefetch = ("attachments",)
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer(self, *args, **kwargs):
        if kwargs.get("many") and args:
            rows = list(args[0])
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["customer_names"] = queries.customer_names(self.request.user, rows)
            return super().get_serializer(rows, *args[1:], **kwargs)
        return super().get_serializer(*args, **kwargs)

    def _one(self, case, status=200):
        case = services.get_case_for_user(self.request.user, case.pk)
        return Response(CaseSerializer(case, context={"request": self.request}).data, status=status)

    @extend_schema(request=CaseWriteSerializer, responses=CaseSerializer)
    def create(self, request):
        data = parse_body(CaseWriteSerializer, request.data)
        data.pop("version", None)
        opportunity = data.pop("opportunity", None)
        if opportunity is None:
            raise serializers.ValidationError({"opportunity": [_("Choose a won opportunity you may see.")]})
        return self._one(services.create_case(request.user, opportunity_id=opportunity, **data), 201)

    @extend_schema(request=CaseWriteSerializer, responses=CaseSerializer)
    def partial_update(self, request, pk=None):
        data = parse_body(CaseWriteSerializer, request.data, partial=True)
        data.pop("opportunity", None)
        version = data.pop("version", None)
        return self._one(services.update_case(request.user, pk, expected_version=version, **data))

    @extend_schema(request=VersionSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        data = parse_body(VersionSerializer, request.data)
        return self._one(services.publish_case(request.user, pk, expected_version=data.get("version")))

    @extend_schema(request=VersionSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = parse_body(VersionSerializer, request.data)
        return self._one(services.withdraw_case(request.user, pk, expected_version=data.get("version")))

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses=AttachmentSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        data = parse_body(UploadSerializer, request.data)
        attachment = services.add_attachment(request.user, pk, data["file"])
        return Response(AttachmentSerializer(attachment).data, status=201)
