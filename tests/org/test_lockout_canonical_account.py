"""The login lockout counts failures against the account, whatever letter case was typed: on the login page and on
/api/token/ alike, and across the two."""

import pytest
from django.conf import settings

from tests.factories import log_in

PASSWORD = "secret-pass-123"


def page_attempt(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def token_attempt(client, username, password):
    return client.post("/api/token/", {"username": username, "password": password})


VARIANTS = ["rep", "REP", "Rep", "rEp", "reP"]


@pytest.mark.parametrize("attempt", [page_attempt, token_attempt], ids=["page", "token"])
def test_failures_spread_over_letter_cases_lock_the_account(client, org, attempt):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, VARIANTS[n % len(VARIANTS)], "wrong")
    for spelling in ("rep", "REP", "Rep"):
        response = attempt(client, spelling, PASSWORD)
        assert response.status_code == 429, (spelling, response.content)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("attempt", [page_attempt, token_attempt], ids=["page", "token"])
def test_after_failures_as_one_spelling_another_spelling_is_locked_too(client, org, attempt):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "rep", "wrong")
    response = attempt(client, "REP", PASSWORD)
    assert response.status_code == 429
    if attempt is token_attempt:
        assert response.json()["error"]["code"] == "locked_out"
        assert "登录失败次数过多" in response.json()["error"]["message"]


def test_failures_on_the_token_endpoint_lock_the_login_page(client, org):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        token_attempt(client, "Rep", "wrong")
    assert page_attempt(client, "rep", PASSWORD).status_code == 429
    assert log_in(client, "manager", PASSWORD)  # another account is not locked


def test_an_administrator_unlocks_the_account_whatever_spelling_locked_it(client, org):
    from kehu.org import services
    from kehu.org.login import is_locked_out

    for _ in range(settings.AXES_FAILURE_LIMIT):
        page_attempt(client, "REP", "wrong")
    assert is_locked_out("rep")
    services.unlock_login(org.admin, org.rep)
    assert not is_locked_out("rep")
    assert log_in(client, "Rep", PASSWORD)
