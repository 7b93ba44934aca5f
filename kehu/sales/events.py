"""The opportunities' domain events and their subscribers (messages after the commit)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.core.events import declare, subscribe

WON = declare(
    "opportunity.won",
    "An opportunity was won: actor, opportunity (the order hook: the orders module offers the sales order)",
)
LOST = declare("opportunity.lost", "An opportunity was lost: actor, opportunity")
STALLED = declare("opportunity.stalled", "An open opportunity passed its stage's rotting threshold: opportunity, days")
FOLLOWUP_REVIEWED = declare("opportunity.followup_reviewed", "A manager reviewed an opportunity follow-up")


def _send(user, build, link):
    from kehu.notify.services import send_in_their_language

    if user is not None:
        send_in_their_language([user], lambda _user: tuple(str(part) for part in build()), link=link)


@subscribe(STALLED)
def warn_the_owner(event) -> None:
    opportunity = event["opportunity"]
    _send(
        opportunity.owner,
        lambda: (
            _("Stalled: %(name)s") % {"name": opportunity.name},
            _("No stage change or follow-up for %(days)d days.") % {"days": event["days"]},
        ),
        reverse("sales:detail", kwargs={"pk": opportunity.pk}),
    )


@subscribe(FOLLOWUP_REVIEWED)
def tell_the_author(event) -> None:
    entry = event["entry"]
    actor = event["actor"]
    _send(
        entry.followup.author,
        lambda: (
            _("%(name)s reviewed your follow-up") % {"name": actor.display_name},
            event["comment"] or "",
        ),
        reverse("sales:detail", kwargs={"pk": entry.opportunity_id}) + "?tab=followups",
    )
