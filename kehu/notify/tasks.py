"""Background work of the message centre, run by the Huey consumer (`kehu worker`)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kehu.notify.models import Message
from kehu.notify.services import send_message

READ_MESSAGES_KEPT_DAYS = 180


@db_task()
def deliver_message(user_ids: list[int], title: str, body: str = "", link: str = "", level: str = "info") -> int:
    """Send a message from the worker instead of the request (a reminder, a long job's result). Enqueue it from
    an event subscriber or a periodic task, never inside a service's transaction: the worker may run before that
    transaction commits."""
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    return len(send_message(users, title, body, link, level))


@db_periodic_task(crontab(hour="19", minute="17"))  # Huey schedules in UTC: 03:17 in Asia/Shanghai
def purge_old_read_messages() -> int:
    """Read messages older than half a year are removed every night; unread ones are always kept."""
    cutoff = timezone.now() - timedelta(days=READ_MESSAGES_KEPT_DAYS)
    deleted, _ = Message.objects.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    return deleted
