"""The interface language a user picks is remembered on them through one service; nothing else is accepted."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from kehu.core import services
from kehu.org.models import User


def test_the_service_remembers_an_offered_language_and_refuses_others(org):
    services.set_user_language(org.rep, "en")
    assert org.rep.language == "en"
    assert User.objects.get(pk=org.rep.pk).language == "en"
    for language in ("fr", "zh-hans'; --", ""):
        with pytest.raises(ValidationError) as refused:
            services.set_user_language(org.rep, language)
        assert list(refused.value.message_dict) == ["language"]
    assert User.objects.get(pk=org.rep.pk).language == "en"


def test_an_unknown_language_changes_neither_the_cookie_nor_the_user(client, org):
    client.force_login(org.rep)
    response = client.post("/language/", {"language": "fr", "next": "/customers/"})
    assert response.status_code == 302 and response.url == "/customers/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert User.objects.get(pk=org.rep.pk).language == ""


def test_before_login_the_choice_lives_in_the_cookie_only(client, org):
    response = client.post("/language/", {"language": "en", "next": "/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert set(User.objects.values_list("language", flat=True)) == {""}
