"""Settings for the test suite: the same as production, plus what tests need to be fast and isolated.

`KEHU_TEST_DATABASE_URL` selects the database the tests run on (CI runs them on SQLite and PostgreSQL).
"""

import os

if os.environ.get("KEHU_TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["KEHU_TEST_DATABASE_URL"]
os.environ.pop("REDIS_URL", None)

from kehu.settings import *  # noqa: E402, F403
from kehu.settings import DATABASES, HUEY, INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "tests.scoped_app"]
ROOT_URLCONF = "tests.scoped_app.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
HUEY = {**HUEY, "immediate": True}
KEHU_EVENTS_RAISE = True  # a failing event subscriber fails the test instead of being logged
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
