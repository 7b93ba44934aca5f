from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.models import TranslatableCharField, TranslatableTextField


class MessageQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """A message is only ever visible to its recipient."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Message(models.Model):
    """One entry of a user's message centre: a reminder, warning or notice, with a link to act on it."""

    class Level(models.TextChoices):
        INFO = "info", _("Notice")
        REMINDER = "reminder", _("Reminder")
        WARNING = "warning", _("Warning")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages")
    level = models.CharField(_("kind"), max_length=10, choices=Level.choices, default=Level.INFO)
    title = TranslatableCharField(_("title"), max_length=200)  # product text is shown in the reader's language
    body = TranslatableTextField(_("content"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # A to-do message names the task it is about ("approval.task:12"); when the task ends, for whatever reason and
    # whoever ended it, the message is resolved: read, and marked as handled (`services.resolve`).
    topic = models.CharField(max_length=80, blank=True, default="")
    resolved_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        ordering = ["-created_at", "-id"]
        # "-created_at, -id" walked backwards: all my messages, and the unread ones (read_at IS NULL)
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at", "id"], name="message_inbox_idx"),
            models.Index(fields=["recipient", "created_at", "id"], name="message_recipient_idx"),
            models.Index(fields=["topic"], name="message_topic_idx", condition=models.Q(resolved_at__isnull=True)),
        ]

    def __str__(self):
        return self.title
