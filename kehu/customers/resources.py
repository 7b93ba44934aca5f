"""The customer module's lists, declared once: each gives its page, its API list and its leak-test entries
(kehu.core.resources)."""

from django.utils.translation import gettext_lazy as _

from kehu.core import resources
from kehu.core.resources import BatchAction, Column, Resource, Tab
from kehu.customers import queries
from kehu.customers.models import Customer

CUSTOMERS = resources.register(
    Resource(
        key="customers.customer",
        model=Customer,
        module="customers",
        title=_("Customers"),
        rows=queries.customers_for,
        filterset=queries.CustomerFilter,
        main_filters=("q",),
        page_filters=("q", "level", "industry", "region", "view"),
        search_placeholder=_("Name, pinyin initials, contact or phone"),
        sorts=queries.SORTS,
        default_sort="-activity",
        tabs=[
            Tab("mine", _("My customers")),
            Tab("shared", _("Shared with me")),
            # Customer management: everything in the scope, for those who may move customers between owners.
            Tab("all", _("Customer management"), perm="transfer"),
        ],
        default_tab="mine",
        tab_param="scope",
        pages={"mine": "customers:mine", "shared": "customers:shared", "all": "customers:manage"},
        api="customer",
        serializer="kehu.customers.api.CustomerSerializer",
        columns=[
            Column(
                "name",
                _("Company name"),
                '<a href="{% url \'customers:detail\' obj.pk %}">{{ obj.name }}</a>{% if obj.status != "active" %}'
                ' <span class="status status-warning">{{ obj.get_status_display }}</span>{% endif %}',
                sort="name",
                title=True,
            ),
            Column("number", _("Number"), '<span class="text-secondary">{{ obj.number }}</span>', sort="number"),
            Column("level", _("Level"), "{{ obj.level.label|default:'—' }}"),
            Column("industry", _("Industry"), "{{ obj.industry.label|default:'—' }}"),
            Column("region", _("Region"), "{{ obj.region.label|default:'—' }}"),
            Column("owner", _("Owner"), "{{ obj.owner.display_name|default:'—' }}"),
            Column("last_activity_at", _("Last activity"), '{{ obj.last_activity_at|date:"Y-m-d" }}', sort="activity"),
        ],
        batch_actions=[
            BatchAction(
                "customers:transfer",
                _("Transfer"),
                perm="transfer",
                confirm=_("Transfer the selected customers?"),
                icon="arrow-left-right",
                template="{{ transfer_form.to_user }} {{ transfer_form.reason }}",
                tabs=("all",),
            ),
            BatchAction(
                "customers:pool_release_many",
                _("Put into the pool"),
                perm="change",
                confirm=_("Put the selected customers into the public pool?"),
                icon="inboxes",
                style="warning",
                template='<input class="form-control" name="reason" maxlength="200" required placeholder="'
                "{% translate 'Why do they go back to the pool?' %}\" aria-label=\"{% translate 'Reason' %}\">",
                tabs=("mine",),
            ),
        ],
        marker=lambda c: c.number,
        icon="person-vcard",
        empty_filtered_text=_("No customer matches these filters."),
    )
)
