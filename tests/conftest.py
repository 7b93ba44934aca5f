import pytest
from django.db import transaction

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


@pytest.fixture(autouse=True)
def commit_hooks_run_when_the_code_commits(monkeypatch):
    """A test case wraps each test in a transaction that is never committed, so `transaction.on_commit` hooks
    (domain events) would never run. Here the end of the outermost block the *code* opened counts as the
    commit it is in production: its hooks run then, and a block rolled back drops them as Django does."""
    original_exit = transaction.Atomic.__exit__

    def exit_and_run_hooks(self, exc_type, exc_value, traceback):
        connection = transaction.get_connection(self.using)
        result = original_exit(self, exc_type, exc_value, traceback)
        blocks = connection.atomic_blocks
        committed = exc_type is None and not connection.needs_rollback
        if committed and blocks and all(getattr(b, "_from_testcase", False) for b in blocks):
            while connection.run_on_commit:
                _savepoints, hook, robust = connection.run_on_commit.pop(0)
                hook()
        return result

    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_and_run_hooks)
