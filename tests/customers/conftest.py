import pytest

from kehu.core.models import DictionaryItem


@pytest.fixture
def levels(db):
    return {item.code: item for item in DictionaryItem.objects.filter(dictionary__code="customer_level")}


@pytest.fixture
def industry(db):
    return DictionaryItem.objects.get(dictionary__code="industry", code="it")
