"""Settings for a benchmark worker: the test settings' speed-ups (fast password hashing, tasks run in-process,
plain static files) with the benchmarks' own owned model (`bench.memos`) instead of the test suite's app, the
product's URLs, and the database replaced by the bench database of the worker's target and scale.

The product's own database configuration is kept (SQLite: WAL and the same pragmas; PostgreSQL: persistent
connections), only the database itself changes. A developer's DATABASE_URL / KEHU_TEST_DATABASE_URL never
leaks into a benchmark run. Nothing here imports the test suite.
"""

import os

from bench import targets

os.environ.pop("DATABASE_URL", None)
os.environ.pop("KEHU_TEST_DATABASE_URL", None)

from kehu.settings_test import *  # noqa: E402, F403
from kehu.settings_test import DATABASES, INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [app for app in INSTALLED_APPS if not app.startswith("tests.")] + ["bench.memos"]
ROOT_URLCONF = "kehu.urls"

_target = os.environ.get(targets.TARGET_VARIABLE, targets.SQLITE)
_scale = targets.scale()

if _target == targets.POSTGRESQL:
    import dj_database_url

    _url = targets.with_database(targets.server_url(), targets.postgresql_name(_scale))
    DATABASES = {"default": dj_database_url.parse(_url, conn_max_age=60)}
else:
    # Without DATABASE_URL the product settings configure SQLite with the production options; keep them.
    _sqlite = {key: value for key, value in DATABASES["default"].items() if key != "TEST"}
    DATABASES = {"default": {**_sqlite, "NAME": targets.sqlite_path(_scale)}}

DEBUG = False
