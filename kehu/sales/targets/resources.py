"""The list of target entries (one row a month of a person or a department), declared once: page, API and leak
entries (kehu.core.resources)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from kehu.core import resources
from kehu.core.filters import IdFilter
from kehu.core.resources import Column, Resource
from kehu.sales.targets.models import Target


def _metric_choices():
    from kehu.core import metrics

    return [(m.key, m.label) for m in metrics.all_metrics()]


class TargetFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"), min_value=2000, max_value=2100)
    metric = django_filters.ChoiceFilter(label=_("Metric"), choices=_metric_choices)
    month = django_filters.NumberFilter(label=_("Month"), min_value=1, max_value=12)
    person = IdFilter(label=_("Person"), field_name="user_id")
    department = IdFilter(label=_("Department"), field_name="department_id")
    kind = django_filters.ChoiceFilter(
        label=_("For"), choices=[("person", _("People")), ("department", _("Departments"))], method="filter_kind"
    )

    class Meta:
        model = Target
        fields = ["year", "metric", "month", "person", "department", "kind"]

    def filter_kind(self, queryset, name, value):
        return queryset.persons() if value == "person" else queryset.departments() if value else queryset


def targets_for(user):
    return Target.objects.visible_to(user).select_related("user", "department", "updated_by")


TARGETS = resources.register(
    Resource(
        key="targets.target",
        model=Target,
        module="targets",
        title=_("Target entries"),
        rows=targets_for,
        filterset=TargetFilter,
        main_filters=("year",),
        page_filters=("year", "metric", "kind"),
        sorts={"period": "year", "amount": "amount", "updated": "updated_at"},
        default_sort="-period",
        pages={"": "targets:list"},
        api="target",
        serializer="kehu.sales.targets.api.TargetSerializer",
        columns=[
            Column("number", _("Entry"), '<span class="text-secondary">T-{{ obj.pk|stringformat:"06d" }}</span>'),
            Column(
                "subject",
                _("For"),
                '{% if obj.user_id %}<i class="bi bi-person me-1 text-secondary"></i>{{ obj.user.display_name }}'
                ' <span class="text-secondary small">{{ obj.department.name }}</span>{% else %}'
                '<i class="bi bi-diagram-3 me-1 text-secondary"></i>{{ obj.department.name }}{% endif %}',
                title=True,
            ),
            Column("period", _("Month"), '{{ obj.year }}-{{ obj.month|stringformat:"02d" }}', sort="period"),
            Column("metric", _("Metric"), "{% load kehu_targets %}{{ obj.metric|metric_label }}"),
            Column(
                "amount", _("Target"), "{% load kehu_targets %}{{ obj|target_amount }}", sort="amount", css="text-end"
            ),
            Column(
                "updated",
                _("Changed"),
                '{{ obj.updated_by.display_name|default:"—" }} · {{ obj.updated_at|date:"Y-m-d H:i" }}',
                sort="updated",
            ),
        ],
        marker=lambda t: f"T-{t.pk:06d}",
        icon="bullseye",
        empty_text=_("No targets yet. Set them on the targets page or import them from Excel."),
    )
)
