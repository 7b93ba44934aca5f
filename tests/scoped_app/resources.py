"""The worked example of docs/en/developer-modules.md: a resource declared once gives the list page, the API
list and detail, and their leak-test entries."""

import django_filters
from django.utils.translation import gettext_lazy as _

from kehu.core import resources
from kehu.core.filters import IdFilter
from kehu.core.resources import Column, Resource, Tab
from tests.scoped_app.models import Memo


class MemoFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="title", lookup_expr="icontains")
    owner = IdFilter(label=_("Owner"), field_name="owner_id")

    class Meta:
        model = Memo
        fields = ["q", "owner"]


def memos_for(user, tab: str = "all"):
    """The memos of one tab, always from visible_to: mine, those I may edit, or everything I may see."""
    memos = Memo.objects.visible_to(user, "change" if tab == "edit" else "view").select_related("owner")
    return memos.filter(owner=user) if tab == "mine" else memos


MEMOS = resources.register(
    Resource(
        key="scoped_app.memo",
        model=Memo,
        module="memos",
        title="Memos",
        rows=memos_for,
        filterset=MemoFilter,
        sorts={"title": "title", "created": "created_at"},
        default_sort="-created",
        tabs=[Tab("all", "All memos", complete=True), Tab("mine", "My memos"), Tab("edit", "Editable", perm="change")],
        default_tab="all",
        pages={"": "scoped_app:memo_list"},
        api="memo",
        serializer="tests.scoped_app.views.MemoSerializer",
        columns=[
            Column(
                "title",
                "Title",
                "<a href=\"{% url 'scoped_app:memo_detail' obj.pk %}\">{{ obj.title }}</a>",
                "title",
                True,
            ),
            Column("owner", "Owner", "{{ obj.owner.display_name }}"),
            Column("created_at", "Created", '{{ obj.created_at|date:"Y-m-d" }}', sort="created"),
        ],
        marker=lambda memo: memo.title,
    )
)
