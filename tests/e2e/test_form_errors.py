"""The new-customer form in a browser (issue 10 item 10): one submit marks every invalid field — main form and
contact — with a red border and its message, under one banner, on the PC and on the phone."""

import os

import pytest

from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import DepartmentTree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

INVALID = ["#id_name", "#id_credit_code", "#id_contact_mobile"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["pc", "phone"])
def test_one_submit_marks_every_invalid_field(page_for, viewport):
    org = DepartmentTree.build()
    tab = page_for(viewport)
    tab.login(org.rep.username)
    tab.goto("/customers/new/")
    tab.page.fill("#id_credit_code", "91110108ABC")
    tab.page.fill("#id_contact_name", "王工")
    tab.page.fill("#id_contact_mobile", "12345")
    with tab.page.expect_navigation(wait_until="load"):
        tab.page.click("#save-customer")
    assert tab.page.locator(".alert-danger").count() == 1
    for selector in INVALID:
        field = tab.page.locator(selector)
        assert "is-invalid" in field.get_attribute("class"), selector
        assert field.get_attribute("aria-invalid") == "true", selector
        red = tab.page.evaluate("s => getComputedStyle(document.querySelector(s)).borderTopColor", selector)
        channels = [int(c) for c in red[red.index("(") + 1 : red.index(")")].split(",")[:3]]
        assert channels[0] > 150 and channels[1] < 100, (selector, red)  # Bootstrap's danger red
    assert tab.page.locator(".invalid-feedback").count() == 3
    if os.environ.get("KEHU_SCREENSHOTS"):
        tab.page.screenshot(path=f"{os.environ['KEHU_SCREENSHOTS']}/customer-form-errors-{viewport['width']}.png")
    tab.assert_clean()
