"""Publishing a new version of a flow never changes the instances already running. The document is `tests.expense`
(tests/scoped_app/models.py) unless a test says otherwise."""

import pytest
from django.core.exceptions import ValidationError

from kehu.approvals import services
from kehu.approvals.models import FlowDefinition
from tests.approvals.helpers import approval, flow, holders, people, publish, submit, task_of

pytestmark = pytest.mark.django_db


def test_publishing_a_new_version_never_changes_running_instances(org):
    v1 = publish(
        org.admin,
        flow({"n1": approval("经理", people(org.manager), "n2"), "n2": approval("总监", people(org.director))}),
    )
    running = submit(org.rep)
    v2 = publish(org.admin, flow({"n1": approval("运营", people(org.admin))}))
    v1.refresh_from_db()
    assert (v1.version, v1.status, v2.version, v2.status) == (1, "retired", 2, "published")
    services.approve(org.manager, task_of(org.manager, running).pk)
    assert holders(running) == ["director"]  # still v1's second step
    fresh = submit(org.rep)
    assert (fresh.definition, holders(fresh)) == (v2, ["admin"])
    with pytest.raises(ValidationError):
        services.publish(org.admin, v1)  # only drafts are published
    assert FlowDefinition.objects.filter(status="published").count() == 1
