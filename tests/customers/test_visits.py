"""Visits (客户拜访): plan → check in on site (server time, browser location, distance, optional photo) → summary,
which becomes the follow-up → a manager's review, which tells the visitor. Outside the scope: 404."""

import io
import math
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from kehu.customers import activities, services
from kehu.customers.models import Customer, FollowUp, Visit
from kehu.notify.models import Message

TIANANMEN = (Decimal("39.908700"), Decimal("116.397500"))
# 0.0099° due north of Tiananmen: on a sphere a pure north-south offset is R·Δφ (≈ 1.1 km).
NORTH = (Decimal("39.918600"), Decimal("116.397500"))
# And one with both offsets, for the full formula.
NORTH_EAST = (Decimal("39.916000"), Decimal("116.406000"))


def _image(kind: str) -> bytes:
    """A real 8×6 picture in `kind` (JPEG, PNG, WEBP), as a phone would upload."""
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 40, 40)).save(out, format=kind)
    return out.getvalue()


PNG, JPEG, WEBP = _image("PNG"), _image("JPEG"), _image("WEBP")
JPEG_HEADER_THEN_HTML = b"\xff\xd8\xff\xe0" + b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in the English source (Chinese is the default language)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def customer(org):
    return services.create_customer(
        org.rep,
        {"name": "北京天安科技有限公司", "latitude": TIANANMEN[0], "longitude": TIANANMEN[1]},
        [{"name": "王经理", "mobile": "13800138000"}],
    )


def plan(org, customer, **kwargs):
    defaults = {"purpose": "演示新版本", "planned_at": timezone.now() + timedelta(hours=3)}
    return activities.plan_visit(org.rep, customer, **{**defaults, **kwargs})


def independent_haversine(a, b):
    """Great-circle distance in metres, written out separately from the product's code (R = 6,371 km)."""
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.atan2(math.sqrt(h), math.sqrt(1 - h))


# --- plan ---------------------------------------------------------------------------------------
def test_plan_a_visit_with_a_contact_of_the_customer(org, customer):
    contact = customer.contacts.get()
    visit = plan(org, customer, contact=contact)
    assert (visit.status, visit.visitor, visit.contact, visit.checked_in_at) == ("planned", org.rep, contact, None)


def test_planning_validates_time_purpose_and_contact(org, customer):
    other = services.create_customer(org.rep, {"name": "另一家公司"}, [{"name": "李四"}])
    with pytest.raises(ValidationError) as error:
        plan(org, customer, purpose=" ", planned_at=timezone.now() - timedelta(minutes=1), contact=other.contacts.get())
    assert error.value.message_dict == {
        "purpose": ["Say what the visit is for."],
        "planned_at": ["The visit must be planned for a time in the future."],
        "contact": ["Choose a contact of this customer."],
    }
    assert Visit.objects.count() == 0


def test_planning_needs_change_rights_on_the_customer(org, customer):
    services.share_customer(org.rep, customer, users=[org.rep_east])  # read-only
    with pytest.raises(Http404):
        activities.plan_visit(org.rep_east, customer, purpose="x", planned_at=timezone.now() + timedelta(hours=1))


# --- check in -----------------------------------------------------------------------------------
def test_check_in_takes_the_server_time_and_computes_the_distance(org, customer):
    visit = plan(org, customer)
    before = timezone.now()
    visit = activities.check_in(org.rep, visit, latitude=NORTH[0], longitude=NORTH[1], accuracy=12.6)
    after = timezone.now()
    visit.refresh_from_db()
    assert before <= visit.checked_in_at <= after
    assert visit.status == "checked_in"
    assert (visit.checkin_latitude, visit.checkin_longitude, visit.checkin_accuracy_m) == (*NORTH, 13)
    meridian_arc = 6_371_000 * math.radians(float(NORTH[0] - TIANANMEN[0]))
    assert round(meridian_arc) == 1101
    assert abs(visit.checkin_distance_m - meridian_arc) <= 1


def test_distance_for_a_point_off_both_axes(org, customer):
    visit = activities.check_in(org.rep, plan(org, customer), latitude=NORTH_EAST[0], longitude=NORTH_EAST[1])
    expected = independent_haversine(TIANANMEN, NORTH_EAST)
    assert 1000 < expected < 1200
    assert abs(visit.checkin_distance_m - expected) <= 1
    assert visit.checkin_accuracy_m is None


def test_check_in_without_a_location_is_recorded_as_unavailable(org, customer, client):
    visit = activities.check_in(org.rep, plan(org, customer))
    visit.refresh_from_db()
    assert visit.status == "checked_in" and visit.checked_in_at is not None
    assert (visit.checkin_latitude, visit.checkin_longitude, visit.checkin_distance_m) == (None, None, None)
    client.cookies["kehu_language"] = "en"
    client.force_login(org.rep)
    page = client.get(reverse("customers:visit_detail", kwargs={"pk": visit.pk})).content.decode()
    assert "Location unavailable" in page
    assert 'id="checkin-distance"' not in page


def test_no_distance_when_the_customer_has_no_location(org):
    customer = services.create_customer(org.rep, {"name": "没有坐标的公司"})
    visit = activities.check_in(org.rep, plan(org, customer), latitude=NORTH[0], longitude=NORTH[1], accuracy=5)
    assert visit.checkin_latitude == NORTH[0] and visit.checkin_distance_m is None


def test_bad_coordinates_are_refused(org, customer):
    visit = plan(org, customer)
    with pytest.raises(ValidationError) as error:
        activities.check_in(org.rep, visit, latitude=91, longitude=181)
    assert error.value.message_dict == {
        "latitude": ["Latitude must be between -90 and 90."],
        "longitude": ["Longitude must be between -180 and 180."],
    }
    with pytest.raises(ValidationError) as error:
        activities.check_in(org.rep, visit, latitude=39.9)
    assert list(error.value.message_dict) == ["latitude"]
    assert Visit.objects.get(pk=visit.pk).status == "planned"


def test_only_the_visitor_checks_in_and_only_once(org, customer):
    visit = plan(org, customer)
    with pytest.raises(ValidationError) as error:
        activities.check_in(org.manager, visit)
    assert error.value.messages == ["Only 华北销售, who is visiting, can do this."]
    activities.check_in(org.rep, visit)
    with pytest.raises(ValidationError) as error:
        activities.check_in(org.rep, visit)
    assert error.value.messages == ["This visit is no longer planned (Checked in)."]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", b"this is not an image at all", "This file is not a JPEG, PNG or WebP image."),
        ("photo.jpg", JPEG_HEADER_THEN_HTML, "This file is not a JPEG, PNG or WebP image."),
        ("photo.jpg", JPEG[: len(JPEG) // 2], "This file is not a JPEG, PNG or WebP image."),  # cut short
        ("photo.jpg", PNG, "This file is not a JPEG, PNG or WebP image."),  # the extension and the bytes disagree
        ("photo.gif", b"GIF89a" + b"\x00" * 20, "Upload a JPEG, PNG or WebP photo."),
        ("photo", JPEG, "Upload a JPEG, PNG or WebP photo."),
        ("big.jpg", JPEG + b"\x00" * (5 * 1024 * 1024), "The photo is larger than 5 MB."),
    ],
    ids=["not-an-image", "jpeg-header-then-html", "truncated", "png-named-jpg", "gif", "no-extension", "too-big"],
)
def test_photos_are_checked_by_extension_magic_bytes_and_size(org, customer, name, content, message):
    visit = plan(org, customer)
    with pytest.raises(ValidationError) as error:
        activities.check_in(org.rep, visit, photo=SimpleUploadedFile(name, content))
    assert error.value.message_dict == {"photo": [message]}
    assert Visit.objects.get(pk=visit.pk).status == "planned"


@pytest.mark.parametrize(
    ("name", "content", "stored", "content_type"),
    [
        ("现场.JPG", JPEG, ".jpg", "image/jpeg"),
        ("门头.jpeg", JPEG, ".jpg", "image/jpeg"),
        ("前台.png", PNG, ".png", "image/png"),
        ("合影.webp", WEBP, ".webp", "image/webp"),
    ],
    ids=["JPG", "jpeg", "png", "webp"],
)
def test_a_photo_is_stored_under_a_new_name_and_served_only_in_scope(
    org, customer, client, name, content, stored, content_type
):
    visit = activities.check_in(org.rep, plan(org, customer), photo=SimpleUploadedFile(name, content))
    assert visit.checkin_photo.name.startswith("visits/") and visit.checkin_photo.name.endswith(stored)
    assert name.split(".")[0] not in visit.checkin_photo.name
    url = reverse("customers:visit_photo", kwargs={"pk": visit.pk})
    client.force_login(org.manager)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == content_type
    served = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(served)) as image:  # re-encoded by Pillow: the same picture, written anew
        assert image.size == (8, 6)
        assert image.format == {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[content_type]
    client.force_login(org.rep_east)
    assert client.get(url).status_code == 404


def test_a_visit_without_photo_has_no_photo_page(org, customer, client):
    visit = plan(org, customer)
    client.force_login(org.rep)
    assert client.get(reverse("customers:visit_photo", kwargs={"pk": visit.pk})).status_code == 404


# --- summary ------------------------------------------------------------------------------------
def test_the_summary_creates_exactly_one_follow_up_and_resets_the_pool_clock(org, customer):
    visit = plan(org, customer, contact=customer.contacts.get())
    with pytest.raises(ValidationError) as error:
        activities.write_summary(org.rep, visit, "too early")
    assert error.value.messages == ["Check in before writing the summary (the visit is Planned)."]
    visit = activities.check_in(org.rep, visit)
    with pytest.raises(ValidationError) as error:
        activities.write_summary(org.rep, visit, "  ")
    assert error.value.message_dict == {"summary": ["Write what came of the visit."]}
    tomorrow = timezone.localdate() + timedelta(days=1)
    visit = activities.write_summary(org.rep, visit, "客户认可方案", next_step="发合同", next_step_due=tomorrow)
    with pytest.raises(ValidationError):
        activities.write_summary(org.rep, visit, "again")

    [followup] = FollowUp.objects.all()
    visit.refresh_from_db()
    assert (visit.status, visit.summary, visit.followup) == ("done", "客户认可方案", followup)
    assert (followup.kind, followup.content, followup.author, followup.contact) == (
        "visit",
        "客户认可方案",
        org.rep,
        customer.contacts.get(),
    )
    assert (followup.next_step, followup.next_step_due, followup.happened_at) == (
        "发合同",
        tomorrow,
        visit.checked_in_at,
    )
    customer.refresh_from_db()
    assert customer.last_followup_at == visit.checked_in_at


def test_a_summary_with_a_past_due_date_is_refused_field_by_field(org, customer):
    visit = activities.check_in(org.rep, plan(org, customer))
    with pytest.raises(ValidationError) as error:
        activities.write_summary(org.rep, visit, "ok", next_step="x", next_step_due=timezone.localdate() - timedelta(1))
    assert error.value.message_dict == {"next_step_due": ["The due date of the next step cannot be in the past."]}
    assert Visit.objects.get(pk=visit.pk).status == "checked_in" and FollowUp.objects.count() == 0


def test_a_visit_summary_follow_up_is_edited_not_deleted(org, customer):
    visit = activities.write_summary(org.rep, activities.check_in(org.rep, plan(org, customer)), "first words")
    with pytest.raises(ValidationError) as error:
        activities.delete_followup(org.rep, visit.followup)
    assert error.value.messages == ["This follow-up is the summary of a visit: edit it instead of deleting it."]
    activities.update_followup(org.rep, visit.followup, kind="visit", content="better words")
    assert Visit.objects.get(pk=visit.pk).summary == "better words"


# --- cancel and review --------------------------------------------------------------------------
def test_cancel_a_planned_visit_only(org, customer):
    visit = activities.cancel_visit(org.rep, plan(org, customer))
    assert Visit.objects.get(pk=visit.pk).status == "cancelled"
    with pytest.raises(ValidationError):
        activities.check_in(org.rep, visit)
    with pytest.raises(ValidationError):
        activities.cancel_visit(org.rep, visit)


def done_visit(org, customer):
    return activities.write_summary(org.rep, activities.check_in(org.rep, plan(org, customer)), "谈妥了")


def test_a_manager_reviews_and_the_visitor_is_told(org, customer):
    visit = done_visit(org, customer)
    reviewed = activities.review_visit(org.manager, visit, "  很好，跟进合同  ")
    assert (reviewed.reviewed_by, reviewed.review_comment) == (org.manager, "很好，跟进合同")
    assert reviewed.reviewed_at is not None
    [message] = Message.objects.all()
    assert message.recipient == org.rep
    assert message.title == "华北经理 reviewed your visit to 北京天安科技有限公司"
    assert (message.body, message.link) == (
        "很好，跟进合同",
        reverse("customers:visit_detail", kwargs={"pk": visit.pk}),
    )
    with pytest.raises(ValidationError) as error:
        activities.review_visit(org.director, visit)
    assert error.value.messages == ["This visit has already been reviewed."]
    assert Message.objects.count() == 1


def test_who_may_review(org, customer):
    services.share_customer(org.rep, customer, users=[org.rep_bj], can_edit=True)
    planned = plan(org, customer)
    with pytest.raises(ValidationError) as error:
        activities.review_visit(org.manager, planned)
    assert error.value.messages == ["Only a visit with its summary written can be reviewed."]
    visit = done_visit(org, customer)
    for person in (org.rep, org.rep_bj):  # the visitor; a colleague with an editable share
        with pytest.raises(ValidationError) as error:
            activities.review_visit(person, visit)
        assert error.value.messages == ["Only a manager of the visitor can review this visit."]
    with pytest.raises(Http404):
        activities.review_visit(org.rep_east, visit)
    assert activities.can_review(org.director, visit) and activities.can_review(org.manager, visit)
    # Seeing the visit is not enough: reviewing is a manager's right (customers "transfer"), e.g. not for
    # after-sales engineers who may view every customer.
    assert not activities.can_review(org.everyone_viewer, visit)
    assert not activities.can_review(org.dept_viewer, visit)
    assert Message.objects.count() == 0


# --- scope and pages ----------------------------------------------------------------------------
def test_visits_are_visible_exactly_when_the_customer_is(org, customer):
    visit = plan(org, customer)
    seen_by = {p.username for p in org.people() if Visit.objects.visible_to(p).filter(pk=visit.pk).exists()}
    customers = {p.username for p in org.people() if Customer.objects.visible_to(p).filter(pk=customer.pk).exists()}
    assert seen_by == customers == {"admin", "director", "manager", "rep", "dept_viewer", "all"}


def test_out_of_scope_visits_and_follow_ups_answer_404(org, customer, client):
    visit = done_visit(org, customer)
    client.force_login(org.rep_east)
    for name in ("visit_detail", "visit_photo"):
        assert client.get(reverse(f"customers:{name}", kwargs={"pk": visit.pk})).status_code == 404
    for name in ("visit_check_in", "visit_summary", "visit_cancel", "visit_review"):
        assert client.post(reverse(f"customers:{name}", kwargs={"pk": visit.pk})).status_code == 404
    assert client.get(reverse("customers:followup_edit", kwargs={"pk": visit.followup_id})).status_code == 404
    assert client.post(reverse("customers:followup_complete", kwargs={"pk": visit.followup_id})).status_code == 404
    assert client.get(reverse("customers:visit_plan", kwargs={"pk": customer.pk})).status_code == 404
    assert client.get(reverse("api:visit-detail", kwargs={"pk": visit.pk})).status_code == 404
    assert client.get(reverse("api:followup-detail", kwargs={"pk": visit.followup_id})).status_code == 404
    assert "谈妥了" not in client.get(reverse("customers:followups")).content.decode()
    assert client.get(reverse("customers:visits") + "?box=all").context["page"].paginator.count == 0


def test_the_whole_flow_on_the_pages(org, customer, client):
    client.cookies["kehu_language"] = "en"
    client.force_login(org.rep)
    planned_at = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    url = reverse("customers:visit_plan", kwargs={"pk": customer.pk})
    response = client.post(url, {"purpose": "", "planned_at": planned_at})
    assert response.context["form"].errors == {"purpose": ["This field is required."]}
    response = client.post(url, {"purpose": "签合同", "planned_at": planned_at, "contact": customer.contacts.get().pk})
    visit = Visit.objects.get()
    assert response["Location"] == reverse("customers:visit_detail", kwargs={"pk": visit.pk})
    detail = client.get(response["Location"])
    assert [s["key"] for s in detail.context["steps"] if s["reached"]] == ["planned"]
    assert 'id="go-check-in"' in detail.content.decode()

    check_in_url = reverse("customers:visit_check_in", kwargs={"pk": visit.pk})
    assert client.get(check_in_url).status_code == 200
    bad = client.post(check_in_url, {"photo": SimpleUploadedFile("x.png", b"not a png")})
    assert bad.status_code == 200
    assert bad.context["form"].errors == {"photo": ["This file is not a JPEG, PNG or WebP image."]}
    response = client.post(
        check_in_url,
        {"latitude": "39.9186", "longitude": "116.3975", "accuracy": "8", "checked_in_at": "2000-01-01T00:00"},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'id="checkin-distance" data-metres="1101"' in page
    assert Visit.objects.get().checked_in_at.year == timezone.now().year  # the client's time is ignored

    summary_url = reverse("customers:visit_summary", kwargs={"pk": visit.pk})
    assert client.post(summary_url, {"summary": ""}).context["form"].errors == {"summary": ["This field is required."]}
    assert client.post(summary_url, {"summary": "签了"}).status_code == 302
    assert FollowUp.objects.get().content == "签了"
    assert [s["key"] for s in client.get(response["Location"]).context["steps"] if s["reached"]] == [
        "planned",
        "checked_in",
        "done",
    ]

    client.force_login(org.manager)
    to_review = client.get(reverse("customers:visits") + "?box=review")
    assert [v.pk for v in to_review.context["page"].object_list] == [visit.pk]
    response = client.post(reverse("customers:visit_review", kwargs={"pk": visit.pk}), {"comment": "好"})
    assert response.status_code == 302
    assert Visit.objects.get().reviewed_by == org.manager
    assert list(client.get(reverse("customers:visits") + "?box=review").context["page"].object_list) == []


def test_visit_list_tabs(org, customer, client):
    today_visit = plan(org, customer, planned_at=timezone.now() + timedelta(minutes=5))
    later = plan(org, customer, planned_at=timezone.now() + timedelta(days=3))
    done = done_visit(org, customer)
    cancelled = activities.cancel_visit(org.rep, plan(org, customer))
    client.force_login(org.rep)

    def box(name):
        return [v.pk for v in client.get(reverse("customers:visits"), {"box": name}).context["page"].object_list]

    assert box("upcoming") == [today_visit.pk, later.pk]  # open ones, soonest first
    assert box("done") == [done.pk]
    assert set(box("all")) == {today_visit.pk, later.pk, done.pk, cancelled.pk}
    tabs = client.get(reverse("customers:visits")).context["tabs"]
    assert "review" not in [tab["key"] for tab in tabs]  # a rep reviews nobody
    client.force_login(org.manager)
    assert box("review") == [done.pk]
    assert box("upcoming") == []  # his own visits only


def test_a_finished_visit_is_one_entry_on_the_customers_timeline(org, customer):
    from kehu.customers.queries import timeline_for

    visit = activities.check_in(org.rep, plan(org, customer))
    activities.write_summary(org.rep, visit, "客户认可方案")
    entries = [(e["kind"], e["obj"].pk) for e in timeline_for(customer) if e["kind"] in ("visit", "followup")]
    assert entries == [("visit", visit.pk)]  # its follow-up (the summary) is not listed a second time
