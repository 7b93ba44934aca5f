from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from rest_framework import serializers

from kehu.core.api_resources import ResourceViewSet
from kehu.org.scope import get_visible_or_404
from tests.scoped_app.models import Memo
from tests.scoped_app.resources import MEMOS

memo_list = MEMOS.page_view()


@login_required
def memo_detail(request, pk):
    memo = get_visible_or_404(Memo, request.user, pk)
    return render(request, "scoped_app/memo_detail.html", {"memo": memo})


class MemoSerializer(serializers.ModelSerializer):
    class Meta:
        model = Memo
        fields = ["id", "title", "owner", "owner_department", "version"]


class MemoViewSet(ResourceViewSet):
    resource = MEMOS
