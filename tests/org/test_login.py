"""Logging in and out, lockout after repeated failures, language switch, password change."""

from django.conf import settings

from kehu.org.models import User
from tests.factories import log_in


def test_login_page_looks_like_the_product(client, db):
    page = client.get("/login/").content.decode()
    assert '<html lang="zh-CN">' in page
    assert 'name="username"' in page and 'name="password"' in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page


def test_login_lands_on_the_workbench_and_logout_returns_to_login(client, org):
    response = client.post("/login/", {"username": "rep", "password": "secret-pass-123"})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200
    response = client.post("/logout/")
    assert response.status_code == 302 and response.url == "/login/"
    assert client.get("/").url == "/login/?next=/"


def test_wrong_password_gets_a_clear_message(client, org):
    response = client.post("/login/", {"username": "rep", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_repeated_failures_lock_the_account_out_even_with_the_right_password(client, org):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "rep", "password": "wrong"})
    response = client.post("/login/", {"username": "rep", "password": "secret-pass-123"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked.
    assert log_in(client, "manager", "secret-pass-123")


def test_language_switch_is_remembered_for_the_user(client, org):
    client.force_login(org.rep)
    response = client.post("/language/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert User.objects.get(pk=org.rep.pk).language == "en"
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page and "Workbench" in page
    response = client.post("/language/", {"language": "zh-hans", "next": "https://evil.example.com/"})
    assert response.url == "/"
    assert "工作台" in client.get("/").content.decode()


def test_the_language_follows_the_user_to_a_new_device(org):
    from django.test import Client

    User.objects.filter(pk=org.rep.pk).update(language="en")
    device = Client()
    device.post("/login/", {"username": "rep", "password": "secret-pass-123"})
    assert '<html lang="en">' in device.get("/").content.decode()


def test_change_password(client, org):
    client.force_login(org.rep)
    response = client.post(
        "/password/",
        {"old_password": "secret-pass-123", "new_password1": "Kehu-new-2026!", "new_password2": "Kehu-new-2026!"},
    )
    assert response.status_code == 302
    client.post("/logout/")
    assert log_in(client, "rep", "Kehu-new-2026!")


def test_change_password_with_a_wrong_old_password_is_refused(client, org):
    client.force_login(org.rep)
    response = client.post(
        "/password/", {"old_password": "nope", "new_password1": "Kehu-new-2026!", "new_password2": "Kehu-new-2026!"}
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["old_password"]


def test_an_administrator_can_lift_a_lockout(client, org):
    from django.test import Client

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "rep", "password": "wrong"})
    admin = Client()
    admin.force_login(org.admin)
    page = admin.get(f"/org/users/{org.rep.pk}/").content.decode()
    assert "已锁定" in page
    response = admin.post(f"/org/users/{org.rep.pk}/status/", {"action": "unlock"})
    assert response.status_code == 302
    assert log_in(client, "rep", "secret-pass-123")


def test_behind_a_proxy_the_lockout_follows_the_address_the_proxy_saw(rf):
    from kehu.org.login import client_address_behind_proxy

    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", REMOTE_ADDR="127.0.0.1")
    assert client_address_behind_proxy(request) == "203.0.113.7"  # the client-written 1.2.3.4 is ignored
    assert client_address_behind_proxy(rf.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"


def test_a_lockout_ends_after_the_cool_off(org):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    from kehu.org.login import is_locked_out

    AccessAttempt.objects.create(
        username="rep",
        ip_address="127.0.0.1",
        user_agent="",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        get_data="",
        post_data="",
    )
    assert is_locked_out("rep")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert not is_locked_out("rep")


def test_a_password_like_the_users_name_is_refused(org):
    import pytest
    from django.core.exceptions import ValidationError

    from kehu.org import services

    with pytest.raises(ValidationError) as error:
        services.set_user_password(org.admin, org.manager, "manager2026")
    assert list(error.value.message_dict) == ["password"]
