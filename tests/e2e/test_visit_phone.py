"""A rep on a phone (375×812) plans a visit from the customer's page, checks in on site with the browser's location
(the page shows the distance to the customer), writes the summary, and the customer's timeline shows the visit and
the follow-up it became. No JavaScript or console error, no sideways scrolling, big touch targets."""

import math
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kehu.customers import services
from kehu.customers.models import FollowUp, Visit
from tests.e2e.conftest import PHONE, Tab
from tests.e2e.test_navigation import OVERFLOW_JS
from tests.factories import DepartmentTree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TIANANMEN = (39.9087, 116.3975)
ON_SITE = {"latitude": 39.9186, "longitude": 116.3975, "accuracy": 15}  # 0.0099° due north: R·Δφ ≈ 1,101 m


def fits_the_phone(tab: Tab) -> None:
    layout = tab.page.evaluate(OVERFLOW_JS, PHONE["width"])
    assert layout["scrollWidth"] <= PHONE["width"], layout


def click_and_wait(tab: Tab, selector: str):
    with tab.page.expect_navigation(wait_until="load") as navigation:
        tab.page.click(selector)
    return navigation.value


def test_a_rep_on_a_phone_plans_a_visit_checks_in_and_writes_the_summary(page_for):
    org = DepartmentTree.build()
    customer = services.create_customer(
        org.rep,
        {"name": "北京天安科技有限公司", "latitude": Decimal("39.908700"), "longitude": Decimal("116.397500")},
        [{"name": "王经理", "mobile": "13800138000"}],
    )
    tab = page_for(PHONE, geolocation=ON_SITE, permissions=["geolocation"])
    assert tab.login(org.rep.username).status == 200

    # Open the customer from "my customers" (a card on the phone) and plan a visit.
    tab.goto("/customers/")
    with tab.page.expect_navigation(wait_until="load"):
        tab.page.get_by_role("link", name=customer.name).click()
    fits_the_phone(tab)
    click_and_wait(tab, "[data-action=plan-visit]")
    fits_the_phone(tab)
    planned = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0)
    tab.page.fill("#id_purpose", "演示新版本并确认采购计划")
    tab.page.fill("#id_planned_at", planned.strftime("%Y-%m-%dT%H:%M"))
    tab.page.select_option("#id_contact", label="王经理")
    assert click_and_wait(tab, "#plan-visit").status == 200
    visit = Visit.objects.get()
    assert tab.page.evaluate("location.pathname") == f"/customers/visits/{visit.pk}/"
    assert tab.page.get_attribute("#visit-status", "data-status") == "planned"
    fits_the_phone(tab)

    # Check in: the big button, the location found by the browser, the distance on the visit's page.
    go = tab.page.locator("#go-check-in").bounding_box()
    assert go["height"] >= 48 and go["width"] >= PHONE["width"] - 80, go
    click_and_wait(tab, "#go-check-in")
    tab.page.wait_for_selector("#location-status[data-state=found]")
    assert not tab.page.locator("#check-in-button").is_disabled()
    assert tab.page.input_value("#id_accuracy") == "15"
    fits_the_phone(tab)
    assert click_and_wait(tab, "#check-in-button").status == 200
    distance = tab.page.locator("#checkin-distance")
    expected = 6_371_000 * math.radians(ON_SITE["latitude"] - TIANANMEN[0])
    assert abs(int(distance.get_attribute("data-metres")) - expected) <= 1
    assert distance.inner_text().startswith(distance.get_attribute("data-metres"))
    assert tab.page.get_attribute("#visit-status", "data-status") == "checked_in"

    # The summary finishes the visit and becomes the customer's follow-up.
    click_and_wait(tab, "#go-summary")
    fits_the_phone(tab)
    tab.page.fill("#id_summary", "客户认可方案，下周报价")
    assert click_and_wait(tab, "#save-summary").status == 200
    assert tab.page.get_attribute("#visit-status", "data-status") == "done"
    assert tab.page.locator(".visit-steps li.reached").count() == 3
    followup = FollowUp.objects.get()
    assert (followup.kind, followup.customer_id, Visit.objects.get().followup_id) == ("visit", customer.pk, followup.pk)

    tab.goto(f"/customers/{customer.pk}/?tab=timeline")
    entries = tab.page.locator(".trail li")
    assert entries.filter(has_text="演示新版本并确认采购计划").count() == 1  # the visit
    assert (
        entries.filter(has_text="客户认可方案，下周报价").count() == 1
    )  # once: the visit shows its summary (issue 11)
    fits_the_phone(tab)
    tab.assert_clean()


def test_check_in_still_works_when_the_browser_gives_no_location(page_for):
    org = DepartmentTree.build()
    customer = services.create_customer(org.rep, {"name": "北京天安科技有限公司"})
    visit = Visit.objects.create(
        customer=customer, visitor=org.rep, purpose="没有定位", planned_at=timezone.now() + timedelta(hours=1)
    )
    tab = page_for(PHONE)  # no geolocation permission: the browser refuses
    tab.login(org.rep.username)
    tab.goto(f"/customers/visits/{visit.pk}/check-in/")
    tab.page.wait_for_selector("#location-status[data-state=unavailable]")
    assert click_and_wait(tab, "#check-in-button").status == 200
    visit.refresh_from_db()
    assert (visit.status, visit.checkin_latitude, visit.checkin_distance_m) == ("checked_in", None, None)
    assert tab.page.locator("#checkin-location .status-warning").count() == 1
    tab.assert_clean()
