"""Branch conditions as structured JSON, never code: a leaf `{"field", "op", "value"}` or a group
`{"all": [...]}` / `{"any": [...]}` (groups nest). `validate` checks them against a document type's fields at
publish time; `matches` evaluates them against an approval form."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

OPERATORS = {
    "eq": gettext_lazy("equals"),
    "ne": gettext_lazy("is not"),
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "in": gettext_lazy("is one of"),
    "not_in": gettext_lazy("is none of"),
    "contains": gettext_lazy("contains"),
}
OPERATORS_BY_KIND = {
    "number": ("eq", "ne", "gt", "gte", "lt", "lte"),
    "text": ("eq", "ne", "contains"),
    "choice": ("eq", "ne", "in", "not_in"),
    "user": ("eq", "ne", "in", "not_in"),
    "bool": ("eq",),
}
MAX_DEPTH = 5


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def validate(condition, doc_type, depth: int = 0) -> list[str]:
    """Problems with `condition` for `doc_type`, in the user's language (empty when it is sound)."""
    if not isinstance(condition, dict) or not condition:
        return [_("The condition is empty.")]
    if depth > MAX_DEPTH:
        return [_("Conditions nest too deeply.")]
    for group in ("all", "any"):
        if group in condition:
            items = condition[group]
            if not isinstance(items, list) or not items:
                return [_("A condition group needs at least one condition.")]
            return [problem for item in items for problem in validate(item, doc_type, depth + 1)]
    name, op, value = condition.get("field"), condition.get("op"), condition.get("value")
    spec = doc_type.field(name) if isinstance(name, str) else None
    if spec is None or not spec.condition:
        return [_("Unknown field “%(field)s”.") % {"field": name}]
    if not isinstance(op, str) or op not in OPERATORS_BY_KIND[spec.kind]:
        shown = OPERATORS.get(op, op) if isinstance(op, str) else op
        return [
            _("“%(op)s” cannot be used on %(field)s (a %(kind)s).")
            % {"op": shown, "field": spec.label, "kind": _kind_label(spec.kind)}
        ]
    values = value if op in ("in", "not_in") else [value]
    if op in ("in", "not_in") and (not isinstance(value, list) or not value):
        return [_("%(field)s: choose at least one value.") % {"field": spec.label}]
    for item in values:
        problem = _value_problem(spec, item)
        if problem:
            return [problem]
    return []


def _kind_label(kind: str) -> str:
    from kehu.approvals.registry import KINDS

    return str(KINDS[kind])


def _value_problem(spec, value) -> str | None:
    if spec.kind == "number" and _number(value) is None:
        return _("%(field)s is compared with “%(value)s”, which is not a number.") % {
            "field": spec.label,
            "value": value,
        }
    if spec.kind == "bool" and not isinstance(value, bool):
        return _("%(field)s is compared with “%(value)s”; choose yes or no.") % {"field": spec.label, "value": value}
    if spec.kind == "choice" and spec.choices and str(value) not in dict(spec.choice_list()):
        return _("%(field)s has no value “%(value)s”.") % {"field": spec.label, "value": value}
    if spec.kind == "user":
        from kehu.org.models import User

        if not str(value).isdigit() or not User.objects.filter(pk=int(value)).exists():
            return _("%(field)s is compared with an unknown person.") % {"field": spec.label}
    if spec.kind == "text" and not isinstance(value, str | int | float):
        return _("%(field)s is compared with an empty value.") % {"field": spec.label}
    return None


def matches(condition: dict, form: dict, doc_type) -> bool:
    """Whether `form` satisfies `condition` (validated beforehand). Missing values never match comparisons.

    A condition that no longer fits the document type (its field is gone, or its operator does not suit the
    field's kind, e.g. a field whose kind changed after the flow was published) never matches: the branch's
    default path is taken instead of the submission failing."""
    if "all" in condition:
        return all(matches(item, form, doc_type) for item in condition["all"])
    if "any" in condition:
        return any(matches(item, form, doc_type) for item in condition["any"])
    spec = doc_type.field(condition.get("field"))
    op, expected, actual = condition.get("op"), condition.get("value"), form.get(condition.get("field"))
    if spec is None or op not in OPERATORS_BY_KIND[spec.kind]:
        return False
    if spec.kind == "number":
        left, right = _number(actual), _number(expected)
        if left is None:
            return op == "ne"
        return {
            "eq": left == right,
            "ne": left != right,
            "gt": left > right,
            "gte": left >= right,
            "lt": left < right,
            "lte": left <= right,
        }[op]
    if spec.kind == "bool":
        return bool(actual) == expected
    actual = "" if actual is None else str(actual)
    if op == "contains":
        return str(expected).lower() in actual.lower()
    if op in ("in", "not_in"):
        found = actual in {str(v) for v in expected}
        return found if op == "in" else not found
    return (actual == str(expected)) if op == "eq" else (actual != str(expected))


def describe(condition: dict, doc_type) -> str:
    """A readable sentence for the diagram and the designer, e.g. "级别 equals A and 金额 > 100000"."""
    if "all" in condition or "any" in condition:
        group = "all" if "all" in condition else "any"
        joiner = f" {_('and')} " if group == "all" else f" {_('or')} "
        parts = [
            f"({describe(item, doc_type)})" if ("all" in item or "any" in item) else describe(item, doc_type)
            for item in condition[group]
        ]
        return joiner.join(parts)
    spec = doc_type.field(condition.get("field"))
    if spec is None:
        return str(condition.get("field"))
    value = condition.get("value")
    shown = ", ".join(spec.display(v) for v in value) if isinstance(value, list) else spec.display(value)
    return f"{spec.label} {OPERATORS.get(condition.get('op'), condition.get('op'))} {shown}"
