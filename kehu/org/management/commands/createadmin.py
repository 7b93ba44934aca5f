"""`kehu createadmin`: the first administrator of a production install (no demo data)."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kehu.org.models import Department, Role, User


class Command(BaseCommand):
    help = "Create an administrator (system administrator + sales operations roles) and the root department."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--name", default="系统管理员")
        parser.add_argument("--company", default="", help="Name of the root department when none exists yet.")
        parser.add_argument("--password", help="Omit to be asked (recommended).")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, name, company, password, email, **options):
        from django.contrib.auth.password_validation import validate_password

        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        with transaction.atomic():
            root = Department.objects.get_first_root_node()
            if root is None:
                root = Department.objects.add_root({"name": company or "总公司"})
            user = User(username=username, name=name, email=email, department=root)
            user.set_password(password)
            user.save()
            user.roles.set(Role.objects.filter(code__in=["system_admin", "sales_ops"]))
        self.stdout.write(self.style.SUCCESS(f"Administrator {username!r} created in {root.name}."))
