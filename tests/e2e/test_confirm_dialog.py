"""The in-app confirmation dialog (never the browser's confirm()): it says what will happen and how many records,
Esc cancels, Enter on the focused OK confirms, and it works on the phone. Toasts never cover the bell."""

import pytest

from kehu.customers import services
from kehu.customers.models import Contact
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import DepartmentTree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_native_dialogs(tab):
    seen = []
    tab.page.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))
    return seen


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["pc", "phone"])
def test_deleting_a_contact_asks_in_app_esc_cancels_and_enter_confirms(page_for, viewport):
    org = DepartmentTree.build()
    customer = services.create_customer(org.rep, {"name": "确认框测试有限公司"}, [{"name": "王经理"}, {"name": "李工"}])
    tab = page_for(viewport)
    native = _no_native_dialogs(tab)
    tab.login(org.rep.username)
    tab.goto(f"/customers/{customer.pk}/?tab=contacts")
    delete = tab.page.locator("form[action$='/delete/'] button[type=submit]").first
    delete.click()
    dialog = tab.page.locator("#kehu-confirm")
    dialog.wait_for(state="visible")
    assert dialog.locator("[data-confirm-text]").inner_text() == "确定删除该联系人吗？"
    focused_ok = "document.activeElement && document.activeElement.matches('[data-confirm-ok]')"
    tab.page.wait_for_function(focused_ok)  # the dialog has the focus: keyboard users act at once
    tab.page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert Contact.objects.filter(customer=customer).count() == 2
    delete.click()
    dialog.wait_for(state="visible")
    tab.page.wait_for_function(focused_ok)
    with tab.page.expect_navigation(wait_until="load"):
        tab.page.keyboard.press("Enter")
    assert Contact.objects.filter(customer=customer).count() == 1
    assert native == []
    toast = tab.page.locator(".toast.show").first
    toast.wait_for(state="visible")
    bell = tab.page.locator(".topbar").bounding_box()
    assert toast.bounding_box()["y"] >= bell["y"] + bell["height"]  # below the top bar: the bell stays visible
    tab.assert_clean()
