"""A few messages in everyone's message centre, so the bell and the workbench are not empty."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from kehu.core.text import Translatable
from kehu.notify.models import Message


def load(context: dict) -> None:
    now = timezone.now()
    messages = []
    for user in context.get("users", []):
        messages += [
            Message(
                recipient=user,
                level=Message.Level.INFO,
                title=Translatable(N_("Welcome to the collaborative CRM")),
                body=Translatable(
                    N_(
                        "The workbench gathers your to-dos, reminders and key figures. Open the same address in a "
                        "phone's browser to use the phone layout."
                    )
                ),
                created_at=now - timedelta(days=3),
                read_at=now - timedelta(days=2),
            ),
            Message(
                recipient=user,
                level=Message.Level.REMINDER,
                title=Translatable(N_("Please change the initial password")),
                body=Translatable(
                    N_("Demo accounts share one initial password: set your own under “Me → Change password”.")
                ),
                link="/password/",
                created_at=now - timedelta(hours=5),
            ),
            Message(
                recipient=user,
                level=Message.Level.WARNING,
                title=Translatable(N_("System maintenance this Friday at 18:00")),
                body=Translatable(
                    N_("Kehu is unavailable for about 30 minutes during maintenance: save what you are editing first.")
                ),
                created_at=now - timedelta(hours=1),
            ),
        ]
    created = Message.objects.bulk_create(messages)
    # auto_now_add ignores the value given: set the demo times explicitly.
    for message, source in zip(created, messages, strict=True):
        Message.objects.filter(pk=message.pk).update(created_at=source.created_at)
