"""Submitting: only with a published flow, once at a time, and only by whom the document type allows. The document
is `tests.expense` (tests/scoped_app/models.py) unless a test says otherwise."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kehu.approvals import services
from tests.approvals.helpers import approval, expense, flow, people, publish

pytestmark = pytest.mark.django_db


def test_without_a_published_flow_nothing_can_be_submitted(org):
    with pytest.raises(ValidationError) as refused:
        services.submit(org.rep, "tests.expense", expense(org.rep))
    assert refused.value.messages == ["Expense 没有已发布的审批流程。"]
    with pytest.raises(PermissionDenied):
        services.save_draft(org.rep, "tests.expense", "x", {})


def test_a_second_submission_while_one_is_running_is_refused(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    document = expense(org.rep)
    services.submit(org.rep, "tests.expense", document)
    with pytest.raises(ValidationError) as refused:
        services.submit(org.rep, "tests.expense", document)
    assert refused.value.messages == ["这份单据已经在审批中。"]
    with pytest.raises(PermissionDenied):
        services.submit(org.manager, "tests.expense", expense(org.rep))
