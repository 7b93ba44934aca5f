from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kehu.notify import services
from kehu.notify.models import Message


class MessageSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "level", "title", "body", "link", "created_at", "read_at", "is_read"]

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


class MessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The current user's message centre."""

    serializer_class = MessageSerializer
    filterset_fields = ["level"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        queryset = Message.objects.visible_to(self.request.user)
        if self.request.query_params.get("unread") in {"1", "true"}:
            queryset = queryset.unread()
        return queryset

    @extend_schema(request=None, responses={200: serializers.DictField()}, description=str(_("Mark one message read.")))
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        message = self.get_object()
        return Response({"marked": services.mark_read(request.user, [message.pk])})

    @extend_schema(request=None, responses={200: serializers.DictField()})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.mark_read(request.user)})

    @extend_schema(responses={200: serializers.DictField()})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": services.unread_count(request.user)})
