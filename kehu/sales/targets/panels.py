"""The workbench card: this month's and this quarter's won amount against target, for the viewer's department
(when they may see its targets) or for themselves."""

from django.utils import timezone

from kehu.core import metrics
from kehu.core.workbench import Panel, register
from kehu.org.scope import has_module_perm
from kehu.sales.targets import queries
from kehu.sales.targets.arithmetic import quarter_of
from kehu.sales.targets.metrics import WON_AMOUNT


def _achievement(request):
    user = request.user
    if not has_module_perm(user, "targets", "view"):
        return None
    today = timezone.localdate()
    kind, subject = queries.default_subject(user)
    metric = metrics.get(WON_AMOUNT)
    args = {"department": subject} if kind == "department" else {"person": subject}
    report = queries.report(user, metric, today.year, kind="month", index=today.month, **args)
    month = report.subject.figures
    quarter = report.subject.period([3 * quarter_of(today.month) - 2 + i for i in range(3)])
    return {
        "subject": subject,
        "subject_kind": kind,
        "month": month,
        "quarter": quarter,
        "year": today.year,
        "month_number": today.month,
        "quarter_number": quarter_of(today.month),
    }


register(Panel("sales_target_achievement", "kpis", "targets/_workbench_card.html", _achievement, order=5))
