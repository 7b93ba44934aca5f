"""`kehu createadmin`: the first administrator of a production install, with a checked password."""

import pytest
from django.core.management import CommandError, call_command

from kehu.org.models import User
from tests.factories import log_in


def test_createadmin_makes_a_working_administrator(db, client):
    call_command("createadmin", username="boss", password="Strong-pass-2026", company="北京致远科技有限公司")
    boss = User.objects.get(username="boss")
    assert boss.department.name == "北京致远科技有限公司"
    assert boss.has_perm("org.manage") and boss.has_perm("config.manage")
    assert not boss.is_superuser
    assert log_in(client, "boss", "Strong-pass-2026")
    with pytest.raises(CommandError):
        call_command("createadmin", username="boss", password="Strong-pass-2026")
    with pytest.raises(CommandError, match="short|简单|短"):
        call_command("createadmin", username="weak", password="123")
