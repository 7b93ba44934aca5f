from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from kehu.core.api_resources import ResourceViewSet
from kehu.notify import services
from kehu.notify.models import Message
from kehu.notify.resources import MESSAGES


class MessageSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "level", "title", "body", "link", "created_at", "read_at", "is_read"]

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


class MessageViewSet(ResourceViewSet):
    """The current user's message centre: `?box=unread|all` (default unread, as the page), `?level=`."""

    resource = MESSAGES
    serializer_class = MessageSerializer

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
