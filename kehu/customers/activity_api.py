"""REST API of follow-ups and visits: the same services, scope and messages as the pages."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from kehu.core.api import IdField
from kehu.core.api_resources import ResourceViewSet, parse_body
from kehu.customers import activities
from kehu.customers.models import FollowUp, Visit
from kehu.customers.resources import FOLLOWUPS, VISITS
from kehu.customers.services import get_customer_for_user


class FollowUpSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    author_name = serializers.CharField(source="author.display_name", read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "customer",
            "customer_name",
            "contact",
            "author",
            "author_name",
            "kind",
            "content",
            "next_step",
            "next_step_due",
            "next_step_done_at",
            "happened_at",
            "created_at",
        ]
        read_only_fields = fields


class FollowUpWriteSerializer(serializers.Serializer):
    customer = IdField()
    kind = serializers.ChoiceField(choices=FollowUp.Kind.choices)
    content = serializers.CharField()
    contact = IdField(required=False, allow_null=True)
    next_step = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    next_step_due = serializers.DateField(required=False, allow_null=True)
    happened_at = serializers.DateTimeField(required=False, allow_null=True)


class FollowUpEditSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FollowUp.Kind.choices, required=False)
    content = serializers.CharField(required=False)
    contact = IdField(required=False, allow_null=True)
    next_step = serializers.CharField(max_length=200, required=False, allow_blank=True)
    next_step_due = serializers.DateField(required=False, allow_null=True)


class FollowUpViewSet(mixins.DestroyModelMixin, ResourceViewSet):
    """Follow-ups on the customers in the caller's scope. Filters: kind, author, customer, date_from, date_to,
    overdue; `?sort=when|due` (or -when, the default). Create needs change rights on the customer; the author
    edits or deletes within 24 hours."""

    resource = FOLLOWUPS
    serializer_class = FollowUpSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_object(self):
        return activities.get_followup_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=FollowUpWriteSerializer, responses={201: FollowUpSerializer})
    def create(self, request):
        data = parse_body(FollowUpWriteSerializer, request.data)
        customer = get_customer_for_user(request.user, data.pop("customer"), "change")
        followup = activities.record_followup(
            request.user,
            customer,
            data["kind"],
            data["content"],
            contact=data.get("contact"),
            next_step=data["next_step"],
            next_step_due=data.get("next_step_due"),
            happened_at=data.get("happened_at"),
        )
        return Response(FollowUpSerializer(followup).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FollowUpEditSerializer, responses={200: FollowUpSerializer})
    def partial_update(self, request, pk=None):
        followup = self.get_object()
        data = parse_body(FollowUpEditSerializer, request.data)
        current = {
            "kind": followup.kind,
            "content": followup.content,
            "contact": followup.contact_id,
            "next_step": followup.next_step,
            "next_step_due": followup.next_step_due,
        }
        followup = activities.update_followup(request.user, followup, **{**current, **data})
        return Response(FollowUpSerializer(followup).data)

    def destroy(self, request, pk=None):
        activities.delete_followup(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: FollowUpSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark the follow-up's next step done."""
        followup = activities.complete_next_step(request.user, self.get_object())
        return Response(FollowUpSerializer(followup).data)


class VisitSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    visitor_name = serializers.CharField(source="visitor.display_name", read_only=True)
    location_available = serializers.SerializerMethodField()
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "customer",
            "customer_name",
            "contact",
            "visitor",
            "visitor_name",
            "purpose",
            "planned_at",
            "status",
            "checked_in_at",
            "checkin_latitude",
            "checkin_longitude",
            "checkin_accuracy_m",
            "checkin_distance_m",
            "location_available",
            "photo_url",
            "summary",
            "followup",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "created_at",
        ]
        read_only_fields = fields

    def get_location_available(self, visit) -> bool | None:
        if visit.checked_in_at is None:
            return None
        return visit.checkin_latitude is not None

    def get_photo_url(self, visit) -> str | None:
        return reverse("customers:visit_photo", kwargs={"pk": visit.pk}) if visit.checkin_photo else None


class VisitPlanSerializer(serializers.Serializer):
    customer = IdField()
    contact = IdField(required=False, allow_null=True)
    purpose = serializers.CharField(max_length=200)
    planned_at = serializers.DateTimeField()


class CheckInSerializer(serializers.Serializer):
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)
    accuracy = serializers.FloatField(required=False, allow_null=True, help_text="metres, as the browser reported")
    photo = serializers.FileField(required=False, allow_null=True, help_text="JPEG, PNG or WebP up to 5 MB")


class SummarySerializer(serializers.Serializer):
    summary = serializers.CharField()
    next_step = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    next_step_due = serializers.DateField(required=False, allow_null=True)


class ReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class VisitViewSet(ResourceViewSet):
    """Visits to the customers in the caller's scope: plan → check-in → summary → review.
    `?box=upcoming|today|done|review|all` (default upcoming, as the page); on the "all" box the filters status,
    visitor, customer and dates."""

    serializer_class = VisitSerializer
    resource = VISITS
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_object(self):
        return activities.get_visit_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=VisitPlanSerializer, responses={201: VisitSerializer})
    def create(self, request):
        data = parse_body(VisitPlanSerializer, request.data)
        customer = get_customer_for_user(request.user, data["customer"], "change")
        visit = activities.plan_visit(
            request.user, customer, purpose=data["purpose"], planned_at=data["planned_at"], contact=data.get("contact")
        )
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CheckInSerializer, responses={200: VisitSerializer})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        """Check in on site: JSON {latitude, longitude, accuracy} or multipart with a photo. The time is the
        server's; without a location the check-in is recorded as "location unavailable"."""
        visit = self.get_object()
        data = parse_body(CheckInSerializer, request.data)
        visit = activities.check_in(
            request.user,
            visit,
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            accuracy=data.get("accuracy"),
            photo=data.get("photo"),
        )
        return Response(VisitSerializer(visit).data)

    @extend_schema(request=SummarySerializer, responses={200: VisitSerializer})
    @action(detail=True, methods=["post"])
    def summary(self, request, pk=None):
        """Write the summary: the visit is done and becomes a follow-up of kind "visit"."""
        visit = self.get_object()
        data = parse_body(SummarySerializer, request.data)
        visit = activities.write_summary(
            request.user, visit, data["summary"], next_step=data["next_step"], next_step_due=data.get("next_step_due")
        )
        return Response(VisitSerializer(visit).data)

    @extend_schema(request=ReviewSerializer, responses={200: VisitSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """A manager of the visitor acknowledges the visit, optionally with a comment; the visitor is told."""
        visit = self.get_object()
        data = parse_body(ReviewSerializer, request.data)
        return Response(VisitSerializer(activities.review_visit(request.user, visit, data["comment"])).data)

    @extend_schema(request=None, responses={200: VisitSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """The visitor cancels a visit that is still planned."""
        return Response(VisitSerializer(activities.cancel_visit(request.user, self.get_object())).data)
