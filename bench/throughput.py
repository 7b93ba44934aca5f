"""Throughput with a real server (issue 9): `kehu serve` — gunicorn with the production settings — on loopback,
on the bench database, driven by a bounded load client: 4 and then 16 concurrent clients, each logged in as the
bench manager, each sending one request after the other (keep-alive) for BENCH_THROUGHPUT_SECONDS (default 30 s
at scale 1, shorter at smaller scales), round robin over the manager's customer list, a search, a customer page
and the approvals inbox. No error is allowed: any status but 200 fails the run.

Goal: ≥ 100 requests/s with 4 clients, p95 under 100 ms. The entries `throughput.clients_4` / `clients_16` carry
requests/s, p95 and the median latency (as `ms_median`) in latest.json.
"""

import http.client
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from bench import approvals_dataset, customers_dataset, targets

NAME = "throughput"
CLIENTS = (4, 16)
RPS_GOAL = 100.0
P95_GOAL_MS = 100.0
SECONDS_VARIABLE = "BENCH_THROUGHPUT_SECONDS"


def seconds(scale: float) -> float:
    raw = os.environ.get(SECONDS_VARIABLE, "").strip()
    if raw:
        return max(1.0, float(raw))
    return 30.0 if scale >= 1 else max(5.0, round(30.0 * scale**0.5, 1))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    return targets.with_database(targets.server_url(), db["NAME"])


def _sessions(data, count: int, secret: str) -> list[str]:
    """Session cookies of `count` logins of the manager, signed with the server's secret key."""
    cookies = []
    with override_settings(SECRET_KEY=secret):
        for _ in range(count):
            client = Client()
            client.force_login(data.fresh_manager())
            cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return cookies


class Server:
    def __init__(self, secret: str):
        self.port = _free_port()
        self.home = tempfile.mkdtemp(prefix="kehu-bench-serve-")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KEHU_", "DATABASE_", "REDIS_"))},
            "DJANGO_SETTINGS_MODULE": "kehu.settings",
            "DATABASE_URL": _database_url(),
            "KEHU_DATA_DIR": self.home,
            "KEHU_HOST": "127.0.0.1",
            "KEHU_PORT": str(self.port),
            "SECRET_KEY": secret,
            "KEHU_LOG_LEVEL": "ERROR",
        }
        kehu = Path(sys.executable).with_name("kehu")
        self.log = open(Path(self.home) / "serve.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(kehu), "serve", "--no-worker"], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"kehu serve stopped: {self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/login/")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"kehu serve did not answer in {timeout:.0f}s: {self.tail()}")

    def tail(self) -> str:
        self.log.flush()
        return (Path(self.home) / "serve.log").read_text()[-2000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


def _drive(port: int, cookie: str, urls: list[str], start: int, until: float, out: list, errors: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}", "Host": "localhost"}
    n = start
    while time.monotonic() < until:
        url = urls[n % len(urls)]
        n += 1
        began = time.perf_counter()
        try:
            conn.request("GET", url, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{url}: {exc}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        out.append(time.perf_counter() - began)
        if status != 200:
            errors.append(f"{url}: {status}")
    conn.close()


def _urls(data) -> tuple[list[str], list[str]]:
    customers = customers_dataset.prepare(data)
    approvals_dataset.prepare(data)
    manage = reverse("customers:manage")
    urls = [
        manage,
        f"{manage}?q={customers.search_initials}",
        reverse("customers:detail", kwargs={"pk": customers.detail_customer_ids[0]}),
        reverse("approvals:todo"),
    ]
    return urls, ["the manager's customer list", "a search", "a customer page", "the approvals inbox"]


def run(data) -> list[dict]:
    """The throughput entries of this database (raises on any error: a failed request fails the run)."""
    urls, labels = _urls(data)
    secret = secrets.token_urlsafe(50)
    cookies = _sessions(data, max(CLIENTS), secret)
    duration = seconds(data.scale)
    server = Server(secret)
    results = []
    try:
        server.wait()
        for port_warmup in range(2):  # every worker process compiles its templates and fills its caches
            _drive(server.port, cookies[0], urls, port_warmup, time.monotonic() + 2, [], [])
        for clients in CLIENTS:
            latencies, errors = [], []
            until = time.monotonic() + duration
            threads = [
                threading.Thread(target=_drive, args=(server.port, cookies[i], urls, i, until, latencies, errors))
                for i in range(clients)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            if errors:
                raise AssertionError(f"{clients} clients: {len(errors)} errors, e.g. {errors[:3]}\n{server.tail()}")
            rps = len(latencies) / elapsed
            p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
            median = statistics.median(latencies) * 1000
            met = p95 < P95_GOAL_MS and (clients != 4 or rps >= RPS_GOAL)
            results.append(
                {
                    "name": f"{NAME}.clients_{clients}",
                    "db": data.db,
                    "scale": data.scale,
                    "rows": data.rows,
                    "ms_median": round(median, 3),
                    "ms_goal": P95_GOAL_MS,
                    "ms_met": met,
                    "queries": None,
                    "p95_ms": round(p95, 1),
                    "requests_per_s": round(rps, 1),
                    "requests_per_s_goal": RPS_GOAL if clients == 4 else None,
                    "requests": len(latencies),
                    "seconds": round(elapsed, 1),
                    "errors": 0,
                    "baseline": "-",
                    "baseline_ms_median": None,
                    "ratio": None,
                    "ratio_goal": None,
                    "ratio_met": None,
                    "samples": len(latencies),
                    "notes": [
                        f"{clients} clients × {elapsed:.0f}s on kehu serve (gunicorn, production settings, "
                        f"{os.environ.get('KEHU_WEB_WORKERS', '2')} workers × 4 threads): {rps:.1f} req/s, "
                        f"p95 {p95:.1f} ms, median {median:.1f} ms — goal ≥ {RPS_GOAL:g} req/s with 4 clients, "
                        f"p95 < {P95_GOAL_MS:g} ms",
                        "round robin over " + ", ".join(labels),
                    ],
                    "build_seconds": None,
                }
            )
    finally:
        server.stop()
    return results
