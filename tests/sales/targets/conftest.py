"""These tests assert messages in the default language (Chinese): the opportunities' English defaults of
tests/sales/conftest.py are put back to the suite's."""

import pytest


@pytest.fixture(autouse=True)
def english(default_language):
    yield


@pytest.fixture
def client():
    from django.test import Client

    return Client()
