"""`makemessages` that also extracts `N_("…")` (`gettext_noop` imported as N_): product text stored in rows as a
`Translatable` (kehu/core/text.py) is marked with it and translated when shown, so its msgids must be in the
catalogue like every other."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
