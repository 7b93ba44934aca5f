"""The pool in the REST API: the same services and rules, errors in the project's format."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from kehu.customers import pool_rules, services
from kehu.customers.models import Customer, CustomerLimit, PoolEvent
from kehu.org.models import Role


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):  # and back afterwards: requests leave their language active
        yield


def pool_customer(name, **fields):
    customer = Customer.objects.create(number=f"CU-API-{name}", name=name, name_normalized=name, **fields)
    customer.contacts.create(name="王主任", title="采购经理", mobile="13912345678")
    return customer


def test_list_and_detail_show_pool_customers_without_contact_numbers(client, org):
    customer = pool_customer("甲", previous_owner=org.rep_east, released_at=timezone.now())
    PoolEvent.objects.create(customer=customer, kind="released", actor=org.rep_east, reason="预算取消")
    client.force_login(org.rep)
    body = client.get(reverse("api:pool-list")).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["id"], row["previous_owner_name"], row["pool_reason"]) == (customer.pk, "华东销售", "预算取消")
    assert row["contacts"] == [
        {
            "id": customer.contacts.get().pk,
            "name": "王主任",
            "title": "采购经理",
            "decision_role": "other",
            "is_primary": False,
        }
    ]
    assert "13912345678" not in str(body)
    assert client.get(reverse("api:pool-detail", args=[customer.pk])).json()["name"] == "甲"


def test_claim_and_the_loser_gets_the_error_format_with_the_winners_name(client, org):
    customer = pool_customer("甲")
    client.force_login(org.rep_bj)
    response = client.post(reverse("api:pool-claim", args=[customer.pk]))
    assert response.status_code == 200
    assert (response.json()["owner"], response.json()["contacts"][0]["mobile"]) == (org.rep_bj.pk, "13912345678")
    client.force_login(org.rep)
    response = client.post(reverse("api:pool-claim", args=[customer.pk]))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["customer"][0].startswith("Too late: 北京销售 took this customer from the pool at ")


def test_claim_caps_and_permission(client, org):
    CustomerLimit.objects.create(role=Role.objects.get(code="t_rep"), max_owned=0)
    customer = pool_customer("甲")
    client.force_login(org.rep)
    response = client.post(reverse("api:pool-claim", args=[customer.pk]))
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"owner": ["华北销售 already owns 0 customers; the limit is 0."]}
    client.force_login(org.chosen_viewer)
    assert client.post(reverse("api:pool-claim", args=[customer.pk])).status_code == 403


def test_bulk_release_reports_what_it_skipped(client, org):
    mine = services.create_customer(org.rep, {"name": "甲"})
    east = services.create_customer(org.rep_east, {"name": "乙"})
    client.force_login(org.rep)
    response = client.post(
        reverse("api:pool-release"),
        {"customers": [mine.pk, east.pk], "reason": "年底清理"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {"done": [mine.pk], "skipped": [east.pk]}
    response = client.post(
        reverse("api:pool-release"), {"customers": [mine.pk], "reason": ""}, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["reason"]


def test_assign_needs_ops_rights(client, org):
    customer = pool_customer("甲")
    data = {"customers": [customer.pk], "to_user": org.rep.pk}
    client.force_login(org.rep)
    assert client.post(reverse("api:pool-assign"), data, content_type="application/json").status_code == 403
    client.force_login(org.admin)
    response = client.post(reverse("api:pool-assign"), data, content_type="application/json")
    assert response.json() == {"done": [customer.pk], "skipped": []}
    assert Customer.objects.get(pk=customer.pk).owner == org.rep


def test_preview(client, org, levels):
    since = timezone.now() - timedelta(days=40)
    customer = Customer.objects.create(
        number="CU-API-IDLE",
        name="久未跟进",
        name_normalized="久未跟进",
        owner=org.rep,
        owner_department=org.north,
        level=levels["c"],
        created_at=since,
        owned_since=since,
    )
    client.force_login(org.manager)
    body = client.get(reverse("api:pool-preview")).json()
    assert body["run_at"] == pool_rules.next_run_at(timezone.now()).isoformat()
    assert [(row["customer"], row["owner_name"], row["idle_days"]) for row in body["due"]] == [
        (customer.pk, "华北销售", (pool_rules.next_run_at(timezone.now()) - since).days)
    ]
    assert body["soon"] == []
    client.force_login(org.rep)
    assert client.get(reverse("api:pool-preview")).status_code == 403
