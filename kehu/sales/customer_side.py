"""Opportunities on the customer side, through what customers offer (`kehu.customers.extensions` and the pool's
opportunity clock) — customers never import sales:

- an "Opportunities" tab on the customer page (the customer's opportunities the reader may see);
- stage changes, wins, losses and reopenings on the customer's timeline;
- transfers and leaver handovers move the customer's open opportunities, merges move all of them;
- the pool's "days without a new opportunity" rule counts from the customer's latest opportunity.
"""

from django.utils.translation import gettext_lazy as _

from kehu.customers import extensions, pool_rules
from kehu.sales import services
from kehu.sales.models import Opportunity, OpportunityEvent

TIMELINE_KINDS = (
    OpportunityEvent.Kind.CREATED,
    OpportunityEvent.Kind.STAGE,
    OpportunityEvent.Kind.WON,
    OpportunityEvent.Kind.LOST,
    OpportunityEvent.Kind.REOPENED,
)


def _visible(request, customer):
    return Opportunity.objects.visible_to(request.user).filter(customer=customer)


def tab_count(request, customer):
    if not request.user.has_perm("opportunities.view"):
        return None
    return _visible(request, customer).count()


def tab_context(request, customer) -> dict:
    rows = _visible(request, customer).select_related("stage", "owner").order_by("-created_at", "-pk")[:200]
    return {
        "opportunities": rows,
        "can_add": request.user.has_perm("opportunities.add") and customer.status == "active",
        "customer": customer,
    }


def timeline(customer, limit: int) -> list[dict]:
    events = (
        OpportunityEvent.objects.filter(customer=customer, kind__in=TIMELINE_KINDS)
        .select_related("actor", "opportunity")
        .order_by("-at", "-pk")[:limit]
    )
    return [
        {"kind": "opportunity", "at": e.at, "actor": e.actor, "obj": e, "template": "sales/_timeline_entry.html"}
        for e in events
    ]


extensions.register_tab(
    extensions.CustomerTab(
        "opportunities", _("Opportunities"), "sales/_customer_tab.html", tab_context, tab_count, order=10
    )
)
extensions.register_timeline(timeline)
extensions.on_moved(services.follow_customers)
extensions.on_merged(services.follow_merge)
pool_rules.register_opportunity_clock(services.last_opportunity_at)
