"""The customer module's lists, declared once: each gives its page, its API list and its leak-test entries
(kehu.core.resources)."""

from django.utils.translation import gettext_lazy as _

from kehu.core import resources
from kehu.core.resources import BatchAction, Column, Resource, Tab
from kehu.customers import pool_queries, queries
from kehu.customers.models import Contact, Customer, FollowUp, Visit

CUSTOMERS = resources.register(
    Resource(
        key="customers.customer",
        model=Customer,
        module="customers",
        title=_("Customers"),
        rows=queries.customers_for,
        detail_rows=lambda user, action: Customer.objects.visible_to(user, action).exclude(
            status=Customer.Status.MERGED
        ),
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
                template='{% include "core/_batch_field.html" with field=transfer_form.to_user %}'
                '{% include "core/_batch_field.html" with field=transfer_form.reason %}',
                tabs=("all",),
            ),
            BatchAction(
                "customers:pool_release_many",
                _("Put into the pool"),
                perm="change",
                confirm=_("Put the selected customers into the public pool?"),
                icon="inboxes",
                style="warning",
                template='<label class="batch-field" for="pool-release-many-reason"><span class="batch-field-label">'
                '{% translate \'Reason\' %}</span><input class="form-control" id="pool-release-many-reason" '
                'name="reason" maxlength="200" required placeholder="'
                "{% translate 'Why do they go back to the pool?' %}\"></label>",
                tabs=("mine",),
            ),
        ],
        marker=lambda c: c.number,
        icon="person-vcard",
        empty_filtered_text=_("No customer matches these filters."),
    )
)


# --- follow-ups and visits ----------------------------------------------------------------------------------
FOLLOWUPS = resources.register(
    Resource(
        key="customers.followup",
        model=FollowUp,
        module="customers",
        title=_("Follow-ups"),
        rows=queries.followups_for,
        filterset=queries.FollowUpFilter,
        main_filters=("kind",),
        page_filters=("kind", "author", "date_from", "date_to", "overdue"),
        sorts=queries.FOLLOWUP_SORTS,
        default_sort="-when",
        pages={"": "customers:followups"},
        api="followup",
        serializer="kehu.customers.activity_api.FollowUpSerializer",
        columns=[
            Column(
                "customer",
                _("Customer"),
                "<a href=\"{% url 'customers:detail' obj.customer_id %}?tab=timeline\">{{ obj.customer.name }}</a>",
                title=True,
            ),
            Column(
                "happened_at",
                _("When"),
                '<a href="{% url \'customers:followup_edit\' obj.pk %}">{{ obj.happened_at|date:"Y-m-d H:i" }}</a>',
                sort="when",
            ),
            Column("kind", _("Kind"), '<span class="status">{{ obj.get_kind_display }}</span>'),
            Column("author", _("Author"), "{{ obj.author.display_name }}", css="text-nowrap"),
            Column("content", _("Content"), "{{ obj.content|truncatechars:80 }}", css="text-break"),
            Column(
                "next_step",
                _("Next step"),
                "{% if obj.next_step %}{{ obj.next_step }}{% if obj.next_step_due %} · "
                '{% if not obj.next_step_done_at and obj.next_step_due < today %}<span class="text-danger">'
                '{{ obj.next_step_due|date:"Y-m-d" }}</span>{% else %}{{ obj.next_step_due|date:"Y-m-d" }}{% endif %}'
                '{% endif %}{% if obj.next_step_done_at %} <span class="status status-muted">{% translate "done" %}'
                "</span>{% endif %}{% endif %}",
                sort="due",
            ),
        ],
        marker=lambda f: f.content,
        icon="chat-left-text",
        actions_template="customers/_followup_list_actions.html",
        empty_text=_("No follow-ups yet — open a customer and press “Follow up”."),
        empty_filtered_text=_("No follow-up matches these filters."),
    )
)

NEXT_STEPS = resources.register(
    Resource(
        key="customers.next_step",
        model=FollowUp,
        module="customers",
        title=_("My next steps"),
        rows=queries.open_next_steps_for,
        pages={"": "customers:next_steps"},
        columns=[],
        template="customers/followup_next_steps.html",
        marker=lambda f: f.content,
        complete=False,  # only my own next steps
    )
)

VISITS = resources.register(
    Resource(
        key="customers.visit",
        model=Visit,
        module="customers",
        title=_("Visits"),
        rows=queries.visits_for,
        filterset=queries.VisitFilter,
        main_filters=("status",),
        page_filters=("status", "date_from", "date_to"),
        tabs=[
            Tab("upcoming", _("Upcoming"), filters=False),
            Tab("today", _("Today"), filters=False),
            Tab("done", _("Done"), filters=False),
            Tab(
                "review",
                _("To review"),
                filters=False,
                visible=queries.reviews_anyone,
                badge=lambda user: queries.to_review_for(user).count(),
            ),
            Tab("all", _("All"), complete=True),
        ],
        default_tab="upcoming",
        tab_param="box",
        pages={"": "customers:visits"},
        api="visit",
        serializer="kehu.customers.activity_api.VisitSerializer",
        columns=[
            Column(
                "customer",
                _("Customer"),
                "<a href=\"{% url 'customers:visit_detail' obj.pk %}\">{{ obj.customer.name }}</a>",
                title=True,
            ),
            Column("planned_at", _("Planned for"), '{{ obj.planned_at|date:"Y-m-d H:i" }}'),
            Column("purpose", _("Purpose"), "{{ obj.purpose }}", css="text-break"),
            Column("visitor", _("Visitor"), "{{ obj.visitor.display_name }}"),
            Column(
                "status",
                _("Status"),
                "<span class=\"status{% if obj.status == 'done' %} status-success{% elif obj.status == 'cancelled' %}"
                " status-muted{% elif obj.status == 'checked_in' %} status-warning{% endif %}\">"
                '{{ obj.get_status_display }}</span>{% if obj.reviewed_at %} <span class="status status-success">'
                '{% translate "Reviewed" %}</span>{% endif %}',
            ),
            Column(
                "checkin_distance_m",
                _("Distance"),
                "{% if obj.checkin_distance_m is not None %}{% blocktranslate with metres=obj.checkin_distance_m %}"
                "{{ metres }} m{% endblocktranslate %}{% elif obj.checked_in_at and obj.checkin_latitude is None %}"
                '{% translate "Location unavailable" %}{% endif %}',
            ),
        ],
        marker=lambda v: v.purpose,
        icon="geo-alt",
        empty_template="customers/_visit_list_empty.html",
    )
)


# --- the public pool ------------------------------------------------------------------------------------------
POOL = resources.register(
    Resource(
        key="customers.pool",
        model=Customer,
        module="customers",
        title=_("Public pool"),
        rows=lambda user: pool_queries.pool_customers(user),
        filterset=queries.CustomerFilter,
        page_filters=("q", "level", "industry", "region"),
        search_placeholder=_("Name, pinyin initials, contact or phone"),
        sorts={**queries.SORTS, "released": "released_at"},
        default_sort="-released",
        pages={"": "customers:pool"},
        api="pool",
        serializer="kehu.customers.pool_api.PoolCustomerSerializer",
        columns=[
            Column(
                "name",
                _("Company name"),
                "<a href=\"{% url 'customers:pool_detail' obj.pk %}\">{{ obj.name }}</a>"
                ' <span class="text-secondary small">{{ obj.number }}</span>',
                sort="name",
                title=True,
            ),
            Column("level", _("Level"), "{{ obj.level.label|default:'—' }}"),
            Column("industry", _("Industry"), "{{ obj.industry.label|default:'—' }}"),
            Column("region", _("Region"), "{{ obj.region.label|default:'—' }}"),
            Column("released_at", _("Released"), '{{ obj.released_at|date:"Y-m-d"|default:"—" }}', sort="released"),
            Column(
                "previous_owner",
                _("Previous owner"),
                "{% load pool_tags %}{{ obj.previous_owner.display_name|default:'—' }}"
                "{% if obj|reclaim_blocked_for:user %}"
                ' <span class="status status-muted" title="{% translate \'You may claim it again from this date\' %}">'
                '{{ obj.reclaim_blocked_until|date:"Y-m-d" }}</span>{% endif %}',
            ),
            Column("pool_reason", _("Reason"), "{{ obj.pool_reason|default:'—' }}"),
            Column(
                "claim",
                "",
                '{% load pool_tags %}{% if can_claim and not obj|reclaim_blocked_for:user %}<button class="btn btn-sm '
                'btn-outline-primary" type="submit" formnovalidate '
                "formaction=\"{% url 'customers:pool_claim' obj.pk %}\">"
                "{% translate 'Claim' %}</button>{% endif %}",
                css="text-end",
            ),
        ],
        batch_actions=[
            BatchAction(
                "customers:pool_claim_many",
                _("Claim"),
                perm="add",
                confirm=_("Claim the selected customers?"),
                icon="box-arrow-in-down",
            ),
            BatchAction(
                "customers:pool_assign",
                _("Assign"),
                perm="",
                allowed=lambda user: pool_queries.may_assign(user),
                confirm=_("Assign the selected customers?"),
                icon="person-check",
                style="light",
                template='{% include "core/_batch_field.html" with field=assign_form.to_user %}',
            ),
        ],
        actions_template="customers/_pool_actions.html",
        intro_template="customers/_pool_intro.html",
        empty_text=_(
            "The public pool is empty. Customers come here when their owner releases them or nobody follows them up."
        ),
        empty_filtered_text=_("No pool customer matches these filters."),
        icon="inboxes",
        unscoped="the public pool: only customers without an owner, open to everyone with customers.view "
        "(tests/customers/test_pool_visibility.py)",
    )
)


# --- contacts (the API; on pages they are a tab of the customer) ----------------------------------------------
CONTACTS = resources.register(
    Resource(
        key="customers.contact",
        model=Contact,
        module="customers",
        title=_("Contacts"),
        rows=lambda user: Contact.objects.visible_to(user),
        filterset=queries.ContactFilter,
        sorts={"name": "name", "created": "pk"},
        default_sort="-created",  # newest first: the primary key's own index, whatever the scope
        api="contact",
        serializer="kehu.customers.api.ContactSerializer",
        columns=[],
    )
)
