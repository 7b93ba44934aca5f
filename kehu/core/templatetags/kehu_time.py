"""Relative times as timelines show them: one unit, in the user's language ("3 天前", "in 2 days")."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

_PAST = (
    (365 * 86400, lambda n: ngettext("%(count)d year ago", "%(count)d years ago", n)),
    (30 * 86400, lambda n: ngettext("%(count)d month ago", "%(count)d months ago", n)),
    (86400, lambda n: ngettext("%(count)d day ago", "%(count)d days ago", n)),
    (3600, lambda n: ngettext("%(count)d hour ago", "%(count)d hours ago", n)),
    (60, lambda n: ngettext("%(count)d minute ago", "%(count)d minutes ago", n)),
)
_FUTURE = (
    (365 * 86400, lambda n: ngettext("in %(count)d year", "in %(count)d years", n)),
    (30 * 86400, lambda n: ngettext("in %(count)d month", "in %(count)d months", n)),
    (86400, lambda n: ngettext("in %(count)d day", "in %(count)d days", n)),
    (3600, lambda n: ngettext("in %(count)d hour", "in %(count)d hours", n)),
    (60, lambda n: ngettext("in %(count)d minute", "in %(count)d minutes", n)),
)


def relative_time(moment, now=None) -> str:
    """The largest whole unit between `moment` and now, before or after it; under a minute: "just now"."""
    if not moment:
        return ""
    seconds = ((now or timezone.now()) - moment).total_seconds()
    units = _PAST if seconds >= 0 else _FUTURE
    seconds = abs(seconds)
    for size, text in units:
        if seconds >= size:
            count = int(seconds // size)
            return text(count) % {"count": count}
    return _("just now")


@register.filter
def ago(moment) -> str:
    return relative_time(moment)
