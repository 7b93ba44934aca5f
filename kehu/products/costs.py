"""Who sees cost prices: the one place that decides (PRODUCT.md §3.3 — hidden in lists, detail, API, export and
reports alike). A role sees costs with the products module's `costs` action.

Every output reads it from here: the list columns (`Column(perm=COST_PERM)`), the serializers (`CostHidingMixin`
drops `COST_FIELDS`), the detail pages (`can_see_costs` in the context), the Excel export (`export_columns`) and the
stock-in forms. `tests/products/test_cost_hiding.py` walks every output as a user with and without it.
"""

COST_PERM = "costs"
COST_FIELDS = frozenset({"cost_price", "unit_cost", "cost_value"})


def can_see_costs(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(f"products.{COST_PERM}"))


def visible_fields(user, names):
    """`names` without the cost fields when `user` may not see costs."""
    if can_see_costs(user):
        return list(names)
    return [name for name in names if name not in COST_FIELDS]


class CostHidingMixin:
    """A serializer mixin: the cost fields are dropped from its output (and ignored on input) for users who may
    not see costs. The user is the request's (`context["request"]`) or `context["user"]`."""

    def get_fields(self):
        fields = super().get_fields()
        context = getattr(self, "context", {}) or {}
        request = context.get("request")
        user = context.get("user") or (request.user if request is not None else None)
        if not can_see_costs(user):
            for name in COST_FIELDS:
                fields.pop(name, None)
        return fields
