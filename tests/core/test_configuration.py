"""Settings come from environment variables; a bad value stops start-up with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kehu import config

ROOT = Path(__file__).resolve().parents[2]


def run_kehu(tmp_path, *args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KEHU_", "DATABASE_URL", "REDIS_URL"))}
    environment.update({"KEHU_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kehu.settings", **env})
    return subprocess.run(
        [sys.executable, "-m", "kehu", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KEHU_PORT", "eighty"),
        ("TIME_ZONE", "Mars/Olympus"),
        ("DATABASE_URL", "mysql://root@localhost/kehu"),
        ("KEHU_SECURE_COOKIES", "maybe"),
        ("SECRET_KEY", "short"),
        ("REDIS_URL", "localhost:6379"),
        ("KEHU_LOG_LEVEL", "LOUD"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path, variable, value):
    command = ("serve", "--no-worker") if variable == "KEHU_PORT" else ("check",)  # the port is read by serve
    result = run_kehu(tmp_path, *command, **{variable: value})
    assert result.returncode == 2
    assert result.stderr.startswith("kehu: configuration error: ")
    assert variable in result.stderr


def test_secret_key_is_generated_once_into_the_data_dir(tmp_path):
    first = config.secret_key("KEHU_TEST_UNSET_SECRET", tmp_path)
    second = config.secret_key("KEHU_TEST_UNSET_SECRET", tmp_path)
    assert first == second
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_typed_readers(monkeypatch):
    monkeypatch.setenv("KEHU_X_BOOL", "yes")
    monkeypatch.setenv("KEHU_X_INT", "42")
    monkeypatch.setenv("KEHU_X_LIST", "a.example.cn, b.example.cn,")
    assert config.env_bool("KEHU_X_BOOL") is True
    assert config.env_int("KEHU_X_INT", 1, minimum=1, maximum=100) == 42
    assert config.env_list("KEHU_X_LIST", []) == ["a.example.cn", "b.example.cn"]
    monkeypatch.setenv("KEHU_X_INT", "500")
    with pytest.raises(ImproperlyConfigured, match="KEHU_X_INT=500 is too large: the maximum is 100."):
        config.env_int("KEHU_X_INT", 1, minimum=1, maximum=100)


def test_email_url_is_parsed(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp+tls://crm%40corp.cn:p%40ss@mail.corp.cn:587")
    settings = config.email_settings("EMAIL_URL")
    assert settings == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.corp.cn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "crm@corp.cn",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }


def test_good_defaults_need_no_variable_at_all(tmp_path):
    result = run_kehu(tmp_path, "check")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").exists()
