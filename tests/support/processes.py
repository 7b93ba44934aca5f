"""Real `kehu` processes for tests: workers and one-off commands against the test database."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the database the tests run on, for a child process."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def kehu_env(data_dir, **extra) -> dict:
    """The environment of a production `kehu` process pointed at the test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEHU_", "REDIS_URL", "DJANGO_SETTINGS"))}
    env.update({"KEHU_DATA_DIR": str(data_dir), "DATABASE_URL": database_url(), "PYTHONPATH": str(ROOT), **extra})
    return env


def start_worker(env, threads: int = 1) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kehu", "worker", "--workers", str(threads)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def run_in_shell(env, code: str) -> subprocess.CompletedProcess:
    """Run Python code in `kehu shell` (a separate process, as a web request or a script would be)."""
    return subprocess.run(
        [sys.executable, "-m", "kehu", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def stop(process: subprocess.Popen, graceful: bool = False) -> str:
    """Stop a process and return its output. `graceful` asks a worker to finish the tasks it holds first
    (Huey's SIGINT), so everything it took is done and logged when this returns."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT if graceful else signal.SIGTERM)
    return process.communicate(timeout=60)[0]
