"""Follow-ups (跟进记录): they need change rights on the customer, reset the pool clock, validate the next step,
may be edited or deleted by their author within 24 hours, and are visible exactly when the customer is."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from kehu.customers import activities, services
from kehu.customers.models import Customer, FollowUp


@pytest.fixture
def customer(org):
    return services.create_customer(
        org.rep, {"name": "北京致远科技有限公司"}, [{"name": "王经理", "mobile": "13800138000"}]
    )


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in the English source (Chinese is the default language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def en(client):
    client.cookies["kehu_language"] = "en"
    return client


def test_a_follow_up_resets_the_pool_clock(org, customer):
    assert customer.last_followup_at is None
    followup = activities.record_followup(
        org.rep, customer, FollowUp.Kind.CALL, "  谈了报价  ", contact=customer.contacts.get()
    )
    customer.refresh_from_db()
    assert customer.last_followup_at == followup.happened_at
    assert customer.last_activity_at == followup.happened_at
    assert (followup.author, followup.content, followup.contact.name) == (org.rep, "谈了报价", "王经理")


def test_a_follow_up_logged_late_never_moves_the_pool_clock_back(org, customer):
    latest = activities.record_followup(org.rep, customer, "call", "today")
    activities.record_followup(
        org.rep, customer, "meeting", "last week", happened_at=latest.happened_at - timedelta(days=7)
    )
    customer.refresh_from_db()
    assert customer.last_followup_at == latest.happened_at


def test_deleting_a_follow_up_puts_the_pool_clock_back_to_the_latest_remaining_one(org, customer):
    earlier = activities.record_followup(
        org.rep, customer, "call", "earlier", happened_at=timezone.now() - timedelta(days=3)
    )
    latest = activities.record_followup(org.rep, customer, "call", "latest")
    activities.delete_followup(org.rep, latest)
    customer.refresh_from_db()
    assert customer.last_followup_at == earlier.happened_at
    activities.delete_followup(org.rep, earlier)
    customer.refresh_from_db()
    assert customer.last_followup_at is None


def test_next_step_and_content_are_validated_field_by_field(org, customer):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        activities.record_followup(org.rep, customer, "call", " ", next_step="", next_step_due=yesterday)
    assert error.value.message_dict == {
        "content": ["Write what was discussed."],
        "next_step": ["Describe the next step that is due on this date."],
        "next_step_due": ["The due date of the next step cannot be in the past."],
    }
    with pytest.raises(ValidationError) as error:
        activities.record_followup(org.rep, customer, "fax", "x", happened_at=timezone.now() + timedelta(hours=1))
    assert set(error.value.message_dict) == {"kind", "happened_at"}
    assert FollowUp.objects.count() == 0
    today = activities.record_followup(
        org.rep, customer, "call", "ok", next_step="发方案", next_step_due=timezone.localdate()
    )
    assert today.next_step_due == timezone.localdate()


def test_a_contact_of_another_customer_is_refused(org, customer):
    other = services.create_customer(org.rep, {"name": "另一家公司"}, [{"name": "李四"}])
    with pytest.raises(ValidationError) as error:
        activities.record_followup(org.rep, customer, "call", "x", contact=other.contacts.get())
    assert error.value.message_dict == {"contact": ["Choose a contact of this customer."]}


def test_follow_ups_need_change_rights_on_the_customer(org, customer):
    services.share_customer(org.rep, customer, users=[org.rep_east])  # read-only share
    with pytest.raises(Http404):
        activities.record_followup(org.rep_east, customer, "call", "x")
    with pytest.raises(Http404):
        activities.record_followup(org.rep_bj, customer, "call", "x")  # outside the scope
    services.share_customer(org.rep, customer, users=[org.rep_east], can_edit=True)
    assert activities.record_followup(org.rep_east, customer, "call", "x").author == org.rep_east
    assert activities.record_followup(org.manager, customer, "call", "y").author == org.manager


def test_the_author_edits_within_24_hours_and_nobody_after(org, customer):
    followup = activities.record_followup(org.rep, customer, "call", "draft")
    with pytest.raises(ValidationError) as error:
        activities.update_followup(org.manager, followup, kind="call", content="manager's words")
    assert error.value.messages == ["Only the author can change or delete a follow-up."]
    activities.update_followup(org.rep, followup, kind="meeting", content="fixed", next_step="回访")
    followup.refresh_from_db()
    assert (followup.kind, followup.content, followup.next_step) == ("meeting", "fixed", "回访")

    FollowUp.objects.filter(pk=followup.pk).update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
    with pytest.raises(ValidationError) as error:
        activities.update_followup(org.rep, followup, kind="call", content="too late")
    assert error.value.messages == [
        "A follow-up can only be changed within 24 hours of writing it; add a new follow-up instead."
    ]
    with pytest.raises(ValidationError):
        activities.delete_followup(org.rep, followup)
    assert FollowUp.objects.get(pk=followup.pk).content == "fixed"


def test_an_unchanged_past_due_date_does_not_block_an_edit(org, customer):
    followup = activities.record_followup(
        org.rep, customer, "call", "x", next_step="s", next_step_due=timezone.localdate()
    )
    FollowUp.objects.filter(pk=followup.pk).update(next_step_due=timezone.localdate() - timedelta(days=1))
    followup.refresh_from_db()
    activities.update_followup(
        org.rep, followup, kind="call", content="y", next_step="s", next_step_due=followup.next_step_due
    )
    assert FollowUp.objects.get(pk=followup.pk).content == "y"


def test_complete_a_next_step_once(org, customer):
    followup = activities.record_followup(
        org.rep, customer, "call", "x", next_step="发报价", next_step_due=timezone.localdate()
    )
    with pytest.raises(ValidationError):
        activities.complete_next_step(org.everyone_viewer, followup)  # sees it, may not change it
    activities.complete_next_step(org.rep, followup)
    assert FollowUp.objects.get(pk=followup.pk).next_step_done_at is not None
    with pytest.raises(ValidationError) as error:
        activities.complete_next_step(org.rep, followup)
    assert error.value.messages == ["This next step is already done."]


def test_follow_ups_are_visible_exactly_when_the_customer_is(org, customer):
    followup = activities.record_followup(org.rep, customer, "call", "x")
    seen_by = {p.username for p in org.people() if FollowUp.objects.visible_to(p).filter(pk=followup.pk).exists()}
    customers = {p.username for p in org.people() if Customer.objects.visible_to(p).filter(pk=customer.pk).exists()}
    assert seen_by == customers == {"admin", "director", "manager", "rep", "dept_viewer", "all"}
    with pytest.raises(Http404):
        activities.get_followup_for_user(org.rep_east, followup.pk)


# --- pages --------------------------------------------------------------------------------------
def test_the_customer_page_offers_follow_up_and_visit_to_who_may_change_it(org, customer, client):
    client.force_login(org.rep)
    page = client.get(reverse("customers:detail", kwargs={"pk": customer.pk})).content.decode()
    assert reverse("customers:followup_add", kwargs={"pk": customer.pk}) in page
    assert reverse("customers:visit_plan", kwargs={"pk": customer.pk}) in page
    client.force_login(org.everyone_viewer)  # sees every customer, changes none
    page = client.get(reverse("customers:detail", kwargs={"pk": customer.pk})).content.decode()
    assert reverse("customers:followup_add", kwargs={"pk": customer.pk}) not in page


def test_record_a_follow_up_on_the_page_with_field_errors_first(org, customer, en):
    en.force_login(org.rep)
    url = reverse("customers:followup_add", kwargs={"pk": customer.pk})
    assert en.get(url).status_code == 200
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = en.post(url, {"kind": "call", "content": "", "next_step": "x", "next_step_due": yesterday})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "content": ["This field is required."],
    }
    response = en.post(url, {"kind": "call", "content": "谈了", "next_step": "x", "next_step_due": yesterday})
    assert response.context["form"].errors == {
        "next_step_due": ["The due date of the next step cannot be in the past."]
    }
    assert "The due date of the next step cannot be in the past." in response.content.decode()
    response = en.post(url, {"kind": "wechat", "content": "谈了", "next_step": "发方案"})
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", kwargs={"pk": customer.pk}) + "?tab=timeline"
    assert list(FollowUp.objects.values_list("kind", "content", "next_step")) == [("wechat", "谈了", "发方案")]
    timeline = en.get(response["Location"]).content.decode()
    assert "谈了" in timeline and "发方案" in timeline


def test_list_filters_and_my_next_steps(org, customer, client):
    today = timezone.localdate()
    mine = activities.record_followup(org.rep, customer, "call", "REP-CALL", next_step="s1", next_step_due=today)
    FollowUp.objects.filter(pk=mine.pk).update(next_step_due=today - timedelta(days=2))  # overdue now
    activities.record_followup(org.manager, customer, "meeting", "MGR-MEETING")
    client.force_login(org.manager)
    url = reverse("customers:followups")
    page = client.get(url).content.decode()
    assert "REP-CALL" in page and "MGR-MEETING" in page
    page = client.get(url, {"kind": "meeting"}).content.decode()
    assert "REP-CALL" not in page and "MGR-MEETING" in page
    page = client.get(url, {"author": org.rep.pk}).content.decode()
    assert "REP-CALL" in page and "MGR-MEETING" not in page
    page = client.get(url, {"overdue": "true"}).content.decode()
    assert "REP-CALL" in page and "MGR-MEETING" not in page
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert "REP-CALL" not in client.get(url, {"date_from": tomorrow}).content.decode()

    client.force_login(org.rep)
    steps = client.get(reverse("customers:next_steps"))
    assert [f.pk for f in steps.context["page"].object_list] == [mine.pk]
    done = client.post(
        reverse("customers:followup_complete", kwargs={"pk": mine.pk}), {"next": "/customers/followups/next-steps/"}
    )
    assert done.status_code == 302 and done["Location"] == "/customers/followups/next-steps/"
    assert list(client.get(reverse("customers:next_steps")).context["page"].object_list) == []


def test_edit_page_is_a_form_for_the_author_and_read_only_for_others(org, customer, client):
    followup = activities.record_followup(org.rep, customer, "call", "original")
    url = reverse("customers:followup_edit", kwargs={"pk": followup.pk})
    client.force_login(org.manager)
    response = client.get(url)
    assert response.status_code == 200 and response.context["form"] is None
    assert client.post(reverse("customers:followup_delete", kwargs={"pk": followup.pk})).status_code == 302
    assert FollowUp.objects.filter(pk=followup.pk).exists()
    client.force_login(org.rep_east)
    assert client.get(url).status_code == 404
    client.force_login(org.rep)
    response = client.post(url, {"kind": "call", "content": "corrected"})
    assert response.status_code == 302
    assert FollowUp.objects.get(pk=followup.pk).content == "corrected"
    client.post(reverse("customers:followup_delete", kwargs={"pk": followup.pk}))
    assert not FollowUp.objects.filter(pk=followup.pk).exists()


def test_the_workbench_shows_my_overdue_next_steps(org, customer, client):
    followup = activities.record_followup(
        org.rep, customer, "call", "x", next_step="催款", next_step_due=timezone.localdate()
    )
    FollowUp.objects.filter(pk=followup.pk).update(next_step_due=timezone.localdate() - timedelta(days=1))
    client.force_login(org.rep)
    assert "催款" in client.get("/").content.decode()
