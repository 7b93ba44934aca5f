"""Document types register here, once, to become approvable (DESIGN.md "Approvals").

A registration is a declaration: the key, a label, the model (an `ApprovableDocument`, `documents.py`) and the
fields a flow may branch on (with their types) and approvers may correct. Everything a document does in
approval — its status table, the lock while pending, its approval form, the validation of corrections, what
approval, rejection, return and withdrawal do — comes from the model's `ApprovableDocument` base and the hooks
it overrides. Registering a type is a few lines in the owning app's `approvals.py`, imported from `ready()`;
`docs/*/approvals-admin.md` shows one end to end.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404
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


@dataclass(frozen=True)
class DocumentType:
    key: str  # "<app>.<what>", e.g. "customers.create"
    label: str
    model: type  # an ApprovableDocument
    fields: tuple[Field, ...]
    order: int = 100
    description: str = ""

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


def register(key: str, label, model: type, fields, *, order: int = 100, description="") -> DocumentType:
    """Make `model` (an `ApprovableDocument`) approvable as document type `key`. One type per model: its status
    table and hooks are the model's."""
    from kehu.approvals.documents import ApprovableDocument

    if not (isinstance(model, type) and issubclass(model, ApprovableDocument)):
        raise TypeError(f"{key}: {model!r} is not an ApprovableDocument")
    other = next((t.key for t in _types.values() if t.model is model and t.key != key), None)
    if other:
        raise ValueError(f"{key}: {model.__name__} is already registered as {other}")
    doc_type = DocumentType(key, label, model, tuple(fields), order=order, description=description)
    _types[key] = doc_type
    return doc_type


def get(key: str) -> DocumentType | None:
    return _types.get(key)


def get_or_404(key: str) -> DocumentType:
    doc_type = _types.get(key)
    if doc_type is None:
        raise Http404
    return doc_type


def for_model(model: type) -> DocumentType | None:
    return next((t for t in _types.values() if t.model is model), None)


def all_types() -> list[DocumentType]:
    return sorted(_types.values(), key=lambda t: (t.order, t.key))
