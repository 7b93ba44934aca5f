"""The organisation's KPI tiles on the workbench, for the people who administer it."""

from django.utils.translation import gettext_lazy as _

from kehu.core.workbench import Panel, register
from kehu.org.models import Department, Role, User


def _organisation(request):
    if not request.user.has_perm("org.manage"):
        return None
    return {
        "tiles": [
            (_("Open departments"), Department.objects.filter(is_active=True).count(), "org:departments"),
            (_("Active users"), User.objects.filter(status=User.Status.ACTIVE).count(), "org:users"),
            (_("Roles"), Role.objects.count(), "org:roles"),
        ]
    }


register(Panel("organisation", "kpis", "org/_kpi_panel.html", _organisation, order=900))
