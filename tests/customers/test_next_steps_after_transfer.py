"""After a transfer the former owner's next steps on that customer leave both the next-steps page and the
workbench panel: both read `queries.open_next_steps_for` (through `visible_to`)."""

from datetime import timedelta

from django.utils import timezone

from kehu.customers import activities, services
from kehu.customers.models import FollowUp


def test_a_transferred_customer_leaves_the_former_owners_workbench_and_next_steps(client, org):
    customer = services.create_customer(org.rep, {"name": "转走的客户"})
    followup = activities.record_followup(
        org.rep, customer, "call", "谈价格", next_step="寄送合同", next_step_due=timezone.localdate()
    )
    FollowUp.objects.filter(pk=followup.pk).update(next_step_due=timezone.localdate() - timedelta(days=1))
    client.force_login(org.rep)
    assert "寄送合同" in client.get("/").content.decode()
    assert "寄送合同" in client.get("/customers/followups/next-steps/").content.decode()

    services.transfer_customers(org.manager, [customer.pk], org.rep_bj)

    workbench = client.get("/").content.decode()
    assert "寄送合同" not in workbench and "转走的客户" not in workbench
    assert "寄送合同" not in client.get("/customers/followups/next-steps/").content.decode()
