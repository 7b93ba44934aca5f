import pytest

from tests.factories import DepartmentTree


@pytest.fixture
def org(db):
    """A small company: root → sales → north/east, plus ops; people and roles of every kind."""
    return DepartmentTree.build()
