"""The trail is chained: a row changed afterwards breaks the chain. The document is `tests.expense`
(tests/scoped_app/models.py) unless a test says otherwise."""

import pytest

from kehu.approvals import services
from kehu.approvals.models import FlowAction
from tests.approvals.helpers import approval, flow, people, publish, submit, task_of

pytestmark = pytest.mark.django_db


def test_the_trail_is_chained_and_a_changed_row_breaks_the_chain(org):
    publish(org.admin, flow({"n1": approval("经理", people(org.manager))}))
    instance = submit(org.rep)
    services.approve(org.manager, task_of(org.manager, instance).pk, "同意")
    assert services.verify_trail(instance) is True
    FlowAction.objects.filter(instance=instance, kind="approve").update(comment="不同意")
    assert services.verify_trail(instance) is False
