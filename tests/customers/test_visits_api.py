"""The REST API of visits: plan, check in (JSON or multipart with a photo), summary, review, cancel — the same
rules and messages as the pages; outside the scope 404."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from kehu.customers import services
from kehu.customers.models import FollowUp, Visit
from kehu.notify.models import Message


@pytest.fixture(autouse=True)
def english(client, settings, tmp_path):
    """Messages are asserted in the English source (Chinese is the default language)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    client.cookies["kehu_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def customer(org):
    return services.create_customer(
        org.rep, {"name": "北京天安科技有限公司", "latitude": Decimal("39.9087"), "longitude": Decimal("116.3975")}
    )


def url(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs or None)


def test_plan_check_in_summary_and_review(org, customer, client):
    client.force_login(org.rep)
    planned_at = (timezone.now() + timedelta(hours=5)).isoformat()
    response = client.post(url("visit-list"), {"customer": customer.pk, "purpose": "演示", "planned_at": planned_at})
    assert response.status_code == 201, response.json()
    visit_id = response.json()["id"]
    assert response.json()["status"] == "planned"

    response = client.post(
        url("visit-check-in", pk=visit_id),
        {"latitude": 39.9186, "longitude": 116.3975, "accuracy": 20, "checked_in_at": "2000-01-01T00:00:00Z"},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 200, body
    assert (body["status"], body["checkin_distance_m"], body["checkin_accuracy_m"], body["location_available"]) == (
        "checked_in",
        1101,
        20,
        True,
    )
    assert not body["checked_in_at"].startswith("2000")

    response = client.post(url("visit-summary", pk=visit_id), {"summary": ""}, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["summary"]
    response = client.post(url("visit-summary", pk=visit_id), {"summary": "谈妥"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert response.json()["followup"] == FollowUp.objects.get(kind="visit").pk

    response = client.post(url("visit-review", pk=visit_id), {}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "non_field_errors": ["Only a manager of the visitor can review this visit."]
    }
    client.force_login(org.manager)
    assert [v["id"] for v in client.get(url("visit-list"), {"box": "review"}).json()["results"]] == [visit_id]
    response = client.post(url("visit-review", pk=visit_id), {"comment": "好"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["review_comment"] == "好"
    assert Message.objects.get().recipient == org.rep


def test_check_in_without_location_and_with_a_photo_by_multipart(org, customer, client):
    client.force_login(org.rep)
    visit = Visit.objects.create(customer=customer, visitor=org.rep, purpose="x", planned_at=timezone.now())
    png = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 120, 200)).save(png, format="PNG")
    photo = SimpleUploadedFile("site.png", png.getvalue(), content_type="image/png")
    response = client.post(url("visit-check-in", pk=visit.pk), {"photo": photo})
    body = response.json()
    assert response.status_code == 200, body
    assert (body["location_available"], body["checkin_distance_m"]) == (False, None)
    assert body["photo_url"] == reverse("customers:visit_photo", kwargs={"pk": visit.pk})


def test_a_fake_photo_is_refused_with_a_field_message(org, customer, client):
    client.force_login(org.rep)
    visit = Visit.objects.create(customer=customer, visitor=org.rep, purpose="x", planned_at=timezone.now())
    fake = SimpleUploadedFile("site.jpg", b"MZ\x90\x00 definitely not a jpeg")
    response = client.post(
        url("visit-check-in", pk=visit.pk), {"photo": fake, "latitude": "39.9", "longitude": "116.4"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"photo": ["This file is not a JPEG, PNG or WebP image."]}
    assert Visit.objects.get(pk=visit.pk).status == "planned"


def test_planning_in_the_past_and_out_of_scope(org, customer, client):
    client.force_login(org.rep)
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    response = client.post(url("visit-list"), {"customer": customer.pk, "purpose": "x", "planned_at": past})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"planned_at": ["The visit must be planned for a time in the future."]}
    client.force_login(org.rep_east)
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    response = client.post(url("visit-list"), {"customer": customer.pk, "purpose": "x", "planned_at": future})
    assert response.status_code == 404


def test_cancel(org, customer, client):
    client.force_login(org.rep)
    visit = Visit.objects.create(customer=customer, visitor=org.rep, purpose="x", planned_at=timezone.now())
    assert client.post(url("visit-cancel", pk=visit.pk)).json()["status"] == "cancelled"
    assert client.post(url("visit-cancel", pk=visit.pk)).status_code == 400
