"""The approvals REST API: to-dos and what I handled, acting on a task, an approval's form and trail, flows
(for ops) and delegations. The same services as the pages; refusals answer the common error format, a task
already handled answers 409 `task_closed`."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from kehu.approvals import registry, services
from kehu.approvals.models import Delegation, FlowAction, FlowDefinition, FlowInstance, FlowTask
from kehu.approvals.resources import DELEGATIONS, INSTANCES, TASKS
from kehu.core.api_resources import ResourceViewSet, parse_body
from kehu.org.models import User
from kehu.org.scope import has_module_perm


class PersonField(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(queryset=User.objects.filter(status=User.Status.ACTIVE), **kwargs)


class ActionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", default=None, allow_null=True)
    on_behalf_of = serializers.CharField(source="on_behalf_of.display_name", default=None, allow_null=True)
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = FlowAction
        fields = [
            "id",
            "kind",
            "kind_label",
            "node_id",
            "node_name",
            "actor",
            "on_behalf_of",
            "comment",
            "detail",
            "changes",
            "created_at",
        ]


class TaskSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="instance.title")
    doc_type = serializers.CharField(source="instance.doc_type")
    submitter = serializers.CharField(source="instance.submitter.display_name")
    on_behalf_of = serializers.CharField(source="on_behalf_of.display_name", default=None, allow_null=True)

    class Meta:
        model = FlowTask
        fields = [
            "id",
            "instance",
            "title",
            "doc_type",
            "submitter",
            "node_id",
            "node_name",
            "kind",
            "state",
            "result",
            "on_behalf_of",
            "created_at",
            "due_at",
            "acted_at",
        ]


class InstanceSerializer(serializers.ModelSerializer):
    submitter = serializers.CharField(source="submitter.display_name")
    flow = serializers.CharField(source="definition.name")
    flow_version = serializers.IntegerField(source="definition.version")

    class Meta:
        model = FlowInstance
        fields = [
            "id",
            "doc_type",
            "object_id",
            "title",
            "state",
            "current_node",
            "submitter",
            "flow",
            "flow_version",
            "round",
            "started_at",
            "finished_at",
        ]


class InstanceDetailSerializer(InstanceSerializer):
    form = serializers.JSONField()
    path = serializers.JSONField()
    open_tasks = serializers.SerializerMethodField()
    trail = serializers.SerializerMethodField()
    trail_intact = serializers.SerializerMethodField()

    class Meta(InstanceSerializer.Meta):
        fields = [*InstanceSerializer.Meta.fields, "form", "path", "open_tasks", "trail", "trail_intact"]

    def get_open_tasks(self, obj) -> list[dict]:
        tasks = obj.tasks.filter(state__in=[FlowTask.State.OPEN, FlowTask.State.WAITING]).select_related("assignee")
        return [
            {
                "id": t.pk,
                "node_id": t.node_id,
                "node_name": t.node_name,
                "kind": t.kind,
                "state": t.state,
                "assignee": t.assignee.display_name,
                "assignee_id": t.assignee_id,
            }
            for t in tasks
        ]

    def get_trail(self, obj) -> list[dict]:
        return ActionSerializer(obj.actions.select_related("actor", "on_behalf_of"), many=True).data

    def get_trail_intact(self, obj) -> bool:
        return services.verify_trail(obj)


class ActSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=services.ACTIONS)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    to = serializers.CharField(required=False, default="submitter", help_text="return: 'submitter' or a node id")
    to_user = PersonField(required=False, help_text="transfer: who takes over")
    signer = PersonField(required=False, help_text="add_signer: who signs")
    position = serializers.ChoiceField(choices=["before", "after"], required=False, default="after")
    changes = serializers.DictField(required=False, default=dict, help_text="approve: corrected editable fields")


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


class TaskViewSet(ResourceViewSet):
    """My approval tasks: `box=todo` (default), `done` or `cc`; `q` (title words), `type`. One task: mine only."""

    resource = TASKS
    serializer_class = TaskSerializer

    @extend_schema(request=ActSerializer, responses={200: InstanceDetailSerializer})
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """Approve, reject, return, transfer, add a signer, or acknowledge a review. A task already handled
        answers 409 (`task_closed`)."""
        data = parse_body(ActSerializer, request.data)
        instance = services.act(
            request.user,
            pk,
            data["action"],
            data["comment"],
            changes=data["changes"],
            to=data["to"],
            to_user=data.get("to_user"),
            signer=data.get("signer"),
            position=data["position"],
        )
        instance.refresh_from_db()
        return Response(InstanceDetailSerializer(instance).data)


class InstanceViewSet(ResourceViewSet):
    """Approvals: `box=mine` (submitted by me, default), `involved` (I had a task) or `all` (approvals.manage,
    as the page); `q` (title words), `type`, `state`."""

    resource = INSTANCES

    def get_serializer_class(self):
        return InstanceDetailSerializer if self.action == "retrieve" else InstanceSerializer

    def get_object(self):
        return services.get_instance_for_user(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        """One approval; opening it reads the copies of it sent to me, as the page does."""
        instance = self.get_object()
        services.mark_copies_read(request.user, instance)
        return Response(InstanceDetailSerializer(instance).data)

    @extend_schema(request=None, responses={200: InstanceDetailSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        instance = services.withdraw(request.user, pk, request.data.get("comment", ""))
        return Response(InstanceDetailSerializer(instance).data)

    @extend_schema(request=None, responses={200: InstanceDetailSerializer})
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        """Send an approval returned to me through its flow again, with the document as it is now."""
        instance = services.resubmit(request.user, pk)
        instance.refresh_from_db()
        return Response(InstanceDetailSerializer(instance).data)

    @extend_schema(request=CommentSerializer, responses={201: ActionSerializer})
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        services.get_instance_for_user(request.user, pk)
        entry = services.comment(request.user, pk, parse_body(CommentSerializer, request.data)["comment"])
        return Response(ActionSerializer(entry).data, status=status.HTTP_201_CREATED)


class ManagesApprovals(BasePermission):
    def has_permission(self, request, view):
        return has_module_perm(request.user, "approvals", "manage")


class FlowSerializer(serializers.ModelSerializer):
    graph = serializers.JSONField(help_text="the flow's nodes and edges (see the developer guide)")

    class Meta:
        model = FlowDefinition
        fields = ["id", "doc_type", "version", "name", "graph", "status", "created_at", "published_at"]
        read_only_fields = ["version", "status", "created_at", "published_at"]

    def validate_graph(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("The flow graph must be an object with nodes and edges."))
        return value

    def validate_doc_type(self, value):
        if registry.get(value) is None:
            raise serializers.ValidationError(_("Unknown document type."))
        return value


class FlowViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Flow definitions (approvals.manage): create or edit a draft, publish it. Published versions never change:
    editing one makes a new draft."""

    serializer_class = FlowSerializer
    filterset_fields = ["doc_type", "status"]
    search_fields = ["name", "doc_type"]
    permission_classes = [IsAuthenticated, ManagesApprovals]  # 403 before any body is read

    def get_queryset(self):
        services.require_manage(self.request.user)
        return FlowDefinition.objects.all()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.save_draft(self.request.user, data["doc_type"], data["name"], data["graph"])

    def perform_update(self, serializer):
        current = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.save_draft(
            self.request.user,
            current.doc_type,
            data.get("name", current.name),
            data.get("graph", current.graph),
            current,
        )

    @extend_schema(request=None, responses={200: FlowSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Check and publish a draft; problems answer 400 with `fields` keyed by node id."""
        return Response(FlowSerializer(services.publish(request.user, self.get_object())).data)


class DelegationSerializer(serializers.ModelSerializer):
    user = PersonField(required=False)
    delegate = PersonField()

    class Meta:
        model = Delegation
        fields = ["id", "user", "delegate", "starts_on", "ends_on", "doc_types", "reason", "cancelled_at"]
        read_only_fields = ["cancelled_at"]


class DelegationViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, ResourceViewSet):
    """Delegations: mine (or everyone's, with approvals.manage). DELETE ends one."""

    resource = DELEGATIONS
    serializer_class = DelegationSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.set_delegation(
            self.request.user,
            data.get("user") or self.request.user,
            data["delegate"],
            data["starts_on"],
            data["ends_on"],
            data.get("doc_types") or [],
            data.get("reason", ""),
        )

    def perform_destroy(self, instance):
        services.cancel_delegation(self.request.user, instance)
