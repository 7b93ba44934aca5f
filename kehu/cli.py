"""The `kehu` command: `kehu serve | migrate | demo | createadmin | worker`, and every Django command."""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "kehu"
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line

        if len(argv) > 1 and argv[1] == "worker":
            argv[1] = "run_huey"
        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"kehu: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
