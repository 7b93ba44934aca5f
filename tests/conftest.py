import pytest

from tests.factories import DepartmentTree


@pytest.fixture
def org(db):
    """A small company: root → sales → north/east, plus ops; people and roles of every kind."""
    return DepartmentTree.build()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request in English must not leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
