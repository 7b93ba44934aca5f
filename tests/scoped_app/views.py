from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from rest_framework import serializers, viewsets

from kehu.core.listing import paginate
from kehu.org.scope import get_visible_or_404
from tests.scoped_app.models import Memo


@login_required
def memo_list(request):
    page, listing = paginate(request, Memo.objects.visible_to(request.user).select_related("owner"))
    return render(request, "scoped_app/memo_list.html", listing)


@login_required
def memo_detail(request, pk):
    memo = get_visible_or_404(Memo, request.user, pk)
    return render(request, "scoped_app/memo_detail.html", {"memo": memo})


class MemoSerializer(serializers.ModelSerializer):
    class Meta:
        model = Memo
        fields = ["id", "title", "owner", "owner_department", "version"]


class MemoViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MemoSerializer

    def get_queryset(self):
        return Memo.objects.visible_to(self.request.user)
