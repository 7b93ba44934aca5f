"""403/404/500 pages in the product's frame and the user's language with a way back; an ordinary 403 is logged
without a traceback; every select offers "请选择" / "Choose…" instead of "---------"."""

import logging

import pytest
from django import forms
from django.test import RequestFactory
from django.utils import translation

from kehu.core.views import server_error
from tests.factories import log_in

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_the_products_page_in_chinese_with_a_way_back(org, client):
    assert log_in(client, org.rep.username, "secret-pass-123")
    response = client.get("/customers/999999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and "回到工作台" in page and "返回上一页" in page
    assert 'class="sidebar"' in page  # the product's frame


def test_a_refusal_is_shown_in_english_to_an_english_user_and_logged_without_traceback(org, client, caplog):
    org.rep.language = "en"
    org.rep.save(update_fields=["language"])
    assert log_in(client, org.rep.username, "secret-pass-123")
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/org/authorise/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Not allowed" in page and "To the workbench" in page
    refusals = [r for r in caplog.records if getattr(r, "status_code", None) == 403]
    assert refusals and all(r.exc_info is None for r in refusals)


def test_the_server_error_page_needs_no_context_and_speaks_the_language():
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        page = server_error(request).content.decode()
    assert "出错了" in page and "回到工作台" in page


def test_every_select_offers_choose_instead_of_dashes():
    class AnyForm(forms.Form):
        pick = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], required=False)

    with translation.override("zh-hans"):
        html = str(AnyForm()["pick"])
    assert "---------" not in html and "请选择" in html
    with translation.override("en"):
        assert "Choose…" in str(AnyForm()["pick"])


def test_a_model_form_select_of_the_delegation_page_has_no_dashes(org, client):
    assert log_in(client, org.manager.username, "secret-pass-123")
    page = client.get("/approvals/delegations/").content.decode()
    assert "---------" not in page


def test_no_template_or_script_calls_the_browsers_confirm():
    from pathlib import Path

    import kehu

    root = Path(kehu.__file__).parent
    files = [*root.glob("templates/**/*.html"), *root.glob("static/kehu/*.js")]
    offenders = [str(f) for f in files if "confirm(" in f.read_text()]
    assert offenders == []
    assert 'id="kehu-confirm"' in (root / "templates/base.html").read_text()


def test_an_expired_form_is_the_products_page_not_djangos(org):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(org.rep)
    with translation.override("zh-hans"):
        response = client.post("/language/", {"language": "en"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    page = response.content.decode()
    assert "表单已过期" in page and "回到工作台" in page


def test_the_confirmation_dialog_is_on_every_page_in_the_users_language(org, client):
    client.force_login(org.rep)
    page = client.get("/").content.decode()
    assert 'id="kehu-confirm"' in page
    assert "请确认" in page and 'data-template="涉及 {count} 条记录"' in page
