"""The audit trail shown on every record page: who changed what, when, before → after.

Rows come from django-simple-history (`history = HistoricalRecords()` on the model); services set the
author with `obj._history_user = actor` (the request middleware does it for web requests).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

ACTIONS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
HIDDEN_FIELDS = {"version", "updated_at", "updated_by", "password", "last_login", "path", "depth", "numchild"}


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass
class AuditEntry:
    at: datetime
    actor: object
    action: str
    changes: list[Change]
    reason: str


def _display(model, field_name: str, value) -> str:
    if value is None or value == "":
        return "—"
    try:
        field = model._meta.get_field(field_name)
    except Exception:
        return str(value)
    if isinstance(value, list):  # many-to-many: the ids of the related rows
        names = sorted(str(o) for o in field.related_model._base_manager.filter(pk__in=value))
        return "、".join(names) or "—"
    if field.is_relation and field.many_to_one:
        obj = field.related_model._base_manager.filter(pk=value).first()
        return str(obj) if obj else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return str(_("Yes") if value else _("No"))
    return str(value)


def audit_trail(obj, limit: int = 200, hidden=()) -> list[AuditEntry]:
    """The record's history, newest first, each entry with the fields it changed; `hidden` names fields the reader
    may not see (e.g. cost prices), left out like the technical ones."""
    hidden = HIDDEN_FIELDS | set(hidden)
    model = type(obj)
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in hidden:
                    continue
                field = model._meta.get_field(change.field)
                changes.append(
                    Change(
                        change.field,
                        str(field.verbose_name),
                        _display(
                            model,
                            change.field,
                            _m2m_ids(field, change.old) if field.many_to_many else change.old,
                        ),
                        _display(
                            model,
                            change.field,
                            _m2m_ids(field, change.new) if field.many_to_many else change.new,
                        ),
                    )
                )
            if not changes and not record.history_change_reason:
                continue
        entries.append(
            AuditEntry(
                record.history_date,
                record.history_user,
                str(ACTIONS.get(record.history_type, record.history_type)),
                changes,
                record.history_change_reason or "",
            )
        )
    return entries


def _m2m_ids(field, rows) -> list:
    """simple-history gives many-to-many changes as through-table rows: keep the related ids."""
    key = field.m2m_reverse_field_name()
    return [row[key] if isinstance(row, dict) else row for row in rows or []]
