"""Optimistic locking: an edit carries the version it was made from; a stale save is refused.

Every editable business record inherits `VersionedModel`. Services save through `save_versioned`, which
updates the row only when its version is still the one the user loaded, so two people editing the same
record never overwrite each other silently: the second one is told who changed it and when.
"""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class StaleEdit(Exception):
    """The record changed since the user loaded it (or was deleted: `changed_at` is then None)."""

    def __init__(self, changed_by, changed_at):
        self.changed_by = changed_by
        self.changed_at = changed_at
        if changed_at is None:
            super().__init__(_("This record was deleted after you opened it."))
            return
        who = changed_by.display_name if changed_by else _("someone")
        when = date_format(timezone.localtime(changed_at), "Y-m-d H:i")
        message = _("This record was changed by %(who)s at %(when)s after you opened it.") % {"who": who, "when": when}
        advice = _("Reload it and make your change again.")
        super().__init__(f"{message} {advice}")


def save_versioned(obj: VersionedModel, actor, expected_version: int | None, update_fields=None):
    """Save `obj` if the stored version is still `expected_version`; raise `StaleEdit` otherwise.

    Runs in its own atomic block (nested in the caller's). The stored row is locked before the check
    (`select_for_update` on PostgreSQL; SQLite transactions here begin IMMEDIATE and so hold the write
    lock), so two concurrent saves of the same version cannot both succeed. The save goes through
    `Model.save()`, which writes the audit trail row with `actor` as the author.
    """
    model = type(obj)
    if expected_version is None:
        expected_version = obj.version
    with transaction.atomic():
        current = (
            model._base_manager.select_for_update()
            .filter(pk=obj.pk)
            .values_list("version", "updated_by", "updated_at")
            .first()
        )
        if current is None or current[0] != expected_version:
            changed_by = None
            if current and current[1]:
                from django.contrib.auth import get_user_model

                changed_by = get_user_model()._base_manager.filter(pk=current[1]).first()
            raise StaleEdit(changed_by, current[2] if current else None)
        obj.version = expected_version + 1
        obj.updated_at = timezone.now()
        obj.updated_by = actor
        obj._history_user = actor
        if update_fields is not None:
            update_fields = {*update_fields, "version", "updated_at", "updated_by"}
        obj.save(update_fields=update_fields)
    return obj


def lock_keys(*keys: str) -> None:
    """Serialise every transaction that checks and then writes the same business key (a normalised name, a credit
    code, a phone, a person's ownership cap): call inside `transaction.atomic()` before the check. PostgreSQL takes a
    transaction-level advisory lock per key (in a fixed order, so two transactions cannot deadlock on them);
    SQLite's IMMEDIATE transactions already hold the database's one write lock from their first statement."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    wanted = sorted({key for key in keys if key})
    if not wanted:
        return
    with connection.cursor() as cursor:
        for key in wanted:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
