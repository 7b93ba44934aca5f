"""The approvable-document base (DESIGN.md "Approvals"): what every document type gets from being approvable.

A model that inherits `ApprovableDocument` (an abstract model without fields: it adapts to the model's own
status field, so no migration) and is registered (`registry.register(key, label, Model, fields)`) has:

- **a status table**: `TRANSITIONS` maps `(status, action)` to the next status. `transition()` below is the only
  way the approval engine moves a document, and it refuses anything the table does not declare;
- **a lock while pending**: `check_not_locked()` refuses edits while the status is one of `LOCKED`;
- **an approval form**: by default the registered fields' values (`approval_form`);
- **corrections through the edit's validation**: `clean_approval_changes` runs what an edit runs — by default the
  model's own validation (field validators, `clean()`, uniqueness), as a ModelForm would; a type whose edits go
  through a service overrides it with that service's checks;
- **hooks** the engine calls in its transaction after the status moved: `on_submitted`, `on_approved` (by default
  the corrected fields are written back), `on_rejected`, `on_returned`, `on_withdrawn` (by default all three call
  `on_sent_back`), plus `check_submit`, `can_view_approval`, `approval_title` and `approval_url`.

A new type overrides only what differs from these defaults; `tests/scoped_app/models.py` has one that overrides
nothing (`Purchase`) and one that overrides a few hooks (`Expense`).
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

ACTIONS = {
    "submit": pgettext_lazy("document action", "submitted for approval"),
    "approve": pgettext_lazy("document action", "approved"),
    "reject": pgettext_lazy("document action", "rejected"),
    "return": pgettext_lazy("document action", "returned"),
    "withdraw": pgettext_lazy("document action", "withdrawn"),
    "activate": pgettext_lazy("document action", "activated"),
}


class ApprovableDocument(models.Model):
    status_field = "status"
    TRANSITIONS: dict[tuple[str, str], str] = {
        ("draft", "submit"): "pending",
        ("pending", "approve"): "active",
        ("pending", "reject"): "draft",
        ("pending", "return"): "draft",
        ("pending", "withdraw"): "draft",
    }
    LOCKED: tuple[str, ...] = ("pending",)
    locked_message = gettext_lazy("This document is in approval and cannot be changed until the approval ends.")

    class Meta:
        abstract = True

    # --- what approvers see --------------------------------------------------------------------
    def approval_title(self) -> str:
        return str(self)

    def approval_url(self) -> str:
        return self.get_absolute_url() if hasattr(self, "get_absolute_url") else ""

    def approval_form(self) -> dict:
        """The registered fields' values, JSON-serialisable (a person or other relation by its id)."""
        return {spec.name: form_value(self, spec.name) for spec in _doc_type(self).fields}

    def can_view_approval(self, user) -> bool:
        """Who may read the approval besides its participants (e.g. whoever may see the document)."""
        return False

    def check_submit(self, actor) -> None:
        """Raise PermissionDenied / ValidationError / Http404 when `actor` may not submit this document."""

    def clean_approval_changes(self, changes: dict) -> dict:
        """Approvers' corrections, validated as an edit is (here: the model's validation); returns the cleaned
        values for the form or raises ValidationError keyed by field."""
        candidate = type(self)(**{f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields})
        changed = []
        for name, value in changes.items():
            try:
                field = self._meta.get_field(name)
            except FieldDoesNotExist:
                raise ValidationError({name: _("You cannot change this field at this step.")}) from None
            setattr(candidate, field.attname, value)
            changed.append(field.name)
        candidate.full_clean(exclude=[f.name for f in self._meta.fields if f.name not in changed])
        return {name: form_value(candidate, name) for name in changes}

    # --- effects (in the approval's transaction, after the status moved) ------------------------
    def on_submitted(self, actor, instance) -> None:
        pass

    def on_approved(self, form: dict, instance) -> None:
        """The approved form becomes the record: the correctable fields are written back."""
        written = []
        for spec in _doc_type(self).editable_fields():
            if spec.name in form:
                field = self._meta.get_field(spec.name)
                setattr(self, field.attname, field.to_python(form[spec.name]))
                written.append(field.attname)
        if written:
            self.save(update_fields=written)

    def on_rejected(self, instance, reason: str) -> None:
        self.on_sent_back(instance, reason)

    def on_returned(self, instance, reason: str) -> None:
        self.on_sent_back(instance, reason)

    def on_withdrawn(self, instance, reason: str) -> None:
        self.on_sent_back(instance, reason)

    def on_sent_back(self, instance, reason: str) -> None:
        """Rejected, returned or withdrawn, for types that treat the three alike."""


def _doc_type(document):
    from kehu.approvals import registry

    doc_type = registry.for_model(type(document))
    if doc_type is None:
        raise LookupError(f"{type(document).__name__} is not registered as an approvable document")
    return doc_type


def form_value(document, name: str):
    """`document.<name>` as the approval form stores it (JSON): decimals as text, dates ISO, relations by id."""
    try:
        field = document._meta.get_field(name)
    except FieldDoesNotExist:
        return getattr(document, name)
    value = getattr(document, field.attname)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


# --- the status table, enforced ---------------------------------------------------------------
def status_of(document) -> str:
    return getattr(document, document.status_field)


def allows(document, action: str) -> bool:
    return (status_of(document), action) in document.TRANSITIONS


def check_transition(document, action: str) -> str:
    """The status `action` leads to from the document's status; a clear ValidationError when the table has none."""
    target = document.TRANSITIONS.get((status_of(document), action))
    if target is None:
        field = document._meta.get_field(document.status_field)
        shown = dict(field.flatchoices).get(status_of(document), status_of(document))
        raise ValidationError(
            _("This document is “%(status)s”: it cannot be %(action)s.")
            % {"status": shown, "action": ACTIONS.get(action, action)},
            code="transition",
        )
    return target


def transition(document, action: str) -> str:
    """Move `document` by `action` along its table, or refuse. The status is written at once; a versioned
    document's version moves on too, so an edit opened before is refused as stale."""
    target = check_transition(document, action)
    values = {document.status_field: target}
    versioned = any(f.name == "version" for f in document._meta.concrete_fields)
    if versioned:
        values["version"] = F("version") + 1
    type(document)._base_manager.filter(pk=document.pk).update(**values)
    setattr(document, document.status_field, target)
    if versioned:
        document.version += 1
    return target


def is_locked(document) -> bool:
    return status_of(document) in document.LOCKED


def check_not_locked(document) -> None:
    """Edits are refused while the document is in approval: the approvers decide on what was submitted."""
    if is_locked(document):
        raise ValidationError(str(document.locked_message), code="locked")


# --- what the engine calls --------------------------------------------------------------------
def submitted(document, actor, instance) -> None:
    transition(document, "submit")
    document.on_submitted(actor, instance)


SENT_BACK = {"reject": "on_rejected", "return": "on_returned", "withdraw": "on_withdrawn"}


def concluded(document, action: str, instance, reason: str = "") -> bool:
    """The approval's outcome for the document (`approve`, or one of SENT_BACK). A document that moved on
    meanwhile (its table has no such step from where it is now, e.g. merged away) is left alone: the approval
    still ends. Returns whether the document moved."""
    if not allows(document, action):
        return False
    transition(document, action)
    if action == "approve":
        document.on_approved(instance.form, instance)
    else:
        getattr(document, SENT_BACK[action])(instance, reason)
    return True
