"""The opportunity lists, declared once (kehu.core.resources): my opportunities and opportunity management, with
their API, exports and leak-test entries."""

from django.utils.translation import gettext_lazy as _

from kehu.core import resources
from kehu.core.resources import BatchAction, Column, Resource, Tab
from kehu.sales import queries
from kehu.sales.models import Opportunity

BADGES = (
    "{% if obj.approval_status != 'active' %} <span class=\"status status-warning\">"
    "{{ obj.get_approval_status_display }}</span>{% endif %}"
    '{% if obj.is_stalled %} <span class="status status-danger" title="{% translate \'No stage change or '
    "follow-up for too long' %}\">{% translate 'Stalled' %}</span>{% endif %}"
    "{% if obj.is_overdue %} <span class=\"status status-warning\">{% translate 'Close date passed' %}</span>"
    "{% endif %}"
)

OPPORTUNITIES = resources.register(
    Resource(
        key="sales.opportunity",
        model=Opportunity,
        module="opportunities",
        title=_("Opportunities"),
        rows=queries.opportunities_for,
        filterset=queries.OpportunityFilter,
        main_filters=("q", "view"),
        page_filters=("q", "view", "stage", "status", "source", "close_from", "close_to"),
        search_placeholder=_("Opportunity, number or customer"),
        sorts=queries.SORTS,
        default_sort="close",
        tabs=[
            Tab("mine", _("My opportunities")),
            Tab("all", _("Opportunity management"), perm="transfer", complete=True),
        ],
        default_tab="mine",
        tab_param="scope",
        pages={"mine": "sales:mine", "all": "sales:manage"},
        api="opportunity",
        serializer="kehu.sales.api.OpportunitySerializer",
        columns=[
            Column(
                "name",
                _("Opportunity"),
                "<a href=\"{% url 'sales:detail' obj.pk %}\">{{ obj.name }}</a>" + BADGES,
                title=True,
            ),
            Column(
                "customer",
                _("Customer"),
                "<a href=\"{% url 'customers:detail' obj.customer_id %}\">{{ obj.customer.name }}</a>",
            ),
            Column(
                "amount",
                _("Amount"),
                '{% load kehu_money %}<span class="text-nowrap">{{ obj.amount|money }}</span>',
                sort="amount",
                css="text-end",
            ),
            Column(
                "stage",
                _("Stage"),
                "{% if obj.status == 'open' %}{{ obj.stage.name }}{% else %}<span class=\"status"
                "{% if obj.status == 'won' %} status-success{% else %} status-muted{% endif %}\">"
                "{{ obj.get_status_display }}</span>{% endif %}",
            ),
            Column(
                "expected_close_date",
                _("Expected close"),
                '{{ obj.expected_close_date|date:"Y-m-d" }}',
                sort="close",
            ),
            Column("owner", _("Owner"), "{{ obj.owner.display_name }}"),
            Column("number", _("Number"), '<span class="text-secondary">{{ obj.number }}</span>'),
        ],
        batch_actions=[
            BatchAction(
                "sales:transfer",
                _("Transfer"),
                perm="transfer",
                confirm=_("Transfer the selected opportunities?"),
                icon="arrow-left-right",
                template="{{ transfer_form.to_user }} {{ transfer_form.reason }}",
                tabs=("all",),
            ),
        ],
        marker=lambda o: o.number,
        icon="funnel",
        actions_template="sales/_list_actions.html",
        empty_text=_("No opportunities yet — open a customer and add one, or press “New opportunity”."),
        empty_filtered_text=_("No opportunity matches these filters."),
    )
)
