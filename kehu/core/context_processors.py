from django.conf import settings

from kehu.core.menus import fill_badges, menu_for, mobile_bar_for
from kehu.core.topbar import counters_for


def shell(request):
    """What the app frame (top bar, sidebar, bottom bar) needs on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"languages": settings.LANGUAGES}
    groups = menu_for(user)
    entries = [e for g in groups for e in g["entries"]]
    fill_badges(user, entries)
    matching = [e for e in entries if request.path == e.url or (e.url != "/" and request.path.startswith(e.url))]
    active = max(matching, key=lambda e: len(e.url)).key if matching else ""
    counters = counters_for(user)
    return {
        "menu_groups": groups,
        "mobile_bar": mobile_bar_for(user),
        "top_bar": counters,
        **{counter["name"]: counter["count"] for counter in counters},
        "active_menu": active,
        "languages": settings.LANGUAGES,
    }
