"""Where the benchmarks run: the scale, the databases and their names. Imported before Django is set up."""

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

SERVER_URL_VARIABLE = "KEHU_BENCH_DATABASE_URL"
SCALE_VARIABLE = "BENCH_SCALE"
TARGET_VARIABLE = "KEHU_BENCH_TARGET"  # set by the runner for each worker process


class BenchConfigError(Exception):
    """A bad BENCH_SCALE or KEHU_BENCH_DATABASE_URL: reported as one line, exit status 2."""


def scale() -> float:
    raw = os.environ.get(SCALE_VARIABLE, "").strip() or "1"
    try:
        value = float(raw)
    except ValueError:
        raise BenchConfigError(f"{SCALE_VARIABLE}={raw!r} is not a number (e.g. 1 or 0.01).") from None
    if not 0 < value <= 100:
        raise BenchConfigError(f"{SCALE_VARIABLE}={raw!r} must be greater than 0 and at most 100.")
    return value


def scale_label(value: float) -> str:
    """1.0 → "1", 0.01 → "0.01": the scale as it appears in file and database names."""
    return format(value, "g")


def server_url() -> str:
    """The PostgreSQL server to benchmark on ("" for SQLite only)."""
    url = os.environ.get(SERVER_URL_VARIABLE, "").strip()
    if url and urlsplit(url).scheme not in {"postgres", "postgresql"}:
        raise BenchConfigError(
            f"{SERVER_URL_VARIABLE} must be a postgres:// URL, e.g. postgres://user@host:5432/postgres"
        )
    return url


def targets() -> list[str]:
    return [SQLITE, POSTGRESQL] if server_url() else [SQLITE]


def data_dir() -> Path:
    """Kehu's data directory (KEHU_DATA_DIR, default ./var), as the product settings compute it."""
    return Path(os.environ.get("KEHU_DATA_DIR", "").strip() or Path.cwd() / "var").expanduser().resolve()


def bench_dir() -> Path:
    path = data_dir() / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sqlite_path(value: float) -> Path:
    return bench_dir() / f"bench-{scale_label(value)}.sqlite3"


def postgresql_name(value: float) -> str:
    """1 → kehu_bench_1, 0.01 → kehu_bench_0_01."""
    return "kehu_bench_" + re.sub(r"[^0-9a-z]", "_", scale_label(value).lower())


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@dataclass
class PostgresServer:
    """Creates and drops the bench database through the driver, connected to the server's own database."""

    url: str

    def _connect(self):
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    def exists(self, name: str) -> bool:
        with self._connect() as conn:
            return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None

    def create(self, name: str) -> None:
        from psycopg import sql

        with self._connect() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(name)))

    def drop(self, name: str) -> None:
        from psycopg import sql

        with self._connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def ensure(self, name: str) -> None:
        if not self.exists(name):
            self.create(name)
