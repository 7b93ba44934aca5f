"""REST API of customers and contacts: the same services and scope as the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from kehu.core.api import IdField, id_list
from kehu.core.api_resources import ResourceViewSet, parse_body
from kehu.core.models import DictionaryItem
from kehu.customers import services
from kehu.customers.models import Contact, Customer
from kehu.customers.resources import CONTACTS, CUSTOMERS
from kehu.customers.text import PHONE_TYPED_LENGTH, normalize_credit_code
from kehu.org.models import Department, User


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "name",
            "title",
            "mobile",
            "email",
            "wechat",
            "decision_role",
            "is_primary",
            "notes",
            "version",
        ]
        read_only_fields = ["id", "customer"]
        extra_kwargs = {
            "version": {"read_only": False, "required": False},
            "mobile": {"max_length": PHONE_TYPED_LENGTH},  # as typed; stored normalised (text.normalize_phone)
        }


class CustomerSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.display_name", read_only=True, default=None, allow_null=True)
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "number",
            *services.CUSTOMER_FIELDS,
            "status",
            "owner",
            "owner_name",
            "owner_department",
            "created_at",
            "last_activity_at",
            "last_followup_at",
            "contacts",
            "version",
        ]
        read_only_fields = [
            "id",
            "number",
            "status",
            "owner",
            "owner_department",
            "created_at",
            "last_activity_at",
            "last_followup_at",
        ]


class CreditCodeField(serializers.CharField):
    """The credit code normalised before its length is checked, as on the form and in the import."""

    def to_internal_value(self, data):
        return normalize_credit_code(super().to_internal_value(data))


def _dictionary(code):
    return serializers.PrimaryKeyRelatedField(
        queryset=DictionaryItem.objects.filter(dictionary__code=code), required=False, allow_null=True
    )


class CustomerWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    credit_code = CreditCodeField(max_length=18, required=False, allow_blank=True, default="")
    industry = _dictionary("industry")
    level = _dictionary("customer_level")
    source = _dictionary("customer_source")
    region = _dictionary("region")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    website = serializers.URLField(required=False, allow_blank=True, default="")
    tags = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    contacts = ContactSerializer(many=True, required=False, max_length=services.MAX_CONTACTS)
    version = serializers.IntegerField(required=False)


class ShareSerializer(serializers.Serializer):
    users = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), many=True, required=False)
    departments = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), many=True, required=False)
    can_edit = serializers.BooleanField(default=False)
    until = serializers.DateTimeField(required=False, allow_null=True)


class TransferSerializer(serializers.Serializer):
    customers = id_list(min_length=1)
    to_user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    reason = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class HandoverSerializer(serializers.Serializer):
    leaver = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    successor = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())


class MergeSerializer(serializers.Serializer):
    keep = IdField()
    duplicate = IdField()


class MoveSummarySerializer(serializers.Serializer):
    customers = serializers.IntegerField()
    open_followups = serializers.IntegerField()
    planned_visits = serializers.IntegerField()
    skipped = serializers.ListField(child=serializers.IntegerField())
    approval = serializers.IntegerField(
        source="request_instance_id", allow_null=True, help_text="Set when the move waits for approval instead."
    )


class DuplicateSerializer(serializers.Serializer):
    reason = serializers.CharField()
    message = serializers.CharField()
    customer = serializers.IntegerField(allow_null=True, help_text="null when the customer is outside your scope")


class CustomerViewSet(ResourceViewSet):
    """Customers of the list `?scope=mine|shared|all` (default mine; all needs customers.transfer, as the
    customer-management page), with the list page's filters and `?sort=`."""

    resource = CUSTOMERS
    serializer_class = CustomerSerializer

    prefetch = ("contacts",)

    @extend_schema(request=CustomerWriteSerializer, responses={201: CustomerSerializer})
    def create(self, request):
        data = parse_body(CustomerWriteSerializer, request.data)
        contacts = [dict(c) for c in data.pop("contacts", [])]
        data.pop("version", None)
        customer = services.create_customer(request.user, data, contacts)
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CustomerWriteSerializer, responses={200: CustomerSerializer})
    def partial_update(self, request, pk=None):
        customer = services.get_customer_for_user(request.user, pk, "change")
        data = parse_body(CustomerWriteSerializer, {"name": customer.name, **request.data}, partial=True)
        if "contacts" in data:
            raise serializers.ValidationError({"contacts": ["Change contacts through /api/contacts/."]})
        version = data.pop("version", None)
        customer = services.update_customer(request.user, customer, data, version)
        return Response(CustomerSerializer(customer).data)

    @extend_schema(request=None, responses={200: CustomerSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a draft customer into approval (it becomes pending; active at once when no flow is published)."""
        customer = services.get_customer_for_user(request.user, pk, "change")
        return Response(CustomerSerializer(services.submit_customer(request.user, customer)).data)

    @extend_schema(request=ShareSerializer, responses={200: serializers.DictField()})
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        data = parse_body(ShareSerializer, request.data)
        count = services.share_customer(
            request.user,
            self.get_object(),
            users=data.get("users", []),
            departments=data.get("departments", []),
            can_edit=data["can_edit"],
            until=data.get("until"),
        )
        return Response({"shared": count})

    @extend_schema(request=TransferSerializer, responses={200: MoveSummarySerializer})
    @action(detail=False, methods=["post"])
    def transfer(self, request):
        data = parse_body(TransferSerializer, request.data)
        summary = services.transfer_customers(request.user, data["customers"], data["to_user"], data["reason"])
        return Response(MoveSummarySerializer(summary).data)

    @extend_schema(request=HandoverSerializer, responses={200: MoveSummarySerializer})
    @action(detail=False, methods=["post"])
    def handover(self, request):
        data = parse_body(HandoverSerializer, request.data)
        return Response(MoveSummarySerializer(services.hand_over(request.user, data["leaver"], data["successor"])).data)

    @extend_schema(request=MergeSerializer, responses={200: CustomerSerializer})
    @action(detail=False, methods=["post"])
    def merge(self, request):
        """Merge `duplicate` into `keep` (ids). Needs customers.manage; 404 unless both are in the change scope."""
        data = parse_body(MergeSerializer, request.data)
        merged = services.merge_customers(request.user, data["keep"], data["duplicate"])
        return Response(CustomerSerializer(merged).data)

    @extend_schema(
        responses={200: DuplicateSerializer(many=True)},
        filters=False,
        parameters=[
            OpenApiParameter("name", str),
            OpenApiParameter("credit_code", str),
            OpenApiParameter("phone", {"type": "array", "items": {"type": "string"}}, explode=True),
        ],
    )
    @action(detail=False, methods=["get"], url_path="duplicates", pagination_class=None, filter_backends=[])
    def duplicates(self, request):
        """The duplicate check: `?name=…&credit_code=…&phone=…`."""
        found = services.find_duplicates(
            request.user,
            name=request.query_params.get("name", ""),
            credit_code=request.query_params.get("credit_code", ""),
            phones=request.query_params.getlist("phone"),
        )
        return Response(
            [
                {"reason": d.reason, "message": d.message(), "customer": d.customer.pk if d.visible else None}
                for d in found
            ]
        )


class ContactViewSet(ResourceViewSet):
    """Contacts of the customers in the caller's scope (`?q=` a name or mobile prefix, `?customer=`,
    `?decision_role=`, `?is_primary=`); `POST` with `customer` adds one."""

    resource = CONTACTS
    serializer_class = ContactSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request):
        customer_id = request.data.get("customer")
        customer = services.get_customer_for_user(request.user, customer_id, "change")
        data = parse_body(ContactSerializer, request.data)
        data.pop("version", None)
        contact = services.save_contact(request.user, customer, None, data)
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        contact = get_object_or_404(Contact.objects.visible_to(request.user, "change"), pk=pk)
        data = parse_body(ContactSerializer, request.data, partial=True)
        version = data.pop("version", None)
        contact = services.save_contact(request.user, contact.customer, contact, data, version)
        return Response(ContactSerializer(contact).data)

    def destroy(self, request, pk=None):
        contact = get_object_or_404(Contact.objects.visible_to(request.user, "change"), pk=pk)
        services.delete_contact(request.user, contact)
        return Response(status=status.HTTP_204_NO_CONTENT)
