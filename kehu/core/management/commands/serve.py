"""`kehu serve`: the production WSGI server (gunicorn, static files by whitenoise) and a Huey worker beside it."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kehu import config


class Command(BaseCommand):
    help = "Serve Kehu with gunicorn on KEHU_HOST:KEHU_PORT (default 127.0.0.1:8000) and run a Huey worker."

    def add_arguments(self, parser):
        parser.add_argument("--no-worker", action="store_true", help="Do not start the background worker.")

    def handle(self, *args, no_worker=False, **options):
        host = config.env_str("KEHU_HOST", "127.0.0.1")
        port = config.env_int("KEHU_PORT", 8000, minimum=1, maximum=65535)
        workers = config.env_int("KEHU_WEB_WORKERS", 2, minimum=1, maximum=64)
        call_command("collectstatic", interactive=False, verbosity=0)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "kehu.settings"),
        }
        processes = []
        web = [
            sys.executable,
            "-m",
            "gunicorn",
            "kehu.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--timeout",
            "120",
            # One control socket per installation, so two instances on one machine don't collide.
            "--control-socket",
            str(settings.DATA_DIR / "gunicorn.ctl"),
        ]
        worker_command = [sys.executable, "-m", "kehu", "worker"]
        web_process = subprocess.Popen(web, env=env)
        processes.append(web_process)
        worker = None if no_worker else subprocess.Popen(worker_command, env=env)
        if worker is not None:
            processes.append(worker)
        self.stdout.write(self.style.SUCCESS(f"Kehu is serving on http://{host}:{port}/ (Ctrl+C stops it)"))
        self.stdout.flush()
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True
            for process in processes:
                if process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            # The web server stopping ends `kehu serve`; a dead worker is started again (its jobs are resumed by
            # the job recovery), and the site keeps serving meanwhile.
            while web_process.poll() is None and not stopping:
                if worker is not None and worker.poll() is not None and not stopping:
                    self.stderr.write(
                        f"kehu: the background worker stopped (exit code {worker.returncode}); starting it again."
                    )
                    self.stderr.flush()
                    processes.remove(worker)
                    worker = subprocess.Popen(worker_command, env=env)
                    processes.append(worker)
                    self.stdout.write(f"Background worker started again (process {worker.pid}).")
                    self.stdout.flush()
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        failed = [p for p in processes if p.returncode not in (0, -signal.SIGTERM, -signal.SIGINT, None)]
        if failed:
            raise CommandError(f"{' '.join(failed[0].args[:4])} stopped with exit code {failed[0].returncode}.")
