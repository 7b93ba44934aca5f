"""`kehu demo`: load a lived-in demo company (each app contributes its part through `<app>/demo.py`)."""

import importlib
import secrets

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo company: departments, users of every role and the records of every module."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the database has users.")
        parser.add_argument("--password", help="Password for every demo user (default: generated and printed once).")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, if_empty=False, password=None, seed=2026, **options):
        if get_user_model().objects.exists():
            if if_empty:
                self.stdout.write("The database already has data: demo data not loaded.")
                return
            raise CommandError("The database already has users; the demo company is only loaded into an empty one.")
        password = password or secrets.token_urlsafe(9)
        context = {"seed": seed, "password": password, "stdout": self.stdout}
        with transaction.atomic():
            for app in apps.get_app_configs():
                if not app.name.startswith("kehu."):
                    continue
                try:
                    module = importlib.import_module(f"{app.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name == f"{app.name}.demo":
                        continue
                    raise
                module.load(context)
        users = context.get("users", [])
        self.stdout.write(self.style.SUCCESS(f"Demo company loaded: {len(users)} users."))
        self.stdout.write("")
        self.stdout.write(f"  Password of every demo user (shown only now): {password}")
        self.stdout.write("")
        for user in users:
            roles = "、".join(r.name_zh for r in user.roles.all())
            self.stdout.write(f"  {user.username:<16} {user.name:<6} {user.department.name:<10} {roles}")
        self.stdout.write("")
