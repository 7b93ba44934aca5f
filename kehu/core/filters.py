"""Filters every list's FilterSet uses (kehu.core.resources)."""

import django_filters
from django import forms

MAX_ID = 2**63 - 1


class IdFilter(django_filters.Filter):
    """A record id (owner, customer, author ...): a whole number from 1 to 2⁶³−1. Anything else — `1.5`, `1e30`,
    letters — is a field error (the API answers 400, the page shows it), never a truncated id or a 500."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
