"""The REST API of follow-ups: list with filters, create, complete the next step, edit/delete within 24 hours."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kehu.customers import services
from kehu.customers.models import FollowUp


@pytest.fixture(autouse=True)
def english(client):
    """Messages are asserted in the English source (Chinese is the default language)."""
    client.cookies["kehu_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def customer(org):
    return services.create_customer(org.rep, {"name": "北京致远科技有限公司"}, [{"name": "王经理"}])


def test_create_list_and_complete(org, customer, client):
    client.force_login(org.rep)
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("api:followup-list"),
        {
            "customer": customer.pk,
            "kind": "call",
            "content": "电话沟通",
            "contact": customer.contacts.get().pk,
            "next_step": "发报价",
            "next_step_due": today,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    followup_id = response.json()["id"]
    customer.refresh_from_db()
    assert customer.last_followup_at == FollowUp.objects.get().happened_at

    rows = client.get(reverse("api:followup-list"), {"kind": "call"}).json()["results"]
    assert [(r["id"], r["content"], r["author_name"]) for r in rows] == [(followup_id, "电话沟通", "华北销售")]
    assert client.get(reverse("api:followup-list"), {"kind": "email"}).json()["results"] == []

    response = client.post(reverse("api:followup-complete", kwargs={"pk": followup_id}))
    assert response.status_code == 200 and response.json()["next_step_done_at"] is not None
    response = client.post(reverse("api:followup-complete", kwargs={"pk": followup_id}))
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"non_field_errors": ["This next step is already done."]}


def test_field_messages_and_scope(org, customer, client):
    client.force_login(org.rep)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        reverse("api:followup-list"),
        {"customer": customer.pk, "kind": "call", "content": "x", "next_step": "y", "next_step_due": yesterday},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "next_step_due": ["The due date of the next step cannot be in the past."]
    }
    client.force_login(org.rep_east)
    response = client.post(
        reverse("api:followup-list"),
        {"customer": customer.pk, "kind": "call", "content": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert FollowUp.objects.count() == 0


def test_edit_and_delete_within_24_hours(org, customer, client):
    client.force_login(org.rep)
    followup = FollowUp.objects.create(customer=customer, author=org.rep, content="draft")
    detail = reverse("api:followup-detail", kwargs={"pk": followup.pk})
    response = client.patch(detail, {"content": "final"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["content"] == "final"
    FollowUp.objects.filter(pk=followup.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert client.patch(detail, {"content": "late"}, content_type="application/json").status_code == 400
    assert client.delete(detail).status_code == 400
    FollowUp.objects.filter(pk=followup.pk).update(created_at=timezone.now())
    assert client.delete(detail).status_code == 204
    assert not FollowUp.objects.exists()
