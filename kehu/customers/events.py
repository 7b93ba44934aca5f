"""Domain events of customers, and the messages they send.

Services raise the events inside their transaction (`kehu.core.events.emit`); the subscribers below run after
the commit and write the messages: the pool's in the recipient's language, the visits' in the language active
when the event is delivered (as before the events). A rolled-back change tells nobody. Scheduled tasks raise
theirs outside a transaction, so they are delivered at once. Imported by `CustomersConfig.ready`.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop as N_
from django.utils.translation import ngettext_lazy

from kehu.core.events import declare, subscribe
from kehu.core.text import Lines, Translatable
from kehu.customers.pool_rules import format_date
from kehu.notify.models import Message
from kehu.notify.services import send_message

RELEASED_TO_POOL = declare(
    "customer.released_to_pool", "Customers were put into the public pool: actor, customers, reason"
)
RETURNED_TO_POOL = declare(
    "customer.returned_to_pool", "Idle customers went back to the pool automatically: returns (PendingReturn)"
)
ASSIGNED_FROM_POOL = declare(
    "customer.assigned_from_pool", "Pool customers were given to someone: actor, to_user, customers"
)
RETURN_WARNING_DUE = declare(
    "pool.return_warning_due", "Customers will go back to the pool soon: warnings (PendingReturn)"
)
VISIT_REVIEWED = declare("visit.reviewed", "A manager reviewed a visit: actor, visit, comment")
VISIT_REMINDER_DUE = declare("visit.reminder_due", "A planned visit starts soon: visit")


def _in_language_of(user):
    return translation.override(user.language or settings.LANGUAGE_CODE)


def _by(items, key) -> dict:
    grouped: dict = {}
    for item in items:
        grouped.setdefault(key(item), []).append(item)
    return grouped


@subscribe(RELEASED_TO_POOL)
def tell_former_owners_of_release(event) -> None:
    """Each former owner who is not the actor gets one message listing their customers and the reason."""
    actor, reason = event["actor"], event["reason"]
    for released in _by(event["customers"], lambda c: c.previous_owner_id).values():
        former = released[0].previous_owner
        if former is None or former.pk == actor.pk:
            continue
        title = Translatable.of(
            ngettext_lazy(
                "%(name)s put %(count)d of your customers into the public pool",
                "%(name)s put %(count)d of your customers into the public pool",
                "count",
            ),
            name=actor.display_name,
            count=len(released),
        )
        body = Lines([*(c.name for c in released), Translatable(N_("Reason: %(reason)s"), reason=reason)])
        send_message([former], title, body, link=reverse("customers:pool"))


@subscribe(RETURNED_TO_POOL)
def tell_former_owners_of_return(event) -> None:
    """One warning per former owner: which customers went back, why, and from when they may claim them again."""
    for items in _by(event["returns"], lambda p: p.customer.previous_owner_id).values():
        former = items[0].customer.previous_owner
        if former is None:
            continue
        title = Translatable.of(
            ngettext_lazy(
                "%(count)d of your customers went back to the public pool",
                "%(count)d of your customers went back to the public pool",
                "count",
            ),
            count=len(items),
        )
        lines = []
        for p in items:
            if p.customer.reclaim_blocked_until:
                line = Translatable(
                    N_("%(name)s: %(reason)s · you may claim it again from %(date)s"),
                    name=p.customer.name,
                    reason=p.reason,
                    date=format_date(p.customer.reclaim_blocked_until),
                )
            else:
                line = Translatable(N_("%(name)s: %(reason)s"), name=p.customer.name, reason=p.reason)
            lines.append(line)
        send_message([former], title, Lines(lines), link=reverse("customers:pool"), level=Message.Level.WARNING)


@subscribe(ASSIGNED_FROM_POOL)
def tell_the_new_owner(event) -> None:
    actor, to_user, customers = event["actor"], event["to_user"], event["customers"]
    if to_user.pk == actor.pk:
        return
    title = Translatable.of(
        ngettext_lazy(
            "%(name)s assigned you %(count)d customer from the public pool",
            "%(name)s assigned you %(count)d customers from the public pool",
            "count",
        ),
        name=actor.display_name,
        count=len(customers),
    )
    send_message([to_user], title, "\n".join(c.name for c in customers), link=reverse("customers:mine"))


@subscribe(RETURN_WARNING_DUE)
def warn_the_owners(event) -> None:
    """One warning per owner listing their customers due back soon."""
    for items in _by(event["warnings"], lambda p: p.customer.owner_id).values():
        owner = items[0].customer.owner
        title = Translatable.of(
            ngettext_lazy(
                "%(count)d of your customers will go back to the public pool soon",
                "%(count)d of your customers will go back to the public pool soon",
                "count",
            ),
            count=len(items),
        )
        lines = [
            Translatable(
                N_("%(name)s: on %(date)s (%(reason)s)"),
                name=p.customer.name,
                date=format_date(p.due_at),
                reason=p.reason,
            )
            for p in items
        ]
        lines.append(Translatable(N_("A follow-up resets the clock.")))
        send_message([owner], title, Lines(lines), link=reverse("core:workbench"), level=Message.Level.WARNING)


@subscribe(VISIT_REVIEWED)
def tell_the_visitor_of_the_review(event) -> None:
    # Written in the language active when the review is delivered (the manager's request), as before; the pool's
    # messages use the recipient's language.
    actor, visit = event["actor"], event["visit"]
    title = Translatable(
        N_("%(name)s reviewed your visit to %(customer)s"), name=actor.display_name, customer=visit.customer.name
    )
    link = reverse("customers:visit_detail", kwargs={"pk": visit.pk})
    send_message([visit.visitor], title, event["comment"], link)


@subscribe(VISIT_REMINDER_DUE)
def remind_the_visitor(event) -> None:
    visit = event["visit"]
    when = timezone.localtime(visit.planned_at).strftime("%H:%M")
    title = Translatable(N_("Visit to %(customer)s at %(time)s"), customer=visit.customer.name, time=when)
    link = reverse("customers:visit_detail", kwargs={"pk": visit.pk})
    send_message([visit.visitor], title, visit.purpose, link)
