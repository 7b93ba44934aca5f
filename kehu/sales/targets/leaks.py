"""The leak register's entries of targets and the forecast (kehu.core.leakcheck). The target list and its API come
from the declared resource; these are the pages that show figures rather than records, and the actions."""

from django.utils import timezone

from kehu.core.leakcheck import Call, action_route, unscoped

VIEW = ("targets", "view")
CHANGE = ("targets", "change")
OPPORTUNITIES = ("opportunities", "view")


def _copy(record, person, api=False):
    data = {"department": person.department_id or 0, "metric": "sales.won_amount", "year": timezone.localdate().year}
    return Call(data=data)


def _import(record, person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kehu.sales.targets.imports import TargetImport

    workbook = TargetImport(person).template()
    return Call(data={"file": SimpleUploadedFile("targets.xlsx", workbook), "mode": "validate"}, multipart=True)


unscoped(
    "figures, not records: a department or person outside the viewer's targets scope answers 404, every figure is "
    "counted for the subject's own people (tests/sales/targets/test_targets_page.py proves it per role)",
    "targets:page",
)
action_route("targets:edit", perm=CHANGE, method="get")
action_route("targets:import", perm=CHANGE, method="get")
action_route("targets:import_template", perm=CHANGE, method="get")
action_route("targets:copy", perm=CHANGE, call=_copy)
action_route("api:target-copy-last-year", perm=CHANGE, call=_copy, api=True)
action_route("api:target-import", perm=CHANGE, call=_import, api=True)
action_route("api:target-achievement", perm=VIEW, method="get", api=True)
# The forecast reads every figure and drill-down row through Opportunity.objects.visible_to
# (tests/sales/targets/test_forecast.py compares it per role with an independent oracle).
action_route("targets:forecast", perm=OPPORTUNITIES, method="get")
action_route("api:forecast", perm=OPPORTUNITIES, method="get", api=True)
