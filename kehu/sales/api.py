"""REST API of opportunities: the same services, scope and rules as the pages (the kanban drop is
`POST /api/opportunities/{id}/move/` with the card's version)."""

from tempfile import TemporaryFile

from django.core.exceptions import ValidationError
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view, parser_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from kehu.core import importing
from kehu.core.api_resources import ResourceViewSet, parse_body
from kehu.customers.models import FollowUp
from kehu.org.models import User
from kehu.sales import exports, imports, queries, services
from kehu.sales.kanban import read_board
from kehu.sales.models import Opportunity, OpportunityFollowUp, Stage, StageHistory
from kehu.sales.resources import OPPORTUNITIES


class LineSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=200)
    quantity = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    unit_price = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class OpportunitySerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    is_stalled = serializers.BooleanField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    counts = serializers.BooleanField(read_only=True, help_text="Approved (or no approval needed): counts in totals.")

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "name",
            "amount",
            "expected_close_date",
            "stage",
            "stage_name",
            "status",
            "approval_status",
            "counts",
            "source",
            "decision_maker",
            "contacts",
            "competitors",
            "description",
            "next_step",
            "won_amount",
            "closed_on",
            "loss_reason",
            "won_by_competitor",
            "result_note",
            "owner",
            "owner_name",
            "owner_department",
            "stage_entered_at",
            "last_activity_at",
            "is_stalled",
            "is_overdue",
            "created_at",
            "version",
        ]
        read_only_fields = fields


class OpportunityWriteSerializer(serializers.Serializer):
    """Amounts as strings ("120000.50"): they are Decimal, never floats."""

    customer = serializers.IntegerField(required=False)
    name = serializers.CharField(max_length=100, required=False)
    amount = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    expected_close_date = serializers.DateField(required=False)
    stage = serializers.IntegerField(required=False)
    source = serializers.IntegerField(required=False, allow_null=True)
    decision_maker = serializers.IntegerField(required=False, allow_null=True)
    contacts = serializers.ListField(child=serializers.IntegerField(), required=False)
    competitors = serializers.ListField(child=serializers.IntegerField(), required=False)
    lines = LineSerializer(many=True, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=200)
    members = serializers.ListField(
        child=serializers.DictField(), required=False, help_text='[{"user": 3, "can_edit": false}]'
    )
    version = serializers.IntegerField(required=False)


class MoveSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    version = serializers.IntegerField(required=False, help_text="The version the card showed (optimistic locking).")


class FollowUpWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FollowUp.Kind.choices)
    content = serializers.CharField()
    contact = serializers.IntegerField(required=False, allow_null=True)
    next_step = serializers.CharField(required=False, allow_blank=True, default="")
    next_step_due = serializers.DateField(required=False, allow_null=True)
    stage = serializers.IntegerField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False)


class FollowUpSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="followup.kind")
    content = serializers.CharField(source="followup.content")
    author = serializers.IntegerField(source="followup.author_id")
    happened_at = serializers.DateTimeField(source="followup.happened_at")

    class Meta:
        model = OpportunityFollowUp
        fields = [
            "id",
            "opportunity",
            "kind",
            "content",
            "author",
            "happened_at",
            "moved_from",
            "moved_to",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
        ]
        read_only_fields = fields


class StageHistorySerializer(serializers.ModelSerializer):
    stage_name = serializers.CharField(source="stage.name")
    days = serializers.SerializerMethodField()

    class Meta:
        model = StageHistory
        fields = ["id", "stage", "stage_name", "entered_at", "left_at", "entered_by", "days"]

    def get_days(self, row) -> int:
        return row.days()


class WinSerializer(serializers.Serializer):
    won_amount = serializers.CharField()
    closed_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)


class LoseSerializer(serializers.Serializer):
    loss_reason = serializers.IntegerField(required=False, allow_null=True)
    won_by_competitor = serializers.IntegerField(required=False, allow_null=True)
    result_note = serializers.CharField(required=False, allow_blank=True, default="")
    closed_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False)


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(required=False)


class TransferSerializer(serializers.Serializer):
    opportunities = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    to_user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    reason = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


def _members(data):
    return [(m.get("user"), bool(m.get("can_edit"))) for m in data.pop("members", []) or []]


class OpportunityViewSet(ResourceViewSet):
    """Opportunities of `?scope=mine|all` (all needs opportunities.transfer, as opportunity management), with the
    list page's filters (`view=my_open|closing_this_month|stalled|overdue|won_this_quarter`, `stage`, `status` …)."""

    resource = OPPORTUNITIES
    serializer_class = OpportunitySerializer
    prefetch = ("contacts", "competitors")

    def _out(self, opportunity, code=status.HTTP_200_OK):
        fresh = Opportunity.objects.select_related("customer", "owner", "stage").get(pk=opportunity.pk)
        return Response(OpportunitySerializer(fresh).data, status=code)

    @extend_schema(request=OpportunityWriteSerializer, responses={201: OpportunitySerializer})
    def create(self, request):
        data = parse_body(OpportunityWriteSerializer, request.data)
        data.pop("version", None)
        data["members"] = _members(data)
        if "lines" in data:
            data["lines"] = [dict(line) for line in data["lines"]]
        return self._out(services.create_opportunity(request.user, data), status.HTTP_201_CREATED)

    @extend_schema(request=OpportunityWriteSerializer, responses={200: OpportunitySerializer})
    def partial_update(self, request, pk=None):
        opportunity = services.get_opportunity_for_user(request.user, pk, "change")
        data = parse_body(OpportunityWriteSerializer, request.data, partial=True)
        version = data.pop("version", None)
        members = data.pop("members", None)
        if "lines" in data:
            data["lines"] = [dict(line) for line in data["lines"]]
        opportunity = services.update_opportunity(request.user, opportunity, data, version)
        if members is not None:
            services.set_members(request.user, opportunity, [(m.get("user"), bool(m.get("can_edit"))) for m in members])
        return self._out(opportunity)

    @extend_schema(request=MoveSerializer, responses={200: OpportunitySerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move to another stage (the kanban drop). 400 with the missing fields on `stage` and on each field's own
        key when the stage's gate is not met; 409 when `version` is stale (the message names who moved it)."""
        data = parse_body(MoveSerializer, request.data)
        return self._out(services.move_stage(request.user, pk, data["stage"], data.get("version")))

    @extend_schema(request=None, responses={200: OpportunitySerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        opportunity = services.get_opportunity_for_user(request.user, pk, "change")
        return self._out(services.submit_opportunity(request.user, opportunity))

    @extend_schema(request=FollowUpWriteSerializer, responses={201: FollowUpSerializer, 200: FollowUpSerializer})
    @action(detail=True, methods=["get", "post"])
    def followups(self, request, pk=None):
        """GET: the opportunity's follow-ups; POST: record one (it may move the stage, under the stage rules)."""
        if request.method == "GET":
            opportunity = self.get_object()
            return Response(FollowUpSerializer(queries.followups_of(opportunity), many=True).data)
        opportunity = services.get_opportunity_for_user(request.user, pk, "change")
        data = parse_body(FollowUpWriteSerializer, request.data)
        entry = services.record_followup(
            request.user,
            opportunity,
            kind=data["kind"],
            content=data["content"],
            contact=data.get("contact"),
            next_step=data.get("next_step", ""),
            next_step_due=data.get("next_step_due"),
            stage=data.get("stage"),
            expected_version=data.get("version"),
        )
        return Response(FollowUpSerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: StageHistorySerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="stage-history")
    def stage_history(self, request, pk=None):
        opportunity = self.get_object()
        rows = StageHistory.objects.filter(opportunity=opportunity).select_related("stage")
        return Response(StageHistorySerializer(rows, many=True).data)

    @extend_schema(request=WinSerializer, responses={200: OpportunitySerializer})
    @action(detail=True, methods=["post"])
    def win(self, request, pk=None):
        data = parse_body(WinSerializer, request.data)
        opportunity = services.get_opportunity_for_user(request.user, pk, "change")
        return self._out(
            services.win(
                request.user,
                opportunity,
                won_amount=data["won_amount"],
                closed_on=data.get("closed_on"),
                note=data["note"],
                expected_version=data.get("version"),
            )
        )

    @extend_schema(request=LoseSerializer, responses={200: OpportunitySerializer})
    @action(detail=True, methods=["post"])
    def lose(self, request, pk=None):
        data = parse_body(LoseSerializer, request.data)
        opportunity = services.get_opportunity_for_user(request.user, pk, "change")
        return self._out(
            services.lose(
                request.user,
                opportunity,
                loss_reason=data.get("loss_reason"),
                competitor=data.get("won_by_competitor"),
                note=data["result_note"],
                closed_on=data.get("closed_on"),
                expected_version=data.get("version"),
            )
        )

    @extend_schema(request=ReopenSerializer, responses={200: OpportunitySerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Managers (opportunities.reopen) reopen a won or lost opportunity, with a reason (kept in the trail)."""
        data = parse_body(ReopenSerializer, request.data)
        services.require(request.user, "reopen")
        opportunity = services.get_opportunity_for_user(request.user, pk, "change")
        return self._out(services.reopen(request.user, opportunity, data["reason"], data.get("version")))

    @extend_schema(request=TransferSerializer, responses={200: serializers.DictField()})
    @action(detail=False, methods=["post"])
    def transfer(self, request):
        data = parse_body(TransferSerializer, request.data)
        summary = services.transfer_opportunities(request.user, data["opportunities"], data["to_user"], data["reason"])
        return Response({"moved": summary.moved, "skipped": summary.skipped})

    @extend_schema(responses={200: serializers.DictField()})
    @action(detail=False, methods=["get"])
    def kanban(self, request):
        """Open opportunities of the scope by stage: count, total amount and the first cards of each stage
        (`?scope=mine` for one's own; the list's filters apply)."""
        services.require(request.user, "view")
        board = read_board(request.user, request.query_params, mine=request.query_params.get("scope") == "mine")
        filters = board["filters"]
        if filters is not None and filters.is_bound and not filters.is_valid():
            raise ValidationError(filters.errors)
        return Response(
            {
                "stages": [
                    {
                        "id": c["stage"].pk,
                        "name": c["stage"].name,
                        "probability": c["stage"].probability,
                        "count": c["count"],
                        "total": str(c["total"]),
                        "cards": OpportunitySerializer(c["cards"], many=True).data,
                    }
                    for c in board["columns"]
                ]
            }
        )


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = [
            "id",
            "name",
            "position",
            "probability",
            "required_fields",
            "may_reenter",
            "rotting_days",
            "is_active",
            "version",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {"version": {"read_only": False, "required": False}}


class StageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The pipeline stages (everyone with opportunities.view reads them; opportunities.manage changes them)."""

    serializer_class = StageSerializer
    pagination_class = None

    def get_queryset(self):
        services.require(self.request.user, "view")
        return Stage.objects.order_by("position", "pk")

    def create(self, request):
        data = parse_body(StageSerializer, request.data)
        data.pop("version", None)
        return Response(StageSerializer(services.save_stage(request.user, None, data)).data, status=201)

    def partial_update(self, request, pk=None):
        stage = self.get_object()
        data = parse_body(StageSerializer, request.data, partial=True)
        version = data.pop("version", None)
        return Response(StageSerializer(services.save_stage(request.user, stage, data, version)).data)


class FollowUpReviewViewSet(viewsets.GenericViewSet):
    serializer_class = FollowUpSerializer

    def get_queryset(self):
        return OpportunityFollowUp.objects.visible_to(self.request.user)

    @extend_schema(request=ReviewSerializer, responses={200: FollowUpSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """A manager reviews (审阅) an opportunity follow-up of someone in their scope."""
        data = parse_body(ReviewSerializer, request.data)
        entry = self.get_object()
        return Response(FollowUpSerializer(services.review_followup(request.user, entry, data["comment"])).data)


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    mode = serializers.ChoiceField(choices=importing.MODES, default="validate")


@extend_schema(
    request={"multipart/form-data": ImportRequestSerializer},
    responses={200: serializers.DictField(), 201: serializers.DictField(), 400: serializers.DictField()},
    description="Import opportunities from an .xlsx file (the template's columns); modes as for customers.",
)
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
def import_api(request):
    serializer = ImportRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    try:
        result = imports.run_import(request.user, data["file"], mode=data["mode"])
    except importing.ImportFileError as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    body = result.as_dict()
    if data["mode"] == "validate":
        return Response(body)
    if not result.written:
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(responses={(200, exports.XLSX): bytes})
@api_view(["GET"])
def export_api(request):
    """The list with the same scope and filters as GET /api/opportunities/, as an .xlsx file."""
    params = request.query_params.copy()
    scope = params.pop("scope", ["mine"])[-1]
    queryset = exports.export_queryset(request.user, params, scope)
    out = TemporaryFile()
    exports.write_export(queryset, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=exports.export_file_name(), content_type=exports.XLSX)
