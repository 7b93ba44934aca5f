"""The message centre's list, declared once (kehu.core.resources)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from kehu.core import resources
from kehu.core.resources import Column, Resource, Tab
from kehu.notify.models import Message


class MessageFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(label=_("Kind"), choices=Message.Level.choices)

    class Meta:
        model = Message
        fields = ["level"]


def messages_for(user, tab: str = "unread"):
    """The user's own messages: the unread ones or all of them."""
    messages = Message.objects.visible_to(user)
    return messages.unread() if tab == "unread" else messages


MESSAGES = resources.register(
    Resource(
        key="notify.message",
        model=Message,
        module="notify",
        perm="",  # everyone reads their own messages
        title=_("Messages"),
        rows=messages_for,
        filterset=MessageFilter,
        main_filters=(),
        page_filters=(),
        sorts={"sent": "created_at"},
        default_sort="-sent",
        tabs=[Tab("unread", _("Unread")), Tab("all", _("All"), complete=True)],
        default_tab="unread",
        tab_param="box",
        pages={"": "notify:inbox"},
        api="message",
        serializer="kehu.notify.api.MessageSerializer",
        columns=[
            Column(
                "title",
                _("Title"),
                '<a class="message-title" href="{% url \'notify:message_detail\' obj.pk %}'
                '{% if obj.link %}?go=1{% endif %}">{{ obj.title }}</a>{% if obj.resolved_at %} '
                '<span class="status status-muted">{% translate "Handled" %}</span>{% endif %}',
                title=True,
            ),
            Column(
                "level",
                _("Kind"),
                "<span class=\"status {% if obj.level == 'warning' %}status-warning{% elif obj.level == 'reminder' %}"
                'status-success{% endif %}">{{ obj.get_level_display }}</span>',
            ),
            Column("created_at", _("Sent at"), '{{ obj.created_at|date:"Y-m-d H:i" }}', sort="sent"),
        ],
        row_class="message-row{% if not obj.read_at %} unread{% endif %}",
        actions_template="notify/_inbox_actions.html",
        empty_template="notify/_inbox_empty.html",
        icon="envelope-open",
        marker=lambda m: m.title,
    )
)
