from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kehu.core.security import safe_next
from kehu.notify import services
from kehu.notify.models import Message
from kehu.notify.resources import MESSAGES
from kehu.org.scope import get_visible_or_404

inbox = MESSAGES.page_view()


@login_required
def message_detail(request, pk):
    message = get_visible_or_404(Message, request.user, pk)
    if message.read_at is None:
        services.mark_read(request.user, [message.pk])
    target = safe_next(request, "", value=message.link) if request.GET.get("go") and message.link else ""
    if target:
        return redirect(target)
    return render(request, "notify/message_detail.html", {"message": message})


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_read(request.user)
    messages.success(
        request,
        ngettext("%(count)d message marked as read.", "%(count)d messages marked as read.", count) % {"count": count},
    )
    return redirect("notify:inbox")


@login_required
def unread_badge(request):
    """The bell's badge, polled by htmx so the count stays live."""
    return render(request, "notify/_unread_badge.html", {"unread_count": services.unread_count(request.user)})
