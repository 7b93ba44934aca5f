"""Document types register here, once, to become approvable (DESIGN.md "Approvals").

A registration names the model, the fields a flow may branch on (with their types) and approvers may
correct, how to read the document into the approval form, and the effects: what submitting does to the
document (it locks), what approval does (the corrected form becomes the business record, in the same
transaction) and what sends it back to draft (reject, return to the submitter, withdraw). Registering a
type is one call in the owning app's `ready()`; `docs/*/approvals-admin.md` shows one end to end.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

KINDS = {
    "number": _("number"),
    "text": _("text"),
    "choice": _("choice"),
    "user": _("person"),
    "bool": _("yes / no"),
}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"
    choices: Callable[[], list[tuple[str, str]]] | None = None  # for "choice": (value, label) pairs
    editable: bool = False  # an approval node may let approvers correct it
    condition: bool = True  # usable in branch conditions
    multiline: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"field {self.name!r}: unknown kind {self.kind!r}")

    def choice_list(self) -> list[tuple[str, str]]:
        return [(str(v), str(label)) for v, label in (self.choices() if self.choices else [])]

    def display(self, value) -> str:
        """The value as people read it: choice labels, user names, 是/否."""
        from kehu.org.models import User

        if value in (None, ""):
            return "—"
        if self.kind == "choice":
            return dict(self.choice_list()).get(str(value), str(value))
        if self.kind == "user":
            user = User.objects.filter(pk=value).first()
            return user.display_name if user else str(value)
        if self.kind == "bool":
            return str(_("Yes") if value else _("No"))
        return str(value)


def _noop(*args, **kwargs):
    return None


@dataclass(frozen=True)
class DocumentType:
    key: str  # "<app>.<what>", e.g. "customers.create"
    label: str
    model: type
    fields: tuple[Field, ...]
    form: Callable  # (document) -> dict of field values (JSON-serialisable)
    title: Callable  # (document) -> str
    url: Callable  # (document) -> str
    on_approved: Callable  # (document, form: dict, instance) -> None; runs in the approving transaction
    on_submitted: Callable = _noop  # (document, actor) -> None; lock it (e.g. status "pending")
    on_back_to_draft: Callable = _noop  # (document, instance, reason: str) -> None; rejected, returned, withdrawn
    check_submit: Callable = _noop  # (actor, document) -> None; raise PermissionDenied / ValidationError / Http404
    can_view: Callable = lambda actor, document: False  # noqa: E731  who may read the trail besides participants
    clean_changes: Callable = lambda document, form, changes: changes  # noqa: E731  validate approvers' corrections
    order: int = 100
    description: str = ""
    extra: dict = field(default_factory=dict)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def condition_fields(self) -> list[Field]:
        return [f for f in self.fields if f.condition]

    def editable_fields(self) -> list[Field]:
        return [f for f in self.fields if f.editable]

    def user_fields(self) -> list[Field]:
        return [f for f in self.fields if f.kind == "user"]

    def get_document(self, object_id):
        return self.model._default_manager.get(pk=object_id)


_types: dict[str, DocumentType] = {}


def register(doc_type: DocumentType) -> DocumentType:
    _types[doc_type.key] = doc_type
    return doc_type


def unregister(key: str) -> None:
    _types.pop(key, None)


def get(key: str) -> DocumentType | None:
    return _types.get(key)


def all_types() -> list[DocumentType]:
    return sorted(_types.values(), key=lambda t: (t.order, t.key))
