"""REST API of the public pool: the same services, rules and messages as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from kehu.core.api import id_list
from kehu.core.api_resources import ResourceViewSet, parse_body
from kehu.customers import pool, pool_queries
from kehu.customers.api import CustomerSerializer
from kehu.customers.models import Contact, Customer
from kehu.customers.resources import POOL
from kehu.org.models import User


class PoolContactSerializer(serializers.ModelSerializer):
    """Contacts of a pool customer: who they are, not how to reach them (that comes with claiming)."""

    class Meta:
        model = Contact
        fields = ["id", "name", "title", "decision_role", "is_primary"]


class PoolCustomerSerializer(serializers.ModelSerializer):
    previous_owner_name = serializers.CharField(
        source="previous_owner.display_name", read_only=True, default=None, allow_null=True
    )
    pool_reason = serializers.CharField(read_only=True, default="")
    contacts = PoolContactSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "number",
            "name",
            "industry",
            "level",
            "source",
            "region",
            "address",
            "website",
            "tags",
            "released_at",
            "previous_owner",
            "previous_owner_name",
            "reclaim_blocked_until",
            "pool_reason",
            "last_followup_at",
            "contacts",
        ]
        read_only_fields = fields


class ReleaseSerializer(serializers.Serializer):
    customers = id_list(min_length=1)
    reason = serializers.CharField(max_length=200)


class AssignSerializer(serializers.Serializer):
    customers = id_list(min_length=1)
    to_user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())


class PoolSummarySerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.IntegerField())
    skipped = serializers.ListField(child=serializers.IntegerField())


class PendingReturnSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer.pk")
    customer_name = serializers.CharField(source="customer.name")
    owner = serializers.IntegerField(source="customer.owner_id")
    owner_name = serializers.CharField(source="customer.owner.display_name")
    rule = serializers.SerializerMethodField()
    reason = serializers.CharField()
    last_followup_at = serializers.DateTimeField(allow_null=True)
    idle_since = serializers.DateTimeField()
    idle_days = serializers.IntegerField()
    due_at = serializers.DateTimeField()

    def get_rule(self, pending) -> str:
        return str(pending.rule)


class ReturnPreviewSerializer(serializers.Serializer):
    run_at = serializers.DateTimeField()
    due = PendingReturnSerializer(many=True)
    soon = PendingReturnSerializer(many=True)


class PoolViewSet(ResourceViewSet):
    """Customers in the public pool (everyone with customers.view), with the customer list's filters and
    `?sort=` (default -released)."""

    resource = POOL
    serializer_class = PoolCustomerSerializer

    prefetch = ("contacts",)

    def get_object(self):
        return pool_queries.get_pool_customer(self.request.user, self.kwargs["pk"])

    @extend_schema(request=None, responses={200: CustomerSerializer})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """Claim the customer. Refused (400, `fields.customer`) when someone was faster (named), when the reclaim
        block of its previous owner runs, or when a cap is reached."""
        return Response(CustomerSerializer(pool.claim(request.user, pk)).data)

    @extend_schema(request=ReleaseSerializer, responses={200: PoolSummarySerializer})
    @action(detail=False, methods=["post"])
    def release(self, request):
        """Put customers into the pool; those the caller may not release are listed in `skipped`."""
        data = parse_body(ReleaseSerializer, request.data)
        return Response(
            PoolSummarySerializer(pool.release_to_pool(request.user, data["customers"], data["reason"])).data
        )

    @extend_schema(request=AssignSerializer, responses={200: PoolSummarySerializer})
    @action(detail=False, methods=["post"])
    def assign(self, request):
        """Give pool customers to someone (customers.manage or customers.transfer)."""
        data = parse_body(AssignSerializer, request.data)
        return Response(
            PoolSummarySerializer(pool.assign_from_pool(request.user, data["customers"], data["to_user"])).data
        )

    @extend_schema(responses={200: ReturnPreviewSerializer})
    @action(detail=False, methods=["get"])
    def preview(self, request):
        """What the next automatic return would do in the caller's scope (customers.transfer or manage)."""
        preview = pool_queries.preview_returns(request.user)
        return Response(ReturnPreviewSerializer(preview).data)
